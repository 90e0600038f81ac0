"""Campaign test data: campaigns, and real or fake files of every accepted type."""
from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

from opportunities.campaigns.demo import banner_png
from opportunities.campaigns.models import Campaign, MdfRequest
from opportunities.campaigns.services import campaigns, mdf

TODAY = date.today()
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = banner_png(8, 8)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32


def office(folder: str = "word/") -> bytes:
    """A minimal Office Open XML container (.docx by default)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return data.getvalue()


def make_campaign(actor: Any, **overrides: Any) -> Campaign:
    """A published campaign running since yesterday for 30 days, EUR 10,000.00 of MDF."""
    data: dict[str, Any] = {"name": "Spring push", "description": "Sell **more**.",
                            "starts_on": TODAY - timedelta(days=1), "ends_on": TODAY + timedelta(days=30),
                            "mdf_budget": "10000.00", "currency": "EUR", "status": "published"}
    data.update(overrides)
    return campaigns.create_campaign(actor, data)


def request_data(**overrides: Any) -> dict[str, Any]:
    data = {"activity": "Roadshow", "plan": "Two events for 40 customers.", "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=2)).isoformat(), "amount": "2000.00"}
    data.update(overrides)
    return data


def approved_request(parties: Any, campaign: Campaign, amount: str = "2000.00", *, past: bool = True) -> MdfRequest:
    """Partner A enrolled, with an approved request for an activity that is over (when `past`)."""
    campaigns.enrol(parties.a, parties.a_admin, campaign)
    when = {"starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.starts_on.isoformat()} if past else {}
    req = mdf.request_funds(parties.a, parties.a_admin, campaign, request_data(amount=amount, **when))
    mdf.approve_request(parties.a, parties.manager, req)
    return req
