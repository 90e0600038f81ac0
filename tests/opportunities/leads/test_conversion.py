"""Converting a lead into a deal registration: prefilled, recorded as its source, the same
conflict check, twice is a 409, nothing half-written on bad input."""
from __future__ import annotations

from datetime import date, timedelta

from opportunities.leads.models import Lead, LeadEvent, LeadOwnership
from opportunities.leads.services import ownership
from opportunities.registrations.models import Registration
from portal.extensions import db
from tests.crosspartner import covers
from tests.opportunities.leads.helpers import make_lead

CLOSE = (date.today() + timedelta(days=60)).isoformat()


def _owned_lead(p, **overrides):
    lead = make_lead(p.manager, **overrides)
    ownership.claim_lead(p.a, p.a_user, lead)
    return lead


@covers("leads_api.convert_lead")
def test_convert_through_the_api_once(two_partners, api):
    p = two_partners
    lead = _owned_lead(p, company={"name": "Convertible Cars GmbH", "domain": "convertible.example",
                                   "country": "DE", "city": "Stuttgart"}, families=["hardware", "services"])
    assert api(p.b_user).post(f"/leads/{lead.id}/convert", {"amount": "1000.00", "expected_close": CLOSE}).status_code == 404
    a = api(p.a_user)
    r = a.post(f"/leads/{lead.id}/convert", {"amount": "125000.00", "expected_close": CLOSE})
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "submitted" and body["conflict"] is False
    assert body["source"] == "lead" and body["lead_id"] == lead.id
    assert body["customer"]["name"] == "Convertible Cars GmbH" and body["customer"]["domain"] == "convertible.example"
    assert body["families"] == ["hardware", "services"] and body["currency"] == "EUR" and body["amount"] == "125000.00"
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.opportunity_id, lead.due_at) == ("converted", body["id"], None)
    assert db.session.query(LeadOwnership).filter_by(lead_id=lead.id).one().outcome == "converted"
    assert db.session.query(LeadEvent).filter_by(lead_id=lead.id, action="converted").one().to_partner_id == p.a.id
    r = a.post(f"/leads/{lead.id}/convert", {"amount": "125000.00", "expected_close": CLOSE})
    assert r.status_code == 409 and r.json["error"]["code"] == "already_converted"
    assert db.session.query(Registration).count() == 1
    assert a.post(f"/leads/{lead.id}/activities", {"note": "after"}).status_code == 404  # clock stopped
    assert a.get(f"/leads/{lead.id}").json["status"] == "converted"  # still visible to its owner


def test_conversion_runs_the_conflict_check(two_partners, api):
    p = two_partners
    b_reg = api(p.b_user).post("/opportunities", {
        "customer": {"name": "Contested Cables SA", "domain": "contested.example", "country": "FR"},
        "families": ["hardware"], "amount": "5000.00", "currency": "EUR", "expected_close": CLOSE})
    assert b_reg.status_code == 201, b_reg.json
    lead = _owned_lead(p, company={"name": "Contested Cables", "domain": "www.contested.example", "country": "FR"})
    r = api(p.a_user).post(f"/leads/{lead.id}/convert", {"amount": "9000", "expected_close": CLOSE})
    assert r.status_code == 201 and r.json["status"] == "in_review" and r.json["conflict"] is True
    assert "partner_id" not in r.json["conflicts"][0]  # the other partner never leaks


def test_bad_conversion_input_changes_nothing(two_partners, api):
    p = two_partners
    lead = _owned_lead(p)
    a = api(p.a_user)
    assert a.post(f"/leads/{lead.id}/convert", {"expected_close": CLOSE}).status_code == 400
    r = a.post(f"/leads/{lead.id}/convert", {"amount": "-5", "expected_close": "2001-01-01", "currency": "ZZZ"})
    assert r.status_code == 422 and {"amount", "expected_close", "currency"} & set(r.json["error"]["fields"])
    lead = db.session.get(Lead, lead.id)
    assert lead.status == "claimed" and lead.opportunity_id is None
    assert db.session.query(Registration).count() == 0


@covers("leads.convert")
def test_convert_page_is_prefilled_and_registers(client, login, two_partners):
    p = two_partners
    lead = _owned_lead(p, company={"name": "Prefilled Paper Oy", "domain": "prefilled.example", "country": "FI",
                                   "city": "Espoo"}, contact={"name": "Aino", "email": "aino@prefilled.example"},
                       families=["software"])
    login(p.b_user)
    assert client.get(f"/leads/{lead.id}/convert").status_code == 404
    login(p.a_user)
    html = client.get(f"/leads/{lead.id}").data.decode()
    assert f"/leads/{lead.id}/convert" in html
    html = client.get(f"/leads/{lead.id}/convert").data.decode()
    assert 'value="Prefilled Paper Oy"' in html and 'value="prefilled.example"' in html
    assert 'value="aino@prefilled.example"' in html and 'value="EUR"' in html
    form = {"customer_name": "Prefilled Paper Oy", "customer_country": "FI", "customer_domain": "prefilled.example",
            "families": ["software"], "amount": "", "currency": "EUR", "expected_close": CLOSE}
    response = client.post(f"/leads/{lead.id}/convert", data=form)
    assert response.status_code == 400 and 'value="Prefilled Paper Oy"' in response.data.decode()
    response = client.post(f"/leads/{lead.id}/convert", data=dict(form, amount="48000"))
    assert response.status_code == 302 and "/opportunities/" in response.headers["Location"]
    reg = db.session.query(Registration).one()
    assert (reg.lead_id, reg.source, reg.customer_name) == (lead.id, "lead", "Prefilled Paper Oy")
    response = client.get(f"/leads/{lead.id}/convert")  # converted: goes to the registration
    assert response.status_code == 302 and f"/opportunities/{reg.id}" in response.headers["Location"]
