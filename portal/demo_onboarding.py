"""Demo partner applications: two waiting in the staff queue (one of them a likely duplicate of
an existing partner) and an older one that was rejected."""
from __future__ import annotations

from flask import Flask
from datetime import timedelta

from portal.extension_points import DemoLoader, registry
from portal.db import utcnow
from portal.services import onboarding

APPLICATIONS = [
    # days ago, company, kind, country, region, currency, website, contact, e-mail, message
    (3, "Helvetia Netzwerke AG", "reseller", "CH", "EMEA", "CHF", "www.helvetia-netz.example",
     "Lea Keller", "lea.keller@helvetia-netz.example",
     "Network integrator in Zurich and Basel, 40 engineers. We sell to hospitals and cantonal "
     "administrations and would like to add your edge servers and security gateways."),
    (1, "Northwind Distribution Ltd", "distributor", "GB", "EMEA", "GBP", "https://northwind.example/uk",
     "Oliver Grant", "oliver.grant@northwind.example",
     "We are opening Northwind's UK branch and would like our own partner account."),
]
REJECTED = (12, "Quick Deals 24", "agent", "US", "NA", "USD", "quickdeals24.example", "Sam Hart",
            "sam@quickdeals24.example", "We buy anything cheap.",
            "We only work with partners that provide installation and support to their customers.")


def _values(row: tuple) -> dict[str, str]:
    keys = ("company_name", "kind", "country", "region", "currency", "website", "contact_name",
            "contact_email", "message")
    return dict(zip(keys, row[1:10]))


def load(objects: dict) -> None:
    """Add partner applications to the demo data."""
    now = utcnow()
    admin = objects["staff"][0]
    rejected = onboarding.record_application(_values(REJECTED), ip="198.51.100.24",
                                             now=now - timedelta(days=REJECTED[0]))
    onboarding.reject_application(admin, rejected, REJECTED[10])
    for row in APPLICATIONS:
        onboarding.record_application(_values(row), ip="203.0.113.7",
                                      now=now - timedelta(days=row[0], hours=2))


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("applications", 80, load))
