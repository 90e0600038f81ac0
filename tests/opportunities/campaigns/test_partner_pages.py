"""Partner pages: campaigns list and dashboard panel, detail with assets, enrolment, MDF forms."""
from __future__ import annotations

import io
from datetime import timedelta

from opportunities.campaigns.models import Campaign, CampaignEnrolment, MdfClaim, MdfRequest
from opportunities.campaigns.services import assets
from portal import storage
from portal.extensions import db
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import PDF, PNG, TODAY, approved_request, make_campaign, request_data
from tests.opportunities.campaigns.conftest import stored_files


def add_asset(campaign, actor, name: str = "flyer.pdf", data: bytes = PDF):
    upload = storage.check_upload(name, io.BytesIO(data), allowed=("pdf", "png"), max_bytes=10_000)
    return assets.add_asset(actor, campaign, upload, "Customer flyer")


def test_campaigns_page_and_dashboard_panel(two_partners, client, login):
    make_campaign(two_partners.admin, name="Silver spring", tiers=["silver"], description="**Bold** offer",
                  mdf_budget="5000.00")
    make_campaign(two_partners.admin, name="Gold only", tiers=["gold"])
    make_campaign(two_partners.admin, name="Not yet", starts_on=TODAY + timedelta(days=3))
    login(two_partners.a_user)
    html = client.get("/campaigns").data.decode()
    assert "Silver spring" in html and "Bold offer" in html and "€5,000.00 of €5,000.00 still available" in html
    assert "Gold only" not in html and "Not yet" not in html
    dashboard = client.get("/dashboard").data.decode()
    assert 'id="campaigns-panel"' in dashboard and "Silver spring" in dashboard and "Join" in dashboard
    assert "Gold only" not in dashboard
    login(two_partners.b_user)  # gold
    html = client.get("/campaigns").data.decode()
    assert "Gold only" in html and "Silver spring" not in html
    login(two_partners.a_user)
    db.session.query(Campaign).update({"status": "draft"})
    assert "No campaign is running for you" in client.get("/campaigns").data.decode()


@covers("campaigns.detail", "campaigns.enroll")
def test_detail_enrol_and_the_404_for_others(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, tiers=["silver"], description="Read [this](javascript:alert(1)) "
                             "<script>alert(2)</script> *now*")
    add_asset(campaign, two_partners.admin)
    login(two_partners.a_user)
    html = client.get(f"/campaigns/{campaign.id}").data.decode()
    assert "Customer flyer" in html and "Enrol now" in html and "<em>now</em>" in html
    assert "<script>" not in html and "javascript:" not in html
    response = client.post(f"/campaigns/{campaign.id}/enroll")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).data.decode()
    assert "You are enrolled in Spring push." in html and "Request MDF" in html
    login(two_partners.b_user)  # gold: not targeted
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404
    assert client.post(f"/campaigns/{campaign.id}/enroll").status_code == 404
    assert db.session.query(CampaignEnrolment).count() == 1


def test_enrol_needs_the_csrf_token(two_partners, client, login, csrf_on):
    campaign = make_campaign(two_partners.admin)
    login(two_partners.a_user)
    assert client.post(f"/campaigns/{campaign.id}/enroll").status_code == 400
    assert db.session.query(CampaignEnrolment).count() == 0


@covers("campaigns.new_mdf_request")
def test_mdf_request_form_keeps_input_and_shows_errors(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, mdf_budget="1000.00", tiers=["silver"])
    login(two_partners.a_user)
    client.post(f"/campaigns/{campaign.id}/enroll")
    form = {"activity": "Webinar", "plan": "Three sessions", "starts_on": (TODAY + timedelta(days=5)).isoformat(),
            "ends_on": (TODAY + timedelta(days=4)).isoformat(), "amount": "1500.00"}
    response = client.post(f"/campaigns/{campaign.id}/mdf/new", data=form)
    html = response.data.decode()
    assert response.status_code == 422 and "before it starts" in html and 'value="Webinar"' in html
    form["ends_on"] = (TODAY + timedelta(days=6)).isoformat()
    response = client.post(f"/campaigns/{campaign.id}/mdf/new", data=form)
    assert response.status_code == 422 and "Only €1,000.00 of the campaign&#39;s MDF budget remains." in response.data.decode()
    assert client.post(f"/campaigns/{campaign.id}/mdf/new", data=dict(form, starts_on="")).status_code == 400
    form["amount"] = "800.00"
    response = client.post(f"/campaigns/{campaign.id}/mdf/new", data=form)
    assert response.status_code == 302
    req = db.session.query(MdfRequest).one()
    assert req.requested_minor == 80000 and response.headers["Location"].endswith(f"/campaigns/mdf/{req.id}")
    listing = client.get("/campaigns/mdf").data.decode()
    assert "Webinar" in listing and "Waiting for approval" in listing
    assert "Webinar" not in client.get("/campaigns/mdf?status=paid").data.decode()
    login(two_partners.b_admin)  # gold: not targeted
    assert client.get(f"/campaigns/{campaign.id}/mdf/new").status_code == 404
    assert client.post(f"/campaigns/{campaign.id}/mdf/new", data=form).status_code == 404
    assert db.session.query(MdfRequest).count() == 1


@covers("campaigns.mdf_detail", "campaigns.claim", "campaigns.cancel", "campaigns.download_proof")
def test_claim_page_and_the_404_for_others(two_partners, client, login, storage_root):
    campaign = make_campaign(two_partners.admin)
    req = approved_request(two_partners, campaign)
    login(two_partners.a_user)
    html = client.get(f"/campaigns/mdf/{req.id}").data.decode()
    assert "Claim the funds" in html and "Approved" in html
    response = client.post(f"/campaigns/mdf/{req.id}/claim", data={"amount": "500.00", "note": "done"},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Attach at least one proof file" in response.data.decode()
    response = client.post(f"/campaigns/mdf/{req.id}/claim", content_type="multipart/form-data", data={
        "amount": "500.00", "files": [(io.BytesIO(PDF), "invoice.pdf"), (io.BytesIO(PDF), "../../x.pdf")]})
    assert response.status_code == 422 and "folder path" in response.data.decode()
    assert stored_files(storage_root) == [] and db.session.query(MdfClaim).count() == 0
    response = client.post(f"/campaigns/mdf/{req.id}/claim", content_type="multipart/form-data", data={
        "amount": "500.00", "note": "42 attendees", "files": [(io.BytesIO(PDF), "invoice.pdf"),
                                                              (io.BytesIO(PNG), "photo.png")]})
    assert response.status_code == 302
    html = client.get(f"/campaigns/mdf/{req.id}").data.decode()
    assert "Claim under review" in html and "invoice.pdf" in html and "42 attendees" in html
    proof = db.session.query(MdfClaim).one().proofs[1]
    assert client.get(f"/campaigns/mdf/{req.id}/proofs/{proof.id}?inline=1").data == PNG
    login(two_partners.b_admin)
    assert client.get(f"/campaigns/mdf/{req.id}").status_code == 404
    assert client.post(f"/campaigns/mdf/{req.id}/claim", data={"amount": "1"}).status_code == 404
    assert client.post(f"/campaigns/mdf/{req.id}/cancel").status_code == 404
    assert client.get(f"/campaigns/mdf/{req.id}/proofs/{proof.id}").status_code == 404


def test_cancel_from_the_page(two_partners, client, login):
    campaign = make_campaign(two_partners.admin)
    req = approved_request(two_partners, campaign, past=False)
    login(two_partners.a_admin)
    html = client.get(f"/campaigns/mdf/{req.id}").data.decode()
    assert "You can claim after the activity" in html
    assert client.post(f"/campaigns/mdf/{req.id}/cancel").status_code == 302
    assert db.session.get(MdfRequest, req.id).status == "cancelled"
    assert campaign.mdf_reserved_minor == 0


def test_ended_campaign_listed_for_enrolled_partners(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, name="Winter")
    login(two_partners.a_user)
    client.post(f"/campaigns/{campaign.id}/enroll")
    campaign.starts_on, campaign.ends_on = TODAY - timedelta(days=20), TODAY - timedelta(days=2)
    db.session.flush()
    html = client.get("/campaigns").data.decode()
    assert "Ended campaigns you took part in" in html and "Winter" in html
    detail = client.get(f"/campaigns/{campaign.id}").data.decode()
    assert "ended" in detail and "Enrol now" not in detail and "Request MDF" not in detail
    r = client.post(f"/campaigns/{campaign.id}/mdf/new", data=request_data())
    assert r.status_code == 409 and "only while the campaign runs" in r.data.decode()
    assert db.session.query(MdfRequest).count() == 0


def test_register_a_deal_from_a_running_campaign(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, name="Silver spring", tiers=["silver"])
    login(two_partners.a_user)
    link = f"/opportunities/new?campaign_id={campaign.id}"
    assert link in client.get(f"/campaigns/{campaign.id}").data.decode()
    form = client.get(link).data.decode()
    assert f'<option selected value="{campaign.id}">' in form or f'value="{campaign.id}" selected' in form
    campaign.ends_on = TODAY - timedelta(days=1)  # ended: no new deals from its page
    db.session.add(CampaignEnrolment(campaign_id=campaign.id, partner_id=two_partners.a.id))
    db.session.commit()
    assert "/opportunities/new?campaign_id=" not in client.get(f"/campaigns/{campaign.id}").data.decode()
