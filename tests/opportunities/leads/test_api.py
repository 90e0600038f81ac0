"""Leads API (CONTRACT.md "Leads"): create, list, claim, activities, release, staff actions."""
from __future__ import annotations

from opportunities.leads.models import Lead, LeadActivity, LeadEvent
from portal.extensions import db
from tests.crosspartner import covers
from tests.factories import make_partner, make_user
from tests.opportunities.leads.helpers import lead_data, make_lead


def test_staff_create_a_pool_lead_and_an_assigned_one(two_partners, api):
    manager = api(two_partners.manager)
    r = manager.post("/leads", lead_data(company={"name": "Acme GmbH", "domain": "https://www.acme.example/x",
                                                  "country": "de", "city": "Köln"},
                                         contact={"name": "Jo", "email": "jo@acme.example", "phone": "+49 1"},
                                         families=["Hardware", "software"], notes="Wants 40 servers"))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "pool" and body["owner_partner_id"] is None and body["clock"] is None
    assert body["company"] == {"name": "Acme GmbH", "domain": "acme.example", "country": "DE", "city": "Köln"}
    assert body["families"] == ["hardware", "software"] and body["eligible_tiers"] == []
    r = manager.post("/leads", lead_data(partner_id=two_partners.a.id))
    assert r.status_code == 201, r.json
    assert r.json["status"] == "assigned" and r.json["owner_partner_id"] == two_partners.a.id
    assert r.json["clock"]["kind"] == "answer" and r.json["assignment_deadline"]
    assert api(two_partners.admin).post("/leads", lead_data()).status_code == 201


def test_create_lead_bad_input(two_partners, api):
    manager = api(two_partners.manager)
    assert manager.post("/leads", {"company": {"name": "X"}}).status_code == 400  # missing fields
    assert manager.post("/leads", lead_data(families="hardware")).status_code == 400  # wrong type
    r = manager.post("/leads", lead_data(company={"name": "", "country": "XX", "domain": "gmail.com"},
                                         families=["bad family!"], region=" ",
                                         contact={"email": "not-an-email"}, tiers=["diamond"]))
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) >= {"company.name", "company.country", "company.domain", "families", "region",
                           "contact.email", "tiers"}
    assert "free e-mail" in fields["company.domain"]
    r = manager.post("/leads", lead_data(partner_id=999999))
    assert r.status_code == 422 and "partner_id" in r.json["error"]["fields"]
    suspended = make_partner(status="suspended")
    r = manager.post("/leads", lead_data(partner_id=suspended.id))
    assert r.status_code == 422 and "suspended" in r.json["error"]["fields"]["partner_id"]
    r = manager.post("/leads", lead_data(partner_id=two_partners.a.id, assignment_deadline="2001-01-01"))
    assert r.status_code == 422 and "assignment_deadline" in r.json["error"]["fields"]
    assert db.session.query(Lead).count() == 0


def test_a_duplicate_open_lead_is_refused(two_partners, api):
    manager = api(two_partners.manager)
    first = manager.post("/leads", lead_data(company={"name": "Globex Corporation", "country": "US"},
                                             families=["hardware", "software"]))
    assert first.status_code == 201
    r = manager.post("/leads", lead_data(company={"name": "GLOBEX Corp.", "country": "US"}, families=["software"]))
    assert r.status_code == 422 and r.json["error"]["code"] == "duplicate_lead"
    assert f"#{first.json['id']}" in r.json["error"]["message"]
    # another product family is another lead; so is the same name in another country
    assert manager.post("/leads", lead_data(company={"name": "Globex Corp.", "country": "US"},
                                            families=["services"])).status_code == 201
    assert manager.post("/leads", lead_data(company={"name": "Globex Corp.", "country": "CA"},
                                            families=["software"])).status_code == 201


def test_only_distributing_staff_create_and_partners_are_refused(two_partners, api):
    for user in (two_partners.a_admin, two_partners.a_user, two_partners.ops):
        assert api(user).post("/leads", lead_data()).status_code == 403


def test_partner_lists_its_pool_and_its_leads(two_partners, api):
    staff = two_partners.manager
    emea = make_lead(staff, company={"name": "Emea One", "country": "DE"})
    make_lead(staff, region="APAC", company={"name": "Tokyo One", "country": "JP"})
    gold_only = make_lead(staff, tiers=["gold", "platinum"], company={"name": "Gold One", "country": "FR"})
    a = api(two_partners.a_user)  # silver, EMEA
    pool = a.get("/leads?scope=pool").json
    assert {i["id"] for i in pool["items"]} == {emea.id} and pool["total"] == 1
    assert set(pool) == {"items", "page", "per_page", "total"}
    b = api(two_partners.b_user)  # gold, EMEA
    assert {i["id"] for i in b.get("/leads?scope=pool").json["items"]} == {emea.id, gold_only.id}
    assert a.get("/leads").json["items"] == []  # scope=mine by default
    assert a.post(f"/leads/{emea.id}/claim").status_code == 200
    mine = a.get("/leads?scope=mine").json["items"]
    assert [i["id"] for i in mine] == [emea.id] and mine[0]["clock"]["kind"] == "follow_up"
    assert a.get("/leads?scope=everything").status_code == 400
    assert a.get("/leads?status=bogus").status_code == 400
    staff_list = api(staff).get("/leads?status=pool").json
    assert {i["id"] for i in staff_list["items"]} >= {gold_only.id} and emea.id not in {
        i["id"] for i in staff_list["items"]}


@covers("leads_api.claim_lead")
def test_claim_one_owner_and_already_taken(two_partners, api):
    lead = make_lead(two_partners.manager)
    r = api(two_partners.a_user).post(f"/leads/{lead.id}/claim")
    assert r.status_code == 200, r.json
    assert r.json["status"] == "claimed" and r.json["owner_partner_id"] == two_partners.a.id
    assert r.json["owner_user_id"] == two_partners.a_user.id
    assert r.json["clock"]["state"] == "ok" and r.json["clock"]["remaining_seconds"] > 6 * 86400
    again = api(two_partners.a_user).post(f"/leads/{lead.id}/claim")  # a retry: same answer
    assert again.status_code == 200 and again.json["owner_user_id"] == two_partners.a_user.id
    r = api(two_partners.b_user).post(f"/leads/{lead.id}/claim")
    assert r.status_code == 409 and r.json["error"]["code"] == "already_taken"
    assert "already been taken" in r.json["error"]["message"]
    r = api(two_partners.a_admin).post(f"/leads/{lead.id}/claim")  # a colleague: taken as well
    assert r.status_code == 409
    assert api(two_partners.b_user).post("/leads/999999/claim").status_code == 404
    assert db.session.get(Lead, lead.id).owner_partner_id == two_partners.a.id


def test_claiming_outside_ones_region_or_tier_is_404(two_partners, api):
    apac = make_lead(two_partners.manager, region="APAC")
    gold = make_lead(two_partners.manager, tiers=["gold"])
    a = api(two_partners.a_user)  # silver EMEA
    for lead in (apac, gold):
        r = a.post(f"/leads/{lead.id}/claim")
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
        assert a.get(f"/leads/{lead.id}").status_code == 404
    assert api(two_partners.b_user).post(f"/leads/{gold.id}/claim").status_code == 200  # gold EMEA


def test_staff_cannot_claim(two_partners, api):
    lead = make_lead(two_partners.manager)
    assert api(two_partners.manager).post(f"/leads/{lead.id}/claim").status_code == 403


@covers("leads_api.add_activity", "leads_api.get_lead")
def test_activities_restart_the_clock_and_need_ownership(two_partners, api):
    lead = make_lead(two_partners.manager)
    a = api(two_partners.a_user)
    a.post(f"/leads/{lead.id}/claim")
    due = db.session.get(Lead, lead.id).due_at
    r = a.post(f"/leads/{lead.id}/activities", {"note": "Called the CIO", "kind": "call"})
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "call" and r.json["note"] == "Called the CIO"
    assert db.session.get(Lead, lead.id).due_at >= due
    assert a.post(f"/leads/{lead.id}/activities", {"note": "x", "kind": "fax"}).status_code == 422
    assert a.post(f"/leads/{lead.id}/activities", {"note": "   "}).status_code == 422
    assert a.post(f"/leads/{lead.id}/activities", {"kind": "call"}).status_code == 400
    detail = a.get(f"/leads/{lead.id}").json
    assert [x["note"] for x in detail["activities"]] == ["Called the CIO"] and detail["history"] is None
    # another partner: 404, whatever it sends
    b = api(two_partners.b_user)
    assert b.post(f"/leads/{lead.id}/activities", {"note": "mine now"}).status_code == 404
    assert b.get(f"/leads/{lead.id}").status_code == 404
    # a colleague who does not own it: 404; the partner admin sees and works it
    colleague = make_user(two_partners.a, "partner_user")
    assert api(colleague).post(f"/leads/{lead.id}/activities", {"note": "hi"}).status_code == 404
    assert api(colleague).get(f"/leads/{lead.id}").status_code == 404
    assert api(two_partners.a_admin).post(f"/leads/{lead.id}/activities",
                                          {"note": "Sent pricing", "kind": "email"}).status_code == 201
    staff = api(two_partners.manager).get(f"/leads/{lead.id}").json
    assert len(staff["activities"]) == 2 and [h["action"] for h in staff["history"]] == ["created", "claimed"]


@covers("leads_api.release_lead")
def test_release_and_activity_on_a_lead_no_longer_owned(two_partners, api):
    lead = make_lead(two_partners.manager)
    a = api(two_partners.a_user)
    a.post(f"/leads/{lead.id}/claim")
    assert api(two_partners.b_user).post(f"/leads/{lead.id}/release").status_code == 404
    r = a.post(f"/leads/{lead.id}/release", {"reason": "No budget this year"})
    assert r.status_code == 200 and r.json["status"] == "pool" and r.json["owner_partner_id"] is None
    assert a.post(f"/leads/{lead.id}/activities", {"note": "late note"}).status_code == 404
    assert a.post(f"/leads/{lead.id}/release").status_code == 404
    event = db.session.query(LeadEvent).filter_by(lead_id=lead.id, action="released").one()
    assert event.reason == "Released: No budget this year" and event.from_partner_id == two_partners.a.id
    # released without a cool-down: the partner may claim it again at once
    assert a.post(f"/leads/{lead.id}/claim").status_code == 200
    assert db.session.query(LeadActivity).count() == 0


@covers("leads_api.accept_lead", "leads_api.decline_lead")
def test_accept_and_decline_an_assignment(two_partners, api):
    manager = api(two_partners.manager)
    first = manager.post("/leads", lead_data(partner_id=two_partners.a.id)).json
    second = manager.post("/leads", lead_data(partner_id=two_partners.a.id)).json
    b = api(two_partners.b_admin)
    assert b.post(f"/leads/{first['id']}/accept").status_code == 404
    assert b.post(f"/leads/{first['id']}/decline").status_code == 404
    assert b.get(f"/leads/{first['id']}").status_code == 404
    rep = api(two_partners.a_user)  # offered leads are visible to every user of the partner
    assert {i["id"] for i in rep.get("/leads").json["items"]} == {first["id"], second["id"]}
    r = rep.post(f"/leads/{first['id']}/accept")
    assert r.status_code == 200 and r.json["status"] == "claimed" and r.json["owner_user_id"] == two_partners.a_user.id
    assert rep.post(f"/leads/{first['id']}/accept").status_code == 409
    r = api(two_partners.a_admin).post(f"/leads/{second['id']}/decline", {"reason": "Not our segment"})
    assert r.status_code == 200 and r.json["status"] == "pool"
    assert api(two_partners.a_admin).post(f"/leads/{second['id']}/accept").status_code == 404


@covers("leads_api.assign_lead", "leads_api.pool_lead", "leads_api.close_lead")
def test_staff_reassign_pool_and_close_partners_refused(two_partners, api):
    lead = make_lead(two_partners.manager)
    for user in (two_partners.a_admin, two_partners.b_user):
        client = api(user)
        assert client.post(f"/leads/{lead.id}/assign", {"partner_id": user.partner_id}).status_code == 403
        assert client.post(f"/leads/{lead.id}/pool", {}).status_code == 403
        assert client.post(f"/leads/{lead.id}/close", {"reason": "x"}).status_code == 403
    api(two_partners.a_user).post(f"/leads/{lead.id}/claim")
    manager = api(two_partners.manager)
    r = manager.post(f"/leads/{lead.id}/assign", {"partner_id": two_partners.b.id})
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]  # taking it needs a reason
    r = manager.post(f"/leads/{lead.id}/assign", {"partner_id": two_partners.b.id, "reason": "Key account of B"})
    assert r.status_code == 200 and r.json["status"] == "assigned" and r.json["owner_partner_id"] == two_partners.b.id
    assert manager.post(f"/leads/{lead.id}/assign", {"partner_id": two_partners.b.id}).status_code == 409
    r = manager.post(f"/leads/{lead.id}/pool", {"region": "APAC", "tiers": ["gold"], "reason": "Moved"})
    assert r.status_code == 200 and r.json["region"] == "APAC" and r.json["eligible_tiers"] == ["gold"]
    assert manager.post(f"/leads/{lead.id}/pool", {"tiers": ["wood"]}).status_code == 422
    assert manager.post(f"/leads/{lead.id}/close", {}).status_code == 400
    assert manager.post(f"/leads/{lead.id}/close", {"reason": " "}).status_code == 422
    assert manager.post(f"/leads/{lead.id}/close", {"reason": "Fake company"}).json["status"] == "closed"
    assert manager.post(f"/leads/{lead.id}/close", {"reason": "again"}).status_code == 409
    assert manager.post("/leads/999999/assign", {"partner_id": two_partners.b.id}).status_code == 404
    history = [(e.action, e.from_partner_id, e.to_partner_id, e.reason) for e in
               db.session.query(LeadEvent).filter_by(lead_id=lead.id).order_by(LeadEvent.id)]
    assert [h[0] for h in history] == ["created", "claimed", "reassigned", "pooled", "closed"]
    assert history[2][1:] == (two_partners.a.id, two_partners.b.id, "Key account of B")


def test_stats_are_staff_only(two_partners, api):
    assert api(two_partners.a_admin).get("/leads/stats").status_code == 403
    body = api(two_partners.ops).get("/leads/stats").json
    assert set(body) == {"by_region", "by_partner", "total"}


def test_leads_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/leads"])
    for action in ("claim", "activities", "release"):
        assert "post" in paths[f"/leads/{{lead_id}}/{action}"]


def test_claiming_ones_own_cooled_down_lead_is_422_with_when(two_partners, api):
    from datetime import timedelta

    from opportunities.leads.services import ownership
    from opportunities.leads.services.lapses import run_lapses
    from portal.db import utcnow

    p = two_partners
    lead = make_lead(p.manager)
    ownership.claim_lead(p.a, p.a_user, lead, now=utcnow() - timedelta(days=7, minutes=1))
    assert run_lapses().fell_back == 1
    a = api(p.a_admin)
    [item] = a.get("/leads?scope=pool").json["items"]
    assert item["id"] == lead.id and item["claimable_from"] is not None
    r = a.post(f"/leads/{lead.id}/claim")
    assert r.status_code == 422 and r.json["error"]["code"] == "cooldown_active"
    assert r.json["error"]["fields"]["claimable_from"] == item["claimable_from"]
    assert item["claimable_from"][:10] in r.json["error"]["message"]
    assert api(p.b_user).get("/leads?scope=pool").json["items"][0]["claimable_from"] is None
    assert api(p.b_user).post(f"/leads/{lead.id}/claim").status_code == 200


def test_a_partner_user_sees_its_own_leads_a_partner_admin_all(two_partners, api):
    p = two_partners
    colleague = make_user(p.a, "partner_user")
    mine = make_lead(p.manager)
    theirs = make_lead(p.manager)
    api(p.a_user).post(f"/leads/{mine.id}/claim")
    api(colleague).post(f"/leads/{theirs.id}/claim")
    assert [i["id"] for i in api(p.a_user).get("/leads?scope=mine").json["items"]] == [mine.id]
    assert [i["id"] for i in api(colleague).get("/leads").json["items"]] == [theirs.id]
    assert {i["id"] for i in api(p.a_admin).get("/leads").json["items"]} == {mine.id, theirs.id}
    assert api(p.a_user).get(f"/leads/{theirs.id}").status_code == 404
    assert api(p.a_admin).post(f"/leads/{theirs.id}/release").status_code == 200
