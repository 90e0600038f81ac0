"""Demo deal registrations: house accounts, approved and pending registrations, and real-looking conflicts
(the same customer under another name, by domain, acronym and house account; a look-alike that does not conflict),
some attributed to the demo campaigns, one of them won with an order."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from opportunities.campaigns.models import Campaign
from opportunities.registrations.services import CustomerInput, RegistrationInput, register_opportunity
from opportunities.registrations.services.decisions import approve_registration
from opportunities.registrations.services.house_accounts import create_house_account
from opportunities.registrations.services.lifecycle import expire_registrations, record_outcome
from opportunities.registrations.services import clock
from portal.extension_points import DemoLoader, registry
from portal.extensions import db

HOUSE_ACCOUNTS = [
    {"name": "Globex Corporation", "domain": "globex.com", "country": "US", "city": "Springfield",
     "notes": "Strategic account, sold direct."},
    {"name": "Initech GmbH", "domain": "initech.de", "country": "DE", "vat_id": "DE811907980", "city": "Berlin"},
]
# (user e-mail, customer name, domain, country, city, families, amount, currency, days to close)
REGISTRATIONS = [
    ("admin@northwind.example", "Siemens Aktiengesellschaft", "siemens.com", "DE", "Munich",
     ["hardware", "services"], "250000.00", "EUR", 75),
    ("admin@northwind.example", "Renesas Electronics Corporation", "renesas.com", "JP", "Tokyo",
     ["hardware"], "90000.00", "EUR", 40),
    ("rep@northwind.example", "Bayerische Motoren Werke AG", "bmw.de", "DE", "Munich",
     ["software"], "120000.00", "EUR", 60),
    ("rep@contoso.example", "SIEMENS AG (Germany)", None, "DE", None, ["hardware"], "180000.00", "USD", 50),
    ("admin@contoso.example", "Delta Air Lines, Inc.", "delta.com", "US", "Atlanta", ["software"], "64000.00", "USD", 90),
    ("admin@contoso.example", "Globex Corp", None, "US", None, ["software"], "30000.00", "USD", 45),
    ("admin@contoso.example", "Umbrella Pharmaceuticals Inc.", "umbrella-pharma.com", "US", "Raccoon City",
     ["services"], "15000.00", "USD", 30),
    ("admin@sakura.example", "Delta Dental of California", "deltadentalins.com", "US", "San Francisco",
     ["software"], "5400000", "JPY", 70),
    ("admin@sakura.example", "Renesas Electronics", None, "JP", "Tokyo", ["hardware"], "12000000", "JPY", 55),
    ("admin@andes.example", "BMW", "purchasing@bmw.de", "DE", None, ["software"], "48000.00", "USD", 65),
    ("admin@northwind.example", "Bayerische Motoren Werke Aktiengesellschaft", None, "DE", "München",
     ["software", "services"], "40000.00", "EUR", 80),
]


# Registrations (by position above) attributed to the demo campaigns (opportunities/campaigns/demo.py).
SECURE_EDGE, WIFI = "Secure Edge Spring Push", "Wi-Fi 6 Upgrade Days"
CAMPAIGN_OF = {0: SECURE_EDGE, 1: SECURE_EDGE, 4: WIFI, 8: SECURE_EDGE, 9: WIFI}


def load(objects: dict[str, Any]) -> None:
    """Add house accounts, registrations, decisions and the resulting conflicts to the demo data."""
    users = {u.email: u for u in objects["users"]}
    staff = {u.email: u for u in objects["staff"]}
    partners = {p.id: p for p in objects["partners"]}
    campaign_ids = dict(db.session.execute(select(Campaign.name, Campaign.id)).all())
    for account in HOUSE_ACCOUNTS:
        create_house_account(staff["admin@example.com"], account)
    made = []
    for i, (email, name, domain, country, city, families, amount, currency, days) in enumerate(REGISTRATIONS):
        user = users[email]
        made.append(register_opportunity(partners[user.partner_id], user, RegistrationInput(
            customer=CustomerInput(name=name, country=country, domain=domain, city=city), families=families,
            amount=amount, currency=currency, expected_close=clock.today() + timedelta(days=days),
            contact_name="Pat Buyer", contact_email=f"pat.buyer@{(domain or 'example.com').split('@')[-1]}",
            notes="Demo opportunity."), campaign_id=campaign_ids.get(CAMPAIGN_OF.get(i, ""))))
    manager = staff["manager@example.com"]
    approve_registration(manager, made[0], 90, "5")  # Siemens for Northwind: protected, 5 % deal discount
    approve_registration(manager, made[1], 10)  # Renesas for Northwind: protection ends soon (a reminder)
    approve_registration(manager, made[4], 120, "3")  # Delta Air Lines for Contoso
    approve_registration(manager, made[6], 60)
    record_outcome(partners[made[6].partner_id], users["admin@contoso.example"], made[6], "lost",
                   "The customer postponed the project to next year.")
    expire_registrations()  # sends the reminder for the Renesas registration
    _campaign_deals(objects, campaign_ids)


def _campaign_deals(objects: dict[str, Any], campaign_ids: dict[str, int]) -> None:
    """A won campaign deal at its order's total (the campaign leads follow in
    `opportunities/leads/demo_campaign_deals.py`)."""
    if SECURE_EDGE not in campaign_ids or WIFI not in campaign_ids:
        return
    users = {u.email: u for u in objects["users"]}
    manager = next(u for u in objects["staff"] if u.role == "partner_manager")
    northwind = objects["partners"][0]
    nora = users["admin@northwind.example"]
    won = register_opportunity(northwind, nora, RegistrationInput(
        customer=CustomerInput(name="Hamburg Harbour Authority", country="DE", domain="hamburg-harbour.example",
                               city="Hamburg"), families=["hardware", "software"], amount="60000.00", currency="EUR",
        expected_close=clock.today() + timedelta(days=20), contact_name="Heike Hansen",
        notes="Branch security refresh, from the spring push roadshow."), campaign_id=campaign_ids[SECURE_EDGE])
    approve_registration(manager, won, 90, "4")
    directory = registry().order_directory
    if directory is not None:
        orders = directory.orders_table()
        order_id = db.session.scalar(select(orders.c.id).where(
            orders.c.partner_id == northwind.id, orders.c.currency == "EUR", orders.c.status != "cancelled")
            .order_by(orders.c.total_minor.desc()).limit(1))
        if order_id is not None:
            record_outcome(northwind, nora, won, "won", None, order_id)


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("registrations", 70, load))
