"""Demo leads worked for the demo campaigns: three claimed leads attributed to a campaign, and a
campaign lead accepted and converted into a registration. Runs right after the registrations'
demo data (order 75), which it follows on from."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from opportunities.campaigns.models import Campaign
from opportunities.leads.models import Lead
from opportunities.leads.services import campaigns as lead_campaigns
from opportunities.leads.services import conversion, distribution, ownership
from opportunities.registrations.demo import SECURE_EDGE, WIFI
from opportunities.registrations.services import clock
from portal.extension_points import DemoLoader, registry
from portal.extensions import db


def load(objects: dict[str, Any]) -> None:
    """Attribute claimed leads to the demo campaigns and convert a campaign lead."""
    campaign_ids = dict(db.session.execute(select(Campaign.name, Campaign.id)).all())
    if SECURE_EDGE not in campaign_ids or WIFI not in campaign_ids:
        return
    users = {u.email: u for u in objects["users"]}
    manager = next(u for u in objects["staff"] if u.role == "partner_manager")
    northwind, contoso = objects["partners"][0], objects["partners"][1]
    nora, ned = users["admin@northwind.example"], users["rep@northwind.example"]
    leads = {lead.company_name: lead for lead in db.session.scalars(select(Lead))}
    for name, partner, user, campaign in (("Bavaria Logistics GmbH", northwind, nora, SECURE_EDGE),
                                          ("Nordic Freight AB", northwind, nora, SECURE_EDGE),
                                          ("Pacific Dental LLC", contoso, users["admin@contoso.example"], WIFI)):
        if name in leads and leads[name].status == "claimed":
            lead_campaigns.set_lead_campaign(partner, user, leads[name], campaign_ids[campaign])
    kiel = distribution.create_lead(manager, {
        "company": {"name": "Kiel Shipyards GmbH", "domain": "kiel-shipyards.example", "country": "DE", "city": "Kiel"},
        "contact": {"name": "Jan Petersen", "email": "jan@kiel-shipyards.example"}, "families": ["software"],
        "region": "EMEA", "partner_id": northwind.id, "campaign_id": campaign_ids[SECURE_EDGE],
        "notes": "Visited the Secure Edge booth."})
    ownership.accept_assignment(northwind, ned, kiel)
    conversion.convert_lead(northwind, ned, kiel, conversion.draft_from_lead(kiel, northwind, {
        "amount": "35000.00", "expected_close": clock.today() + timedelta(days=45)}))


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("leads-campaign-deals", 75, load))
