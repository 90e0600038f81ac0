"""Campaigns API (CONTRACT.md "Campaigns"): create, list by targeting, enrol, the extras."""
from __future__ import annotations

from datetime import timedelta

from opportunities.campaigns.models import Campaign, CampaignEnrolment
from portal.extensions import db
from portal.models import AuditEntry
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import TODAY, make_campaign

BODY = {"name": "Spring push", "description": "Sell *more*.", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=30)).isoformat(), "tiers": ["silver"], "regions": ["emea"],
        "kinds": ["reseller"], "mdf_budget": "5000.00", "currency": "EUR"}


def test_staff_create_a_campaign_that_targeted_partners_see(two_partners, api):
    r = api(two_partners.manager).post("/campaigns", BODY)
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "published" and body["active"] is True
    assert body["tiers"] == ["silver"] and body["regions"] == ["EMEA"] and body["kinds"] == ["reseller"]
    assert body["mdf_budget"] == "5000.00" and body["mdf_remaining"] == "5000.00" and body["currency"] == "EUR"
    assert body["description_html"] == "<p>Sell <em>more</em>.</p>"
    assert body["targeting"] == "Silver resellers in EMEA"
    listed = api(two_partners.a_user).get("/campaigns").json  # silver reseller in EMEA
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert listed["items"][0]["enrolled"] is False
    assert set(listed) == {"items", "page", "per_page", "total"}
    assert api(two_partners.b_user).get("/campaigns").json["total"] == 0  # gold: not targeted
    assert db.session.query(AuditEntry).filter_by(action="campaign.create").count() == 1


def test_create_defaults_and_drafts(two_partners, api):
    r = api(two_partners.admin).post("/campaigns", {"name": "Everyone", "description": "",
                                                    "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()})
    assert r.status_code == 201
    assert r.json["mdf_budget"] == "0.00" and r.json["currency"] == "EUR" and r.json["tiers"] == []
    draft = api(two_partners.ops).post("/campaigns", dict(BODY, status="draft", tiers=[], regions=[], kinds=[]))
    assert draft.status_code == 201 and draft.json["status"] == "draft"
    ids = [c["id"] for c in api(two_partners.b_user).get("/campaigns").json["items"]]
    assert ids == [r.json["id"]]  # the draft is invisible
    assert api(two_partners.b_user).get(f"/campaigns/{draft.json['id']}").status_code == 404
    published = api(two_partners.ops).post(f"/campaigns/{draft.json['id']}/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    assert api(two_partners.ops).post(f"/campaigns/{draft.json['id']}/publish").status_code == 409
    assert api(two_partners.b_user).get(f"/campaigns/{draft.json['id']}").status_code == 200


def test_create_validation(two_partners, api):
    staff = api(two_partners.admin)
    r = staff.post("/campaigns", dict(BODY, ends_on=(TODAY - timedelta(days=1)).isoformat()))
    assert r.status_code == 422 and "before it starts" in r.json["error"]["fields"]["ends_on"]
    r = staff.post("/campaigns", dict(BODY, starts_on="2026-13-01", tiers=["diamond"], kinds=["shop"],
                                      mdf_budget="-5", currency="XXY", price_rule_percent="150"))
    fields = r.json["error"]["fields"]
    assert r.status_code == 422
    assert {"starts_on", "tiers", "kinds", "currency", "price_rule_percent"} <= set(fields)
    r = staff.post("/campaigns", dict(BODY, mdf_budget="12.345"))
    assert r.status_code == 422 and "2 decimal places" in r.json["error"]["fields"]["mdf_budget"]
    r = staff.post("/campaigns", dict(BODY, mdf_budget="99999999999"))
    assert r.status_code == 422 and "mdf_budget" in r.json["error"]["fields"]
    r = staff.post("/campaigns", dict(BODY, products=["NOPE"], price_rule_percent="10"))
    assert r.status_code == 422 and "Unknown SKU NOPE" in r.json["error"]["fields"]["products"]
    r = staff.post("/campaigns", dict(BODY, price_rule_percent="10"))
    assert r.status_code == 422 and "promoted products" in r.json["error"]["fields"]["price_rule_percent"]
    assert staff.post("/campaigns", {"name": "No dates"}).status_code == 400
    assert staff.post("/campaigns", dict(BODY, tiers="gold")).status_code == 400
    assert staff.post("/campaigns", dict(BODY, status="archived")).status_code == 422
    assert db.session.query(Campaign).count() == 0


def test_partners_cannot_create_and_need_a_token(two_partners, api, client):
    assert api(two_partners.a_admin).post("/campaigns", BODY).status_code == 403
    assert client.get("/api/v1/campaigns").status_code == 401


def test_only_active_campaigns_are_listed_to_partners(two_partners, api):
    staff = two_partners.admin
    running = make_campaign(staff, name="Running")
    make_campaign(staff, name="Upcoming", starts_on=TODAY + timedelta(days=2))
    ended = make_campaign(staff, name="Ended", starts_on=TODAY - timedelta(days=9),
                          ends_on=TODAY - timedelta(days=1), status="draft")
    assert [c["name"] for c in api(two_partners.a_user).get("/campaigns").json["items"]] == ["Running"]
    assert api(two_partners.a_user).get(f"/campaigns/{ended.id}").status_code == 404
    listed = api(staff).get("/campaigns").json
    assert listed["total"] == 3 and "enrolled_partners" in listed["items"][0]
    assert [c["name"] for c in api(staff).get("/campaigns?state=upcoming").json["items"]] == ["Upcoming"]
    assert api(staff).get("/campaigns?status=draft").json["items"][0]["name"] == "Ended"
    page = api(two_partners.a_user).get("/campaigns?per_page=1&page=2").json
    assert page["total"] == 1 and page["items"] == [] and page["page"] == 2
    assert running.id


def test_enrol_once_and_idempotently(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    partner = api(two_partners.a_user)
    r = partner.post(f"/campaigns/{campaign.id}/enroll")
    assert r.status_code == 201 and r.json["status"] == "enrolled" and r.json["partner_id"] == two_partners.a.id
    again = api(two_partners.a_admin).post(f"/campaigns/{campaign.id}/enroll")
    assert again.status_code == 200 and again.json["enrolled_at"] == r.json["enrolled_at"]
    assert db.session.query(CampaignEnrolment).count() == 1
    assert partner.get("/campaigns").json["items"][0]["enrolled"] is True
    assert partner.get(f"/campaigns/{campaign.id}").json["enrolled"] is True
    assert api(two_partners.admin).post(f"/campaigns/{campaign.id}/enroll").status_code == 403


@covers("campaigns_api.get_campaign", "campaigns_api.enroll")
def test_a_partner_not_targeted_gets_404_on_the_campaign(two_partners, api):
    campaign = make_campaign(two_partners.admin, tiers=["gold"])  # B is gold, A silver
    assert api(two_partners.b_user).get(f"/campaigns/{campaign.id}").status_code == 200
    for user in (two_partners.a_user, two_partners.a_admin):
        assert api(user).get(f"/campaigns/{campaign.id}").status_code == 404
        r = api(user).post(f"/campaigns/{campaign.id}/enroll")
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert api(two_partners.a_user).get("/campaigns/999999").status_code == 404
    assert db.session.query(CampaignEnrolment).count() == 0


def test_ended_campaign_stays_visible_to_enrolled_partners_only(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    assert api(two_partners.a_user).post(f"/campaigns/{campaign.id}/enroll").status_code == 201
    campaign.starts_on, campaign.ends_on = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    db.session.flush()
    assert api(two_partners.a_user).get(f"/campaigns/{campaign.id}").status_code == 200
    assert api(two_partners.b_user).get(f"/campaigns/{campaign.id}").status_code == 404
    assert api(two_partners.a_user).get("/campaigns").json["total"] == 0


@covers("campaigns_api.update_campaign", "campaigns_api.publish_campaign", "campaigns_api.campaign_results")
def test_staff_only_campaign_endpoints_refuse_partner_users(two_partners, api):
    campaign = make_campaign(two_partners.admin, status="draft")
    partner = api(two_partners.a_admin)
    assert partner.patch(f"/campaigns/{campaign.id}", {"name": "x"}).status_code == 403
    assert partner.post(f"/campaigns/{campaign.id}/publish").status_code == 403
    assert partner.get(f"/campaigns/{campaign.id}/results").status_code == 403
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_update_a_campaign(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    staff = api(two_partners.manager)
    r = staff.patch(f"/campaigns/{campaign.id}", {"name": "Renamed", "tiers": ["gold"], "mdf_budget": "20000"})
    assert r.status_code == 200 and r.json["name"] == "Renamed" and r.json["mdf_budget"] == "20000.00"
    assert r.json["starts_on"] == campaign.starts_on.isoformat()
    r = staff.patch(f"/campaigns/{campaign.id}", {"ends_on": (TODAY - timedelta(days=5)).isoformat()})
    assert r.status_code == 422 and "before it starts" in r.json["error"]["fields"]["ends_on"]
    r = staff.patch(f"/campaigns/{campaign.id}", {"currency": "JPY"})
    assert r.status_code == 200 and r.json["mdf_budget"] == "20000" and r.json["currency"] == "JPY"
    assert staff.patch("/campaigns/999999", {"name": "x"}).status_code == 404
    entry = db.session.query(AuditEntry).filter_by(action="campaign.update").first()
    assert entry.before["name"] == "Spring push" and entry.after["name"] == "Renamed"


def test_campaign_endpoints_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/campaigns"])
    assert "post" in paths["/campaigns/{campaign_id}/enroll"]
    assert "post" in paths["/mdf-requests/{request_id}/approve"]
    create = paths["/campaigns"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CampaignCreate")


def test_regions_and_currency_come_from_the_configured_lists(two_partners, api):
    r = api(two_partners.manager).post("/campaigns", dict(BODY, regions=["EMEA", "Atlantis"], currency="XAU"))
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert "'Atlantis' is not a sales region" in fields["regions"] and "XAU" in fields["currency"]
