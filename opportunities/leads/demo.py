"""Demo leads: a pool per region, assignments waiting for an answer, owned leads whose clocks
show every state (fresh, due within a day), a lead that fell back (with its cool-down), a released
and a converted one, so that the statistics have something to show."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from portal.extension_points import DemoLoader, registry

LEADS = [
    # company, domain, country, city, contact, families, region
    ("Bavaria Logistics GmbH", "bavaria-logistics.example", "DE", "Munich", "Jonas Weber", "hardware, services", "EMEA"),
    ("Lyon Medical SA", "lyon-medical.example", "FR", "Lyon", "Claire Martin", "software", "EMEA"),
    ("Nordic Freight AB", "nordicfreight.example", "SE", "Gothenburg", "Elsa Lind", "hardware", "EMEA"),
    ("Rotterdam Port Services BV", "rps.example", "NL", "Rotterdam", "Daan de Vries", "services", "EMEA"),
    ("Milano Retail SpA", "milanoretail.example", "IT", "Milan", "Giulia Rossi", "software, services", "EMEA"),
    ("Vienna Clinics GmbH", "viennaclinics.example", "AT", "Vienna", "Lukas Bauer", "hardware", "EMEA"),
    ("Prague Insurance a.s.", "prague-ins.example", "CZ", "Prague", "Petr Novak", "software", "EMEA"),
    ("Lisbon Hotels Lda", "lisbonhotels.example", "PT", "Lisbon", "Ana Costa", "hardware, software", "EMEA"),
    ("Great Lakes Manufacturing Inc.", "glm.example", "US", "Chicago", "Mike Olsen", "hardware", "NA"),
    ("Pacific Dental LLC", "pacificdental.example", "US", "Seattle", "Sarah Kim", "software", "NA"),
    ("Maple Leaf Schools", "mapleleaf.example", "CA", "Toronto", "Liam Tremblay", "hardware, services", "NA"),
    ("Osaka Precision KK", "osaka-precision.example", "JP", "Osaka", "Kenji Tanaka", "hardware", "APAC"),
    ("Santiago Mining SA", "santiagomining.example", "CL", "Santiago", "Camila Soto", "services", "LATAM"),
]


def load(objects: dict) -> None:
    """Add leads in every state to the demo data."""
    from opportunities.leads.models import Lead
    from opportunities.leads.services import conversion, distribution, ownership
    from opportunities.leads.services.lapses import run_lapses
    from portal.db import utcnow
    from portal.extensions import db

    manager = next(u for u in objects["staff"] if u.role == "partner_manager")
    northwind, contoso = objects["partners"][0], objects["partners"][1]
    users = {u.email: u for u in objects["users"]}
    nora, ned = users["admin@northwind.example"], users["rep@northwind.example"]
    now = utcnow()
    leads: dict[str, Lead] = {}
    for i, (name, domain, country, city, contact, families, region) in enumerate(LEADS):
        first = contact.split()[0].lower()
        data = {"company": {"name": name, "domain": domain, "country": country, "city": city},
                "contact": {"name": contact, "email": f"{first}@{domain}", "phone": f"+00 555 01{i:02d}"},
                "families": families, "region": region,
                "notes": "Asked for a call back about a refresh project." if i % 2 else ""}
        if name.startswith("Prague"):
            data["tiers"] = ["gold", "platinum"]
        leads[name] = distribution.create_lead(manager, data, now=now - timedelta(days=30, hours=-i))

    def claimed(name: str, user, days_ago: float, activity_days_ago: float | None = None) -> None:
        lead = leads[name]
        ownership.claim_lead(northwind, user, lead, now=now - timedelta(days=days_ago))
        if activity_days_ago is not None:
            ownership.record_activity(northwind, user, lead, "call",
                                      "Spoke to the buyer; sending a proposal.",
                                      now=now - timedelta(days=activity_days_ago))

    claimed("Bavaria Logistics GmbH", ned, 2, 1)  # fresh: 6 days left
    claimed("Lyon Medical SA", ned, 9, 6.2)  # due in under a day: warned
    claimed("Nordic Freight AB", nora, 4)  # no activity yet: 3 days left
    claimed("Rotterdam Port Services BV", ned, 20, 15)  # lapses when the check runs below
    claimed("Vienna Clinics GmbH", nora, 10, 9)
    ownership.release_lead(northwind, nora, leads["Vienna Clinics GmbH"], "Customer chose to wait a year.",
                           now=now - timedelta(days=5))
    claimed("Lisbon Hotels Lda", ned, 12, 10)
    lisbon = leads["Lisbon Hotels Lda"]
    conversion.convert_lead(northwind, ned, lisbon, conversion.draft_from_lead(lisbon, northwind, {
        "amount": "48000.00", "expected_close": (now + timedelta(days=60)).date()}))
    distribution.assign_lead(northwind, manager, leads["Milano Retail SpA"], now=now - timedelta(hours=20))
    distribution.assign_lead(contoso, manager, leads["Pacific Dental LLC"], now=now - timedelta(days=1))
    ownership.accept_assignment(contoso, users["rep@contoso.example"], leads["Pacific Dental LLC"],
                                now=now - timedelta(hours=20))
    ownership.record_activity(contoso, users["rep@contoso.example"], leads["Pacific Dental LLC"],
                              "meeting", "Demo of the analytics suite to the practice owners.",
                              now=now - timedelta(hours=18))
    run_lapses(now)
    db.session.flush()


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("leads", 30, load))
