"""Campaign attribution of deal registrations: the rule (targeted, draft, upcoming, ended, grace period,
enrolment), the API and the partner and staff pages."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from opportunities.campaigns.models import Campaign, CampaignEnrolment
from opportunities.campaigns.services import campaigns
from opportunities.registrations.models import Registration
from opportunities.registrations.services import attribution
from portal.extensions import db
from portal.models import AuditEntry
from tests.opportunities.campaigns.builders import TODAY, make_campaign
from tests.opportunities.registrations.helpers import CLOSE, payload


def ended_campaign(actor: Any, days_ago: int, **overrides: Any) -> Campaign:
    """A published campaign that ended `days_ago` days ago (published while it ran)."""
    campaign = make_campaign(actor, status="draft", starts_on=TODAY - timedelta(days=days_ago + 20),
                             ends_on=TODAY - timedelta(days=days_ago), **overrides)
    return campaigns.publish_campaign(actor, campaign, on=campaign.starts_on)


@pytest.fixture
def silver_only(two_partners) -> Campaign:
    """Running, for silver partners: targets A (silver), not B (gold)."""
    return make_campaign(two_partners.admin, name="Silver Sprint", tiers=["silver"])


def _registrations() -> int:
    return db.session.query(Registration).count()


def test_a_targeted_running_campaign_is_attributed_and_enrols_the_partner(api, two_partners, silver_only):
    t = two_partners
    r = api(t.a_user).post("/opportunities", payload(campaign_id=silver_only.id))
    assert r.status_code == 201, r.json
    assert (r.json["campaign_id"], r.json["campaign_name"]) == (silver_only.id, "Silver Sprint")
    reg = db.session.get(Registration, r.json["id"])
    assert reg.campaign_id == silver_only.id
    enrolment = campaigns.enrolment_of(t.a, silver_only.id)
    assert enrolment is not None and enrolment.enrolled_by_id == t.a_user.id
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "campaigns",
                                                                    AuditEntry.object_id == silver_only.id)))
    assert {"campaign.attribute", "campaign.enrol"} <= actions
    # both the partner and staff read it back
    assert api(t.a_user).get(f"/opportunities/{reg.id}").json["campaign_name"] == "Silver Sprint"
    staff = api(t.manager).get(f"/opportunities/{reg.id}").json
    assert (staff["campaign_id"], staff["campaign_name"]) == (silver_only.id, "Silver Sprint")
    listed = api(t.manager).get("/opportunities").json["items"]
    assert [i["campaign_id"] for i in listed] == [silver_only.id]


def test_attributing_again_keeps_the_one_enrolment(api, two_partners, silver_only):
    campaigns.enrol(two_partners.a, two_partners.a_admin, silver_only)
    for name in ("Quavendra Robotics GmbH", "Zentrix Hydraulik AG"):
        assert api(two_partners.a_user).post("/opportunities", payload(name, campaign_id=silver_only.id)).status_code == 201
    assert db.session.query(CampaignEnrolment).filter_by(campaign_id=silver_only.id).count() == 1


def test_a_campaign_not_targeting_the_partner_reads_like_an_unknown_one(api, two_partners, silver_only):
    before = _registrations()
    other = api(two_partners.b_user).post("/opportunities", payload(campaign_id=silver_only.id))
    unknown = api(two_partners.b_user).post("/opportunities", payload(campaign_id=silver_only.id + 1000))
    for r in (other, unknown):
        assert r.status_code == 422
        assert r.json["error"]["code"] == "registration_invalid"
        assert r.json["error"]["fields"] == {"campaign_id": attribution.NOT_YOURS}
    assert other.json == unknown.json
    assert "Silver Sprint" not in other.get_data(as_text=True)
    assert _registrations() == before and campaigns.enrolment_of(two_partners.b, silver_only.id) is None


def test_draft_upcoming_and_unenrolled_ended_campaigns_are_refused_alike(api, two_partners):
    t = two_partners
    draft = make_campaign(t.admin, name="Draft", status="draft")
    upcoming = make_campaign(t.admin, name="Later", starts_on=TODAY + timedelta(days=3),
                             ends_on=TODAY + timedelta(days=20))
    ended = ended_campaign(t.admin, 5, name="Just ended")
    for campaign in (draft, upcoming, ended):
        r = api(t.a_user).post("/opportunities", payload(campaign_id=campaign.id))
        assert r.status_code == 422 and r.json["error"]["fields"] == {"campaign_id": attribution.NOT_YOURS}
    assert _registrations() == 0


def test_an_ended_campaign_the_partner_took_part_in_counts_within_the_grace_period(api, two_partners, app):
    t = two_partners
    recent = ended_campaign(t.admin, 10, name="Recent")
    old = ended_campaign(t.admin, attribution.grace_days() + 1, name="Long gone")
    for campaign in (recent, old):
        campaigns.enrol(t.a, t.a_admin, campaign, on=campaign.starts_on)
    assert [c.name for c in attribution.attributable_campaigns(t.a)] == ["Recent"]
    ok = api(t.a_user).post("/opportunities", payload(campaign_id=recent.id))
    assert ok.status_code == 201 and ok.json["campaign_id"] == recent.id
    late = api(t.a_user).post("/opportunities", payload("Zentrix Hydraulik AG", campaign_id=old.id))
    assert late.status_code == 422
    assert late.json["error"]["fields"]["campaign_id"].startswith("Long gone ended on")  # it is the partner's own
    default = app.config["CAMPAIGN_ATTRIBUTION_GRACE_DAYS"]
    app.config["CAMPAIGN_ATTRIBUTION_GRACE_DAYS"] = 5
    try:
        assert api(t.a_user).post("/opportunities", payload("Vandermolen BV", campaign_id=recent.id)).status_code == 422
    finally:
        app.config["CAMPAIGN_ATTRIBUTION_GRACE_DAYS"] = default


def test_campaign_errors_come_with_the_other_field_errors_and_bad_types_are_400(api, two_partners):
    r = api(two_partners.a_user).post("/opportunities", payload(amount="-1", campaign_id=999999))
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"amount", "campaign_id"}
    assert api(two_partners.a_user).post("/opportunities", payload(campaign_id="spring")).status_code == 400
    plain = api(two_partners.a_user).post("/opportunities", payload(campaign_id=None))
    assert plain.status_code == 201 and plain.json["campaign_id"] is None and plain.json["campaign_name"] is None


# --- pages ------------------------------------------------------------------------------------------------------

def _form(**overrides: Any) -> dict[str, Any]:
    data = {"customer_name": "Quavendra Robotics GmbH", "customer_country": "DE", "families": ["hardware"],
            "amount": "25000.00", "currency": "EUR", "expected_close": CLOSE}
    data.update(overrides)
    return data


def test_the_registration_form_offers_only_qualifying_campaigns(client, login, two_partners, silver_only):
    t = two_partners
    make_campaign(t.admin, name="Gold Rush", tiers=["gold"])
    make_campaign(t.admin, name="Draft Idea", status="draft")
    login(t.a_user)
    page = client.get("/opportunities/new").get_data(as_text=True)
    assert 'name="campaign_id"' in page and "Silver Sprint" in page
    assert "Gold Rush" not in page and "Draft Idea" not in page
    preset = client.get(f"/opportunities/new?campaign_id={silver_only.id}").get_data(as_text=True)
    assert f'<option selected value="{silver_only.id}">' in preset


def test_the_form_shows_the_campaign_error_next_to_the_field_and_keeps_the_input(client, login, two_partners,
                                                                                   silver_only):
    gold = make_campaign(two_partners.admin, name="Gold Rush", tiers=["gold"])
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data=_form(campaign_id=str(gold.id)))
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and attribution.NOT_YOURS in text and "Gold Rush" not in text
    assert 'id="campaign_id"' in text and "is-invalid" in text.split('id="campaign_id"')[0][-200:]
    assert 'value="Quavendra Robotics GmbH"' in text and _registrations() == 0
    r = client.post("/opportunities/new", data=_form(campaign_id=str(silver_only.id)), follow_redirects=True)
    assert r.status_code == 200 and "Silver Sprint" in r.get_data(as_text=True)
    assert db.session.scalars(select(Registration.campaign_id)).one() == silver_only.id


def test_the_partner_and_staff_detail_pages_show_the_campaign(client, login, api, two_partners, silver_only):
    reg_id = api(two_partners.a_user).post("/opportunities", payload(campaign_id=silver_only.id)).json["id"]
    login(two_partners.a_user)
    page = client.get(f"/opportunities/{reg_id}").get_data(as_text=True)
    assert f'href="/campaigns/{silver_only.id}">Silver Sprint</a>' in page
    login(two_partners.manager)
    page = client.get(f"/admin/registrations/{reg_id}").get_data(as_text=True)
    assert f'href="/admin/campaigns/{silver_only.id}">Silver Sprint</a>' in page
