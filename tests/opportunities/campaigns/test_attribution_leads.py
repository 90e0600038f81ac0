"""Campaign attribution of leads: staff set it when creating (form, API, import file), the owning
partner sets or clears it (page and API; another partner's lead: 404), and conversion carries it."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services import campaigns
from opportunities.leads.models import Lead, LeadEvent, LeadImport
from opportunities.leads.services import ownership
from opportunities.registrations.models import Registration
from opportunities.registrations.services import attribution
from portal.extensions import db
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import make_campaign
from tests.opportunities.leads.helpers import lead_data, make_lead

CLOSE = (date.today() + timedelta(days=60)).isoformat()


@pytest.fixture
def silver_only(two_partners) -> Campaign:
    """Running, for silver partners: targets A (silver), not B (gold)."""
    return make_campaign(two_partners.admin, name="Silver Sprint", tiers=["silver"])


def _owned_by_a(p, **overrides) -> Lead:
    lead = make_lead(p.manager, **overrides)
    ownership.claim_lead(p.a, p.a_user, lead)
    return lead


# --- staff ------------------------------------------------------------------------------------------------------

def test_staff_create_a_lead_for_a_campaign_through_the_api(api, two_partners, silver_only):
    p = two_partners
    r = api(p.manager).post("/leads", lead_data(campaign_id=silver_only.id))
    assert r.status_code == 201 and (r.json["campaign_id"], r.json["campaign_name"]) == (silver_only.id, "Silver Sprint")
    offered = api(p.manager).post("/leads", lead_data(campaign_id=silver_only.id, partner_id=p.a.id))
    assert offered.status_code == 201 and offered.json["status"] == "assigned"
    event = db.session.query(LeadEvent).filter_by(lead_id=r.json["id"], action="created").one()
    assert "for the campaign Silver Sprint" in event.reason


def test_staff_cannot_name_a_draft_an_upcoming_or_a_mistargeted_campaign(api, two_partners, silver_only):
    p = two_partners
    draft = make_campaign(p.admin, name="Draft Idea", status="draft")
    later = make_campaign(p.admin, name="Later", starts_on=date.today() + timedelta(days=5),
                          ends_on=date.today() + timedelta(days=9))
    cases = [(draft.id, None, "Draft Idea is a draft"), (later.id, None, "Later starts on"),
             (999999, None, "There is no such campaign."),
             (silver_only.id, p.b.id, "Silver Sprint does not target Bravo Partners")]
    for campaign_id, partner_id, message in cases:
        r = api(p.manager).post("/leads", lead_data(campaign_id=campaign_id, partner_id=partner_id))
        assert r.status_code == 422, r.json
        assert r.json["error"]["fields"]["campaign_id"].startswith(message)
    assert db.session.query(Lead).count() == 0


def test_staff_lead_form_offers_campaigns(client, login, two_partners, silver_only):
    login(two_partners.manager)
    page = client.get("/admin/leads/new").get_data(as_text=True)
    assert "Silver Sprint" in page
    r = client.post("/admin/leads/new", data={
        "company_name": "Formica Labs GmbH", "company_country": "DE", "families": "hardware", "region": "EMEA",
        "campaign_id": str(silver_only.id)})
    assert r.status_code == 302, r.get_data(as_text=True)
    lead = db.session.query(Lead).one()
    assert lead.campaign_id == silver_only.id
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert f'href="/admin/campaigns/{silver_only.id}">Silver Sprint</a>' in page


def test_the_import_file_takes_an_optional_campaign_column(client, login, two_partners, silver_only):
    p = two_partners
    login(p.manager)
    csv = ("Company;Country;Region;Families;Partner;Campaign\n"
           "Alpha Robotics GmbH;DE;EMEA;hardware;;silver sprint\n"
           f"Beta Farms SA;FR;EMEA;software;{p.a.id};{silver_only.id}\n"
           "Gamma Air Ltd;GB;EMEA;hardware;;\n").encode()
    r = client.post("/admin/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    job = db.session.query(LeadImport).one()
    assert job.status == "ready" and "Silver Sprint" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(f"/admin/leads/imports/{job.id}/apply")
    got = {l.company_name: l.campaign_id for l in db.session.query(Lead)}
    assert got == {"Alpha Robotics GmbH": silver_only.id, "Beta Farms SA": silver_only.id, "Gamma Air Ltd": None}


def test_import_rows_with_a_bad_campaign_are_reported_in_that_column(client, login, two_partners, silver_only):
    p = two_partners
    login(p.manager)
    csv = ("Company,Country,Region,Families,Partner,Campaign\n"
           "Alpha Robotics GmbH,DE,EMEA,hardware,,Nonexistent Push\n"
           f"Beta Farms SA,FR,EMEA,software,{p.b.id},Silver Sprint\n").encode()
    client.post("/admin/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                content_type="multipart/form-data")
    job = db.session.query(LeadImport).one()
    assert job.status == "invalid"
    assert [(x["row"], x["column"]) for x in job.problems] == [(2, "campaign"), (3, "campaign")]
    assert "Nonexistent Push" in job.problems[0]["message"] and "does not target" in job.problems[1]["message"]


# --- the owning partner -----------------------------------------------------------------------------------------

@covers("leads_api.set_lead_campaign")
def test_the_owner_attributes_and_clears_through_the_api(api, two_partners, silver_only):
    p = two_partners
    lead = _owned_by_a(p)
    assert api(p.b_admin).post(f"/leads/{lead.id}/campaign", {"campaign_id": silver_only.id}).status_code == 404
    assert api(p.b_admin).post("/leads/999999/campaign", {"campaign_id": None}).status_code == 404
    assert api(p.a_admin).post(f"/leads/{lead.id}/campaign", {"campaign_id": silver_only.id}).status_code == 200
    # the partner admin may act as the owner; a sales rep who does not own the lead may not
    admins = make_lead(p.manager)
    ownership.claim_lead(p.a, p.a_admin, admins)
    assert api(p.a_user).post(f"/leads/{admins.id}/campaign", {"campaign_id": silver_only.id}).status_code == 404
    r = api(p.a_user).post(f"/leads/{lead.id}/campaign", {"campaign_id": None})
    assert r.status_code == 200 and r.json["campaign_id"] is None
    r = api(p.a_user).post(f"/leads/{lead.id}/campaign", {"campaign_id": silver_only.id})
    assert r.status_code == 200 and r.json["campaign_name"] == "Silver Sprint"
    assert campaigns.enrolment_of(p.a, silver_only.id) is not None  # attributing enrols
    actions = [e.reason for e in db.session.query(LeadEvent).filter_by(lead_id=lead.id, action="campaign")
               .order_by(LeadEvent.id)]
    assert actions == ["Attributed to the campaign Silver Sprint", "No longer attributed to the campaign Silver Sprint",
                       "Attributed to the campaign Silver Sprint"]
    assert api(p.a_user).post(f"/leads/{lead.id}/campaign", {}).status_code == 400


def test_the_owner_cannot_pick_a_campaign_that_does_not_target_it(api, two_partners, silver_only):
    p = two_partners
    gold = make_campaign(p.admin, name="Gold Rush", tiers=["gold"])
    lead = _owned_by_a(p)
    for campaign_id in (gold.id, 999999):
        r = api(p.a_user).post(f"/leads/{lead.id}/campaign", {"campaign_id": campaign_id})
        assert r.status_code == 422 and r.json["error"]["fields"] == {"campaign_id": attribution.NOT_YOURS}
    assert db.session.get(Lead, lead.id).campaign_id is None


def test_an_offered_pool_or_converted_lead_cannot_be_attributed_by_the_partner(api, two_partners, silver_only):
    p = two_partners
    offered = make_lead(p.manager, partner_id=p.a.id)
    pool = make_lead(p.manager)
    for lead in (offered, pool):
        assert api(p.a_admin).post(f"/leads/{lead.id}/campaign", {"campaign_id": silver_only.id}).status_code == 404
    converted = _owned_by_a(p)
    assert api(p.a_user).post(f"/leads/{converted.id}/convert", {"amount": "100", "expected_close": CLOSE}).status_code == 201
    r = api(p.a_user).post(f"/leads/{converted.id}/campaign", {"campaign_id": silver_only.id})
    assert r.status_code == 409 and r.json["error"]["code"] == "already_converted"


def test_partners_see_a_leads_campaign_only_once_it_is_theirs(api, two_partners, silver_only):
    p = two_partners
    lead = make_lead(p.manager, campaign_id=silver_only.id)
    pool = api(p.b_user).get("/leads?scope=pool").json["items"]
    assert [(i["id"], i["campaign_id"], i["campaign_name"]) for i in pool] == [(lead.id, None, None)]
    assert api(p.b_user).get(f"/leads/{lead.id}").json["campaign_id"] is None
    ownership.claim_lead(p.a, p.a_user, lead)
    assert api(p.a_user).get(f"/leads/{lead.id}").json["campaign_name"] == "Silver Sprint"
    assert api(p.manager).get(f"/leads/{lead.id}").json["campaign_id"] == silver_only.id


@covers("leads.set_campaign")
def test_the_owner_sets_the_campaign_on_the_lead_page(client, login, two_partners, silver_only):
    p = two_partners
    gold = make_campaign(p.admin, name="Gold Rush", tiers=["gold"])
    lead = _owned_by_a(p)
    login(p.b_admin)
    assert client.post(f"/leads/{lead.id}/campaign", data={"campaign_id": str(silver_only.id)}).status_code == 404
    login(p.a_user)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Save the campaign" in page and "Silver Sprint" in page and "Gold Rush" not in page
    r = client.post(f"/leads/{lead.id}/campaign", data={"campaign_id": str(gold.id)})
    assert r.status_code == 422 and attribution.NOT_YOURS in r.get_data(as_text=True)
    r = client.post(f"/leads/{lead.id}/campaign", data={"campaign_id": str(silver_only.id)}, follow_redirects=True)
    assert "Attributed to the campaign Silver Sprint." in r.get_data(as_text=True)
    assert db.session.get(Lead, lead.id).campaign_id == silver_only.id
    r = client.post(f"/leads/{lead.id}/campaign", data={"campaign_id": ""}, follow_redirects=True)
    assert "no longer attributed" in r.get_data(as_text=True) and db.session.get(Lead, lead.id).campaign_id is None


# --- conversion -------------------------------------------------------------------------------------------------

def test_conversion_carries_the_leads_campaign_over(api, client, login, two_partners, silver_only):
    p = two_partners
    lead = _owned_by_a(p)
    api(p.a_user).post(f"/leads/{lead.id}/campaign", {"campaign_id": silver_only.id})
    r = api(p.a_user).post(f"/leads/{lead.id}/convert", {"amount": "5000.00", "expected_close": CLOSE})
    assert r.status_code == 201 and (r.json["campaign_id"], r.json["campaign_name"]) == (silver_only.id, "Silver Sprint")
    # the page conversion too, and a staff attribution carries over as it is
    staff_lead = make_lead(p.manager, campaign_id=silver_only.id)
    ownership.claim_lead(p.a, p.a_user, staff_lead)
    login(p.a_user)
    form = client.get(f"/leads/{staff_lead.id}/convert").get_data(as_text=True)
    assert "Campaign: <strong>Silver Sprint</strong>" in form
    r = client.post(f"/leads/{staff_lead.id}/convert", data={
        "customer_name": staff_lead.company_name, "customer_country": "DE", "families": ["hardware"],
        "amount": "7000.00", "currency": "EUR", "expected_close": CLOSE})
    assert r.status_code == 302
    assert db.session.query(Registration).filter_by(lead_id=staff_lead.id).one().campaign_id == silver_only.id


def test_absurd_campaign_ids_are_unknown_not_errors(api, client, login, two_partners):
    p = two_partners
    huge = 10**20
    r = api(p.manager).post("/leads", lead_data(campaign_id=huge))
    # An id that no row can have is refused by the shared Id type before any lookup (issue 14).
    assert r.status_code == 422 and "2147483647" in r.json["error"]["fields"]["campaign_id"]
    lead = _owned_by_a(p)
    r = api(p.a_user).post(f"/leads/{lead.id}/campaign", {"campaign_id": huge})
    assert r.status_code == 422 and "2147483647" in r.json["error"]["fields"]["campaign_id"]
    r = api(p.a_user).post("/opportunities", {
        "customer": {"name": "Quavendra Robotics GmbH", "country": "DE"}, "families": ["hardware"],
        "amount": "100.00", "currency": "EUR", "expected_close": CLOSE, "campaign_id": huge})
    assert r.status_code == 422 and "2147483647" in r.json["error"]["fields"]["campaign_id"]
    login(p.manager)
    csv = (b"Company,Country,Region,Families,Partner,Campaign\n"
           b"Alpha Robotics GmbH,DE,EMEA,hardware,99999999999999999999,99999999999999999999\n")
    client.post("/admin/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                content_type="multipart/form-data")
    assert [x["column"] for x in db.session.query(LeadImport).one().problems] == ["partner", "campaign"]
