"""Registration API (CONTRACT.md "Deal registrations"): conflicts, privacy, bad input, listing."""
from __future__ import annotations

from datetime import date, timedelta

from opportunities.registrations.models import Conflict, Registration, RegistrationEvent
from portal.extensions import db
from tests.crosspartner import covers
from tests.opportunities.registrations.helpers import payload, register


def test_register_without_conflict_waits_for_approval(two_partners, api):
    r = api(two_partners.a_user).post("/opportunities", payload(
        contact={"name": "Pat", "email": "pat@quavendra.de"}, customer_domain="https://www.quavendra.de/en",
        customer_city="Bremen", customer_vat_id="DE 129 274 202", notes="Phase 1"))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "submitted" and body["conflict"] is False and body["conflicts"] == []
    assert body["amount"] == "25000.00" and body["currency"] == "EUR" and body["families"] == ["hardware"]
    assert body["customer"] == {"name": "Quavendra Robotics GmbH", "domain": "quavendra.de",  # the host of the URL
                                "country": "DE", "city": "Bremen", "vat_id": "DE 129 274 202"}
    assert body["contact"] == {"name": "Pat", "email": "pat@quavendra.de"}
    assert body["source"] == "api" and body["protected_until"] is None
    reg = db.session.get(Registration, body["id"])
    assert reg.partner_id == two_partners.a.id and reg.created_by_id == two_partners.a_user.id
    assert db.session.query(RegistrationEvent).filter_by(registration_id=reg.id, event="submitted").count() == 1


def test_same_customer_under_another_name_conflicts_without_leaking(two_partners, api):
    first = register(two_partners.a, two_partners.a_admin, "Siemens Aktiengesellschaft", domain="siemens.com")
    r = api(two_partners.b_user).post("/opportunities", payload("SIEMENS AG (Germany)"))
    assert r.status_code == 201
    body = r.json
    assert body["status"] == "in_review" and body["conflict"] is True
    assert body["conflicts"] == [{"reasons": ["name"], "score": 1.0}]
    text = r.get_data(as_text=True)
    assert two_partners.a.name not in text and f'"opportunity_id": {first.id}' not in text
    # the partner's own reading of it leaks nothing either
    again = api(two_partners.b_user).get(f"/opportunities/{body['id']}").json
    assert again["conflicts"] == [{"reasons": ["name"], "score": 1.0}]
    listed = api(two_partners.b_user).get("/opportunities").get_data(as_text=True)
    assert two_partners.a.name not in listed and str(first.id) not in [str(i["id"]) for i in api(
        two_partners.b_user).get("/opportunities").json["items"]]


def test_staff_see_both_sides_of_a_conflict(two_partners, api):
    first = register(two_partners.a, two_partners.a_admin, "Siemens AG", domain="siemens.com")
    second = api(two_partners.b_user).post("/opportunities", payload(
        "Acme Reseller Account", "FR", customer_domain="jane@siemens.com")).json
    assert second["conflicts"] == [{"reasons": ["domain"], "score": 0.98}]
    staff = api(two_partners.manager).get(f"/opportunities/{second['id']}").json
    assert staff["conflicts"] == [{"reasons": ["domain"], "score": 0.98, "opportunity_id": first.id,
                                   "partner_id": two_partners.a.id, "house_account_id": None}]
    # and from the first registration's side
    back = api(two_partners.manager).get(f"/opportunities/{first.id}").json
    assert back["conflicts"][0]["opportunity_id"] == second["id"]
    assert back["conflicts"][0]["partner_id"] == two_partners.b.id
    # but its partner does not see the later one
    assert api(two_partners.a_admin).get(f"/opportunities/{first.id}").json["conflicts"] == []


def test_own_duplicate_is_shown_as_own(two_partners, api):
    mine = register(two_partners.a, two_partners.a_user, "Kalomitor Drasil Technologies Inc", "US")
    body = api(two_partners.a_user).post("/opportunities", payload("Kalomitor Drasil Technologies", "US")).json
    assert body["status"] == "submitted" and body["conflict"] is True
    assert body["conflicts"] == [{"reasons": ["name"], "score": 1.0, "own_opportunity_id": mine.id}]


def test_vat_id_and_house_account_conflicts(two_partners, api):
    register(two_partners.a, two_partners.a_user, "Pelzora Capital Partners", "GB", vat="GB123456789")
    r = api(two_partners.b_user).post("/opportunities", payload("Pelzora UK Trading", "GB",
                                                                customer_vat_id="gb 123.456.789")).json
    assert r["status"] == "in_review" and r["conflicts"][0]["reasons"] == ["vat"]
    assert api(two_partners.ops).post("/house-accounts", {"name": "Globex Corporation", "country": "US",
                                                          "domain": "globex.com"}).status_code == 201
    r = api(two_partners.b_user).post("/opportunities", payload("Globex Corp", "US", families=["services"])).json
    assert r["status"] == "in_review"
    assert r["conflicts"] == [{"reasons": ["name", "house_account"], "score": 1.0}]


def test_no_conflict_without_overlapping_families_or_for_look_alikes(two_partners, api):
    register(two_partners.a, two_partners.a_user, "Delta Air Lines, Inc.", "US", families=("software",))
    r = api(two_partners.b_user).post("/opportunities", payload("Delta Air Lines", "US", families=["hardware"])).json
    assert r["status"] == "submitted" and r["conflicts"] == []
    r = api(two_partners.b_user).post("/opportunities", payload("Delta Dental", "US", families=["software"])).json
    assert r["status"] == "submitted" and r["conflicts"] == []
    r = api(two_partners.b_user).post("/opportunities", payload("Delta Air Lines", "FR", families=["software"])).json
    assert r["conflicts"] == []  # a name counts only in the same country


def test_free_email_domains_never_make_a_conflict(two_partners, api):
    register(two_partners.a, two_partners.a_user, "Kalomira Tools", "US", domain="kalo@gmail.com")
    r = api(two_partners.b_user).post("/opportunities", payload("Zopelvenra Foods", "US",
                                                                customer_domain="buyer@gmail.com")).json
    assert r["conflicts"] == []


def test_inactive_registrations_do_not_conflict(two_partners, api):
    from opportunities.registrations.services.decisions import reject_registration

    old = register(two_partners.a, two_partners.a_user, "Brivenka Solar AG")
    reject_registration(two_partners.manager, old, "Duplicate")
    r = api(two_partners.b_user).post("/opportunities", payload("Brivenka Solar")).json
    assert r["conflicts"] == []


def test_skus_give_the_families(two_partners, api):
    from tests.catalog.builders import build

    build()
    r = api(two_partners.a_user).post("/opportunities", payload(families=None, skus=["LIC"]))
    assert r.status_code == 201 and r.json["families"] == ["software"]
    r = api(two_partners.a_user).post("/opportunities", payload(families=None, skus=["NOPE"]))
    assert r.status_code == 422 and "NOPE" in r.json["error"]["fields"]["skus"]


def test_bad_input_is_a_clear_4xx_and_writes_nothing(two_partners, api):
    client = api(two_partners.a_user)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    cases = [
        (payload(customer_country="XX"), 422, "customer.country"),
        (payload(customer_domain="not a domain"), 422, "customer.domain"),
        (payload(amount="-5"), 422, "amount"),
        (payload(amount="12.345"), 422, "amount"),
        (payload(amount="abc"), 422, "amount"),
        (payload(currency="EURO"), 422, "currency"),
        (payload(expected_close=yesterday), 422, "expected_close"),
        (payload(expected_close="31/12/2030"), 422, "expected_close"),
        (payload(families=[]), 422, "families"),
        (payload(families=["Hard Ware!"]), 422, "families"),
        (payload(name="   "), 422, "customer.name"),
        (payload(name="!!!"), 422, "customer.name"),
        (payload(customer_vat_id="n/a"), 422, "customer.vat_id"),
        (payload(contact={"email": "nope"}), 422, "contact.email"),
        (payload(amount=True), 400, "amount"),
        (payload(families="hardware"), 400, "families"),
        ({"customer": {"name": "X"}}, 400, "customer.country"),
    ]
    for body, status, field in cases:
        r = client.post("/opportunities", body)
        assert r.status_code == status, (body, r.json)
        assert field in r.json["error"]["fields"], (field, r.json)
    r = client.post("/opportunities", data="not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert db.session.query(Registration).count() == 0
    assert db.session.query(RegistrationEvent).count() == 0


def test_staff_cannot_register_and_anonymous_is_401(two_partners, api, client):
    assert api(two_partners.manager).post("/opportunities", payload()).status_code == 403
    assert client.post("/api/v1/opportunities", json=payload()).status_code == 401


def test_availability_check_says_yes_or_no_only(two_partners, api):
    own = register(two_partners.a, two_partners.a_user, "Renesas Electronics Corporation", "JP")
    b = api(two_partners.b_user)
    r = b.post("/opportunities/check", {"customer": {"name": "Rennesas Electronics", "country": "JP"},
                                        "families": ["hardware"]})
    assert r.status_code == 200 and r.json == {"available": False}
    assert b.post("/opportunities/check", {"customer": {"name": "Renesas", "country": "JP"},
                                           "families": ["software"]}).json == {"available": True}
    assert b.post("/opportunities/check", {"customer": {"name": "Nidec", "country": "JP"}}).json == {"available": True}
    # its own active registration makes a customer unavailable to a partner too (issue 14), with its id
    assert api(two_partners.a_user).post("/opportunities/check", {
        "customer": {"name": "Renesas Electronics", "country": "JP"}, "families": ["hardware"]}).json == {
        "available": False, "own_registration": True, "own_opportunity_id": own.id}
    assert b.post("/opportunities/check", {"customer": {"name": "Renesas", "country": "Japan"}}).status_code == 422
    assert b.post("/opportunities/check", {"families": []}).status_code == 400
    assert db.session.query(Registration).count() == 1


def test_list_filters_and_visibility(two_partners, api):
    own = register(two_partners.a, two_partners.a_user, "Alpha One GmbH")
    colleague = register(two_partners.a, two_partners.a_admin, "Alpha Two GmbH")
    register(two_partners.b, two_partners.b_user, "Bravo One SA", "FR")
    rep = api(two_partners.a_user).get("/opportunities").json
    assert [i["id"] for i in rep["items"]] == [own.id] and rep["total"] == 1
    admin = api(two_partners.a_admin).get("/opportunities").json
    assert {i["id"] for i in admin["items"]} == {own.id, colleague.id}
    assert api(two_partners.a_admin).get("/opportunities?status=approved").json["total"] == 0
    assert api(two_partners.a_admin).get("/opportunities?status=submitted&per_page=1").json["per_page"] == 1
    assert api(two_partners.a_admin).get("/opportunities?status=bogus").status_code == 422
    assert api(two_partners.manager).get("/opportunities").json["total"] == 3
    assert api(two_partners.manager).get(f"/opportunities?partner_id={two_partners.b.id}").json["total"] == 1


@covers("opportunities_api.get_registration", "opportunities_api.outcome", "opportunities_api.extend")
def test_another_partners_registration_is_a_404(two_partners, api):
    theirs = register(two_partners.b, two_partners.b_admin, "Bravo Customer SA", "FR")
    colleague = register(two_partners.a, two_partners.a_admin, "Alpha Customer GmbH")
    client = api(two_partners.a_admin)
    assert client.get(f"/opportunities/{theirs.id}").status_code == 404
    assert client.post(f"/opportunities/{theirs.id}/outcome", {"result": "lost", "reason": "x"}).status_code == 404
    assert client.post(f"/opportunities/{theirs.id}/extend").status_code == 404
    assert client.get("/opportunities/999999").status_code == 404
    # a sales rep does not see its colleague's registration either
    rep = api(two_partners.a_user)
    assert rep.get(f"/opportunities/{colleague.id}").status_code == 404
    assert rep.post(f"/opportunities/{colleague.id}/outcome", {"result": "lost", "reason": "x"}).status_code == 404
    assert db.session.get(Registration, theirs.id).status == "submitted"


@covers("opportunities_api.approve", "opportunities_api.reject")
def test_partner_users_cannot_decide(two_partners, api):
    reg = register(two_partners.a, two_partners.a_admin, "Alpha Customer GmbH")
    for user in (two_partners.a_admin, two_partners.b_admin):
        assert api(user).post(f"/opportunities/{reg.id}/approve", {}).status_code == 403
        assert api(user).post(f"/opportunities/{reg.id}/reject", {"reason": "no"}).status_code == 403
    assert api(two_partners.ops).post(f"/opportunities/{reg.id}/approve", {}).status_code == 403
    assert db.session.get(Registration, reg.id).status == "submitted"


def test_house_accounts_api_is_staff_only(two_partners, api):
    body = {"name": "Initech GmbH", "country": "DE", "vat_id": "DE811907980", "domain": "initech.de"}
    assert api(two_partners.a_admin).post("/house-accounts", body).status_code == 403
    r = api(two_partners.manager).post("/house-accounts", body)
    assert r.status_code == 201 and r.json["name"] == "Initech GmbH" and r.json["active"] is True
    assert api(two_partners.manager).post("/house-accounts", {"name": "X", "country": "ZZ"}).status_code == 422
    assert api(two_partners.manager).post("/house-accounts", {"country": "DE"}).status_code == 400
    assert api(two_partners.manager).get("/house-accounts").json["total"] == 1


def test_conflicts_are_stored_with_reasons_and_score(two_partners):
    first = register(two_partners.a, two_partners.a_user, "Alpha and Omega Semiconductor Ltd", "US")
    second = register(two_partners.b, two_partners.b_user, "Alpha & Omega Semiconductor", "US")
    conflict = db.session.query(Conflict).filter_by(registration_id=second.id).one()
    assert conflict.other_id == first.id and conflict.own is False
    assert conflict.reasons == ["name"] and conflict.score == 1.0


def test_openapi_documents_the_registration_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/opportunities", "/opportunities/check", "/opportunities/{registration_id}",
                 "/opportunities/{registration_id}/approve", "/opportunities/{registration_id}/outcome",
                 "/house-accounts"):
        assert path in spec["paths"], path
