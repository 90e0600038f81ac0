"""Demo campaigns: two running (with a price rule, assets, enrolments and MDF at every step), one
draft, one ended; loaded after the demo catalog."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta

from flask import Flask

from opportunities.campaigns.services import assets, campaigns, claims, mdf
from portal import storage
from portal.extension_points import DemoLoader, registry

SECURE_EDGE = """Help your customers **secure every branch office** before the summer budget freeze.

- 12% off the Security Gateway licence and the 24-port switch during the campaign
- A ready-made pitch deck, a customer flyer and web banners in the marketing kit
- Market development funds for roadshows, webinars and joint events

Questions? Write to [channel marketing](mailto:marketing@example.com)."""
WIFI = """Wi-Fi 6 upgrade days: invite your customers to replace old access points.

- 5% off the Wi-Fi 6 access point
- MDF for local upgrade days and demo kits"""


def banner_png(width: int = 480, height: int = 240, colours: tuple[tuple[int, int, int], ...] = (
        (13, 110, 253), (111, 66, 193))) -> bytes:
    """A gradient banner with stripes, as PNG bytes (standard library only)."""
    (r1, g1, b1), (r2, g2, b2) = colours
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            t = x / max(width - 1, 1)
            stripe = 24 if (x + y) // 24 % 2 == 0 else 0
            row += bytes((min(255, int(r1 + (r2 - r1) * t) + stripe), min(255, int(g1 + (g2 - g1) * t) + stripe),
                          min(255, int(b1 + (b2 - b1) * t) + stripe)))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def text_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and lines of text (Helvetica), built by hand: no renderer needed."""
    def esc(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\").replace(
            "(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 22 Tf", "56 780 Td", f"({esc(title)}) Tj", "/F1 12 Tf", "0 -34 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "0 -18 Td"]
    stream = "\n".join(ops + ["ET"]).encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _file(name: str, data: bytes, allowed: tuple[str, ...] = ("pdf", "png")) -> storage.CheckedUpload:
    return storage.check_upload(name, io.BytesIO(data), allowed=allowed, max_bytes=20 * 1024 * 1024)


def load(objects: dict) -> None:
    """Add campaigns, assets, enrolments and MDF requests to the demo data."""
    admin, manager, manager2 = objects["staff"][0], objects["staff"][1], objects["staff"][2]
    northwind, contoso, sakura = objects["partners"][0], objects["partners"][1], objects["partners"][2]
    nora, carl, sato = objects["users"][0], objects["users"][2], objects["users"][4]
    today = date.today()
    edge = campaigns.create_campaign(manager, {
        "name": "Secure Edge Spring Push", "description": SECURE_EDGE, "starts_on": today - timedelta(days=30),
        "ends_on": today + timedelta(days=45), "tiers": ["gold", "platinum"], "regions": ["EMEA", "APAC"],
        "products": ["SW-SEC", "HW-SWITCH-24"], "price_rule_percent": "12", "currency": "EUR",
        "mdf_budget": "60000.00", "status": "published"})
    flyer = text_pdf("Secure Edge Spring Push", [
        "Secure every branch office before the summer budget freeze.", "",
        "- 12% off the Security Gateway licence (SW-SEC) and the 24-port switch (HW-SWITCH-24)",
        "- Market development funds for roadshows, webinars and joint events",
        f"- Runs until {edge.ends_on.isoformat()}"])
    assets.add_asset(manager, edge, _file("secure-edge-flyer.pdf", flyer), "Customer flyer")
    assets.add_asset(manager, edge, _file("secure-edge-banner.png", banner_png()), "Web banner 480×240")
    assets.add_asset(manager, edge, _file("secure-edge-social.png", banner_png(
        400, 400, ((25, 135, 84), (13, 110, 253)))), "Social media tile")
    for partner, user in ((northwind, nora), (sakura, sato)):
        campaigns.enrol(partner, user, edge)
    roadshow = mdf.request_funds(northwind, nora, edge, {
        "activity": "Security roadshow, Munich and Hamburg", "plan": "Two half-day events for 40 IT managers "
        "each, with live demos of the Security Gateway.", "starts_on": today - timedelta(days=20),
        "ends_on": today - timedelta(days=12), "amount": "12000.00"})
    mdf.approve_request(northwind, manager, roadshow, "10000.00", "Catering is capped at 2,000.")
    claims.submit_claim(northwind, nora, roadshow, "9400.00", "78 attendees, 11 qualified leads.",
                        [_file("roadshow-invoice.pdf", text_pdf("Invoice 2026-118", [
                            "Venue hire, Munich: EUR 5,200.00", "Catering: EUR 2,000.00",
                            "Venue hire, Hamburg: EUR 2,200.00"])),
                         _file("roadshow-photo.png", banner_png(320, 200, ((253, 126, 20), (214, 51, 132))))])
    mdf.request_funds(northwind, nora, edge, {
        "activity": "Webinar series: zero trust for SMBs", "plan": "Three webinars with a guest analyst; "
        "promotion on LinkedIn.", "starts_on": today + timedelta(days=5), "ends_on": today + timedelta(days=25),
        "amount": "6500.00"})
    expo = mdf.request_funds(sakura, sato, edge, {
        "activity": "Booth at the Tokyo Security Expo", "plan": "Shared booth, 3 days, with demo racks.",
        "starts_on": today - timedelta(days=28), "ends_on": today - timedelta(days=26), "amount": "15000.00"})
    mdf.approve_request(sakura, manager2, expo)
    claims.submit_claim(sakura, sato, expo, "15000.00", "",
                        [_file("expo-invoice.pdf", text_pdf("Tokyo Security Expo", ["Booth rental, 3 days"]))])
    claims.approve_claim(sakura, manager2, expo)
    claims.mark_paid(sakura, admin, expo, "PAY-2026-0412")
    wifi = campaigns.create_campaign(manager, {
        "name": "Wi-Fi 6 Upgrade Days", "description": WIFI, "starts_on": today - timedelta(days=10),
        "ends_on": today + timedelta(days=60), "regions": ["NA", "LATAM"], "kinds": ["reseller", "agent"],
        "products": ["HW-AP-6"], "price_rule_percent": "5", "currency": "USD", "mdf_budget": "20000.00",
        "status": "published"})
    assets.add_asset(manager, wifi, _file("wifi6-banner.png", banner_png(480, 160, ((32, 201, 151), (13, 110, 253)))),
                     "Upgrade days banner")
    campaigns.enrol(contoso, carl, wifi)
    upgrade = mdf.request_funds(contoso, carl, wifi, {
        "activity": "Upgrade day in Chicago", "plan": "Swap-out demo day for 25 school districts.",
        "starts_on": today + timedelta(days=14), "ends_on": today + timedelta(days=14), "amount": "4000.00"})
    mdf.reject_request(contoso, manager, upgrade, "Please add the expected number of attendees and resend.")
    campaigns.create_campaign(admin, {
        "name": "Analytics Autumn Launch", "description": "Launch of the new Analytics Suite release.",
        "starts_on": today + timedelta(days=60), "ends_on": today + timedelta(days=120), "products": ["SW-ANALYTICS"],
        "mdf_budget": "25000.00", "status": "draft"})
    winter = campaigns.create_campaign(manager, {
        "name": "Winter Clearance", "description": "End-of-year clearance of switches.",
        "starts_on": today - timedelta(days=120), "ends_on": today - timedelta(days=60), "products": ["HW-SWITCH-24"],
        "price_rule_percent": "8", "status": "draft"})
    campaigns.publish_campaign(manager, winter, on=winter.starts_on)
    campaigns.enrol(northwind, nora, winter, on=winter.starts_on + timedelta(days=3))


def init_app(app: Flask) -> None:
    """Campaigns promote products of the demo catalog, so they load after it (order 60 > 10)."""
    registry(app).demo_loaders.append(DemoLoader("campaigns", 60, load))
