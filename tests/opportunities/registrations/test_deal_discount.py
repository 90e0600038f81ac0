"""An approved registration's deal discount in pricing (catalog's DEAL_LOOKUP), and its refusals."""
from __future__ import annotations

from datetime import timedelta

from opportunities.registrations.services import clock
from opportunities.registrations.services.decisions import approve_registration
from tests.catalog.builders import build
from tests.opportunities.registrations.helpers import register

LINES = [{"sku": "LIC", "quantity": 2}, {"sku": "SRV", "quantity": 1, "options": ["CPU-8", "RAM-32"]}]


def _price(api, user, opportunity_id):
    return api(user).post("/pricing", {"lines": LINES, "opportunity_id": opportunity_id})


def test_approved_registration_discounts_its_families(two_partners, api):
    build()
    reg = register(two_partners.a, two_partners.a_user, "Siemens AG", families=("software",))
    approve_registration(two_partners.manager, reg, 90, "10")
    r = _price(api, two_partners.a_user, reg.id)
    assert r.status_code == 200, r.json
    licence, server = r.json["lines"]
    steps = [s["step"] for s in licence["waterfall"]]
    assert "deal_discount" in steps and f"registration #{reg.id}" in str(licence["waterfall"])
    assert "deal_discount" not in [s["step"] for s in server["waterfall"]]  # hardware is not registered
    plain = api(two_partners.a_user).post("/pricing", {"lines": LINES}).json
    assert licence["unit_net"] != plain["lines"][0]["unit_net"]


def test_refusals_are_clear_422s(two_partners, api, monkeypatch):
    build()
    pending = register(two_partners.a, two_partners.a_user, "Brivenka Solar AG", families=("software",))
    theirs = register(two_partners.b, two_partners.b_user, "Pelzora Capital", "FR", families=("software",))
    approve_registration(two_partners.manager, theirs, 90, "10")
    r = _price(api, two_partners.a_user, pending.id)
    assert r.status_code == 422 and "not approved" in r.json["error"]["message"]
    assert "opportunity_id" in r.json["error"]["fields"]
    r = _price(api, two_partners.a_user, theirs.id)
    assert r.status_code == 422 and "No such deal registration of yours" in r.json["error"]["message"]
    assert _price(api, two_partners.a_user, 999999).status_code == 422
    mine = register(two_partners.a, two_partners.a_user, "Quavendra Robotics", families=("software",))
    approve_registration(two_partners.manager, mine, 5, "10")
    monkeypatch.setattr(clock, "today", lambda: mine.protected_until + timedelta(days=1))
    r = _price(api, two_partners.a_user, mine.id)
    assert r.status_code == 422 and "protection" in r.json["error"]["message"]


def test_a_quote_linked_to_the_approved_registration_carries_its_deal_discount(two_partners, api):
    build()
    reg = register(two_partners.a, two_partners.a_user, "Siemens AG", families=("software",))
    approve_registration(two_partners.manager, reg, 90, "10")
    r = api(two_partners.a_user).post("/quotes", {"lines": LINES, "opportunity_id": reg.id})
    assert r.status_code == 201, r.json
    licence, server = r.json["lines"]
    assert "deal_discount" in [s["step"] for s in licence["waterfall"]]
    assert "deal_discount" not in [s["step"] for s in server["waterfall"]]
    other = register(two_partners.b, two_partners.b_user, "Pelzora Capital", "FR", families=("software",))
    approve_registration(two_partners.manager, other, 90, "10")
    refused = api(two_partners.a_user).post("/quotes", {"lines": LINES, "opportunity_id": other.id})
    assert refused.status_code == 422 and "opportunity_id" in refused.json["error"]["fields"]
