"""API: partners (staff)."""
from __future__ import annotations

from portal.extensions import db
from portal.models import AuditEntry, Partner
from tests.crosspartner import covers

VALID = {"name": "Gamma GmbH", "kind": "distributor", "tier": "gold", "country": "de", "region": "EMEA",
         "currency": "eur", "credit_limit": "50000.00", "payment_terms_days": 45}


def test_create_partner_normalises_and_audits(two_partners, api):
    r = api(two_partners.manager).post("/partners", dict(VALID, manager_id=two_partners.manager.id))
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["country"], body["currency"], body["credit_limit"], body["status"]) == ("DE", "EUR", "50000.00", "active")
    partner = db.session.get(Partner, body["id"])
    assert partner.credit_limit_minor == 5_000_000
    entry = db.session.query(AuditEntry).filter_by(action="partner.create", object_id=partner.id).one()
    assert entry.actor_id == two_partners.manager.id and entry.after["name"] == "Gamma GmbH"


def test_zero_decimal_currency_credit_limit(two_partners, api):
    r = api(two_partners.admin).post("/partners", dict(VALID, name="Tokyo KK", currency="JPY",
                                                       credit_limit="1500000", country="JP"))
    assert r.status_code == 201 and r.json["credit_limit"] == "1500000"
    r = api(two_partners.admin).post("/partners", dict(VALID, name="Tokyo 2", currency="JPY", credit_limit="10.5"))
    assert r.status_code == 422 and "credit_limit" in r.json["error"]["fields"]


def test_partner_validation_errors_name_each_field(two_partners, api):
    bad = dict(VALID, kind="franchise", tier="diamond", country="XX", currency="EURO",
               credit_limit="-5", payment_terms_days=400, manager_id=two_partners.a_user.id)
    r = api(two_partners.admin).post("/partners", bad)
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) >= {"kind", "tier", "country", "currency", "payment_terms_days", "manager_id"}
    r = api(two_partners.admin).post("/partners", dict(VALID, name="alpha partners"))
    assert r.status_code == 422 and "already exists" in r.json["error"]["fields"]["name"]
    r = api(two_partners.admin).post("/partners", {"name": "Missing"})
    assert r.status_code == 400 and "region" in r.json["error"]["fields"]
    r = api(two_partners.admin).post("/partners", dict(VALID, payment_terms_days="thirty"))
    assert r.status_code == 400
    r = api(two_partners.admin).post("/partners", dict(VALID, credit_limit="lots"))
    assert r.status_code == 422
    assert db.session.query(Partner).filter_by(name="Gamma GmbH").count() == 0


def test_roles_for_partner_endpoints(two_partners, api):
    assert api(two_partners.ops).post("/partners", VALID).status_code == 403
    for user in (two_partners.a_admin, two_partners.a_user):
        assert api(user).post("/partners", VALID).status_code == 403
        assert api(user).get("/partners").status_code == 403
    assert api(two_partners.ops).get("/partners").status_code == 200


@covers("api.get_partner", "api.update_partner")
def test_partner_users_cannot_read_or_change_partners(two_partners, api):
    for user in (two_partners.a_admin, two_partners.a_user):
        client = api(user)
        assert client.get(f"/partners/{two_partners.b.id}").status_code == 403
        assert client.get(f"/partners/{two_partners.a.id}").status_code == 403
        assert client.patch(f"/partners/{two_partners.b.id}", {"tier": "platinum"}).status_code == 403
    assert two_partners.b.tier == "gold"
    assert api(two_partners.admin).get("/partners/987654").status_code == 404


def test_patch_partner_changes_only_given_fields_and_records_before_after(two_partners, api):
    r = api(two_partners.ops).patch(f"/partners/{two_partners.b.id}", {"tier": "platinum", "credit_limit": "20000"})
    assert r.status_code == 200 and r.json["tier"] == "platinum" and r.json["credit_limit"] == "20000.00"
    assert r.json["country"] == "FR"
    entry = db.session.query(AuditEntry).filter_by(action="partner.update").one()
    assert entry.before == {"credit_limit_minor": 1_000_000, "tier": "gold"}
    assert entry.after == {"credit_limit_minor": 2_000_000, "tier": "platinum"}
    r = api(two_partners.admin).patch(f"/partners/{two_partners.b.id}", {"status": "suspended"})
    assert r.json["status"] == "suspended"
    assert db.session.query(AuditEntry).filter_by(action="partner.suspend").count() == 1
    r = api(two_partners.admin).patch(f"/partners/{two_partners.b.id}", {"name": None})
    assert r.status_code == 422


def test_changing_currency_keeps_the_credit_limit_amount(two_partners, api):
    r = api(two_partners.admin).patch(f"/partners/{two_partners.a.id}", {"currency": "JPY"})
    assert r.json["credit_limit"] == "10000" and r.json["currency"] == "JPY"


def test_list_partners_paginates_and_filters(two_partners, api):
    admin = api(two_partners.admin)
    body = admin.get("/partners?per_page=1").json
    assert body["total"] == 2 and body["per_page"] == 1 and len(body["items"]) == 1 and body["page"] == 1
    assert admin.get("/partners?per_page=1&page=2").json["items"][0]["name"] == "Bravo Partners"
    assert admin.get("/partners?per_page=500").json["per_page"] == 200
    assert admin.get("/partners?page=0").status_code == 400
    assert admin.get("/partners?page=abc").status_code == 400
    assert [p["name"] for p in admin.get("/partners?tier=gold").json["items"]] == ["Bravo Partners"]
    assert admin.get(f"/partners?manager_id={two_partners.manager.id}").json["total"] == 1
