"""Demo quotes in every status: approved within the tier's limit, waiting in the managers' queues
(with ages), rejected, accepted, revised (with a diff), a draft, one about to expire, one expired."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from catalog.services.pricing import LineInput
from orders.quotes import services
from orders.quotes.models import Quote
from portal.db import utcnow
from portal.extension_points import DemoLoader, registry

SERVER = ("CPU-8C", "RAM-32", "SSD-1T", "PSU-STD")  # SRV-100 options
BIG_SERVER = ("CPU-16C", "RAM-128", "SSD-4T", "PSU-HI")


def _lines(*items: tuple) -> list[LineInput]:
    """(sku, quantity) or (sku, quantity, options) tuples as pricing inputs."""
    return [LineInput(item[0], item[1], tuple(item[2]) if len(item) > 2 else ()) for item in items]


def _quote(partner, user, lines, *, title, percent="0", why="", on: date | None = None) -> Quote:
    return services.create_quote(partner, user, services.QuoteInput(
        lines=lines, title=title, requested_discount_percent=percent, justification=why), on)


def _age(quote: Quote, hours: float) -> None:
    """Move a quote back in time (created, submitted, decided), so pages show realistic ages."""
    when = utcnow() - timedelta(hours=hours)
    quote.created_at = quote.current.created_at = when - timedelta(hours=2)
    for event in quote.events:
        event.created_at = when - timedelta(hours=2) if event.action == "created" else when
    if quote.submitted_at is not None:
        quote.submitted_at = quote.current.submitted_at = when
    if quote.current.decided_at is not None:
        quote.current.decided_at = when


def load(objects: dict) -> None:
    """Add quotes to the demo data."""
    northwind, contoso, sakura, andes = objects["partners"][:4]
    nora, ned, carl, _, sato, ana = objects["users"][:6]
    manager = objects["staff"][1]
    today = date.today()

    q = _quote(northwind, ned, _lines(("SRV-100", 4, SERVER), ("HW-SWITCH-24", 4), ("SVC-INSTALL", 2)),
               title="Stadtwerke Köln: edge refresh", percent="3", why="Repeat customer, 4 sites.")
    services.submit_quote(northwind, ned, q.id)  # within gold's 5%: approved at once

    q = _quote(northwind, nora, _lines(("SRV-100", 12, BIG_SERVER), ("SW-ANALYTICS", 12),
                                       ("SVC-SUPPORT-1Y", 12)),
               title="Bayer Logistics: analytics cluster", percent="12",
               why="Competing against a direct offer from a larger vendor; the customer wants a "
                   "3-year framework. Winning it opens 3 more regions.")
    services.submit_quote(northwind, nora, q.id)
    _age(q, 30)

    q = _quote(northwind, ned, _lines(("HW-AP-6", 60), ("HW-SWITCH-24", 6)),
               title="Hotel Adler: Wi-Fi", percent="20", why="Price-sensitive hotel chain.")
    services.submit_quote(northwind, ned, q.id)
    services.reject_quote(manager, q.id, "20% is below our floor for access points; 8% is possible "
                                         "with a 3-year support contract.")

    q = _quote(northwind, nora, _lines(("SW-SEC", 30), ("SVC-INSTALL", 1)),
               title="Klinikum Nord: security gateway", percent="4", why="Public tender.")
    services.submit_quote(northwind, nora, q.id)
    services.accept_quote(northwind, nora, q.id)

    q = _quote(northwind, ned, _lines(("SRV-100", 2, SERVER), ("HW-SWITCH-24", 2)),
               title="Brauhaus Weber: branch office", percent="2")
    services.submit_quote(northwind, ned, q.id)
    services.update_quote(northwind, ned, q.id, services.QuoteInput(
        lines=_lines(("SRV-100", 3, SERVER), ("HW-AP-6", 8)), requested_discount_percent="9",
        justification="The customer adds a third site if we match the competing Wi-Fi offer.",
        change_note="Third server; Wi-Fi instead of the switches."))
    services.submit_quote(northwind, ned, q.id)
    _age(q, 5)

    _quote(northwind, ned, _lines(("SW-ANALYTICS", 5)), title="Müller GmbH: analytics pilot")

    q = _quote(northwind, nora, _lines(("HW-AP-6", 20)), title="Café Central: Wi-Fi",
               on=today - timedelta(days=28))
    services.submit_quote(northwind, nora, q.id, on=today - timedelta(days=28))  # expires in 2 days
    _age(q, 28 * 24)

    q = _quote(northwind, nora, _lines(("SVC-SUPPORT-1Y", 3)), title="Old support renewal",
               on=today - timedelta(days=45))
    services.submit_quote(northwind, nora, q.id, on=today - timedelta(days=45))
    _age(q, 45 * 24)
    services.expire_quotes(today)

    q = _quote(contoso, carl, _lines(("SRV-100", 6, SERVER), ("SW-SEC", 6)),
               title="Austin school district", percent="6",
               why="Education pricing: the district compares three resellers.")
    services.submit_quote(contoso, carl, q.id)
    _age(q, 52)

    q = _quote(sakura, sato, _lines(("SW-ANALYTICS", 40), ("SVC-SUPPORT-1Y", 40)),
               title="Osaka logistics: analytics rollout", percent="10",
               why="Strategic account; volume over two fiscal years.")
    services.submit_quote(sakura, sato, q.id)
    _age(q, 3)

    q = _quote(andes, ana, _lines(("HW-AP-6", 10)), title="Santiago co-working")
    services.submit_quote(andes, ana, q.id)  # registered tier, no extra discount: approved
    services.warn_expiring(today)


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("quotes", 50, load))
