"""Staff pages: campaign editor, assets, publishing, results (chart, CSV), MDF review."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from catalog.services import products
from opportunities.campaigns.models import Campaign, CampaignAsset, MdfRequest
from opportunities.campaigns.services import campaigns as campaign_service
from portal.extensions import db
from portal.models import Notification
from tests import factories
from tests.opportunities.campaigns.builders import PDF, PNG, TODAY, approved_request, make_campaign, request_data
from tests.opportunities.campaigns.conftest import stored_files

FORM = {"name": "Autumn launch", "description": "New **release**", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=20)).isoformat(), "tiers": ["silver", "gold"], "kinds": ["reseller"],
        "regions": ["EMEA", "APAC", "LATAM"], "currency": "EUR", "mdf_budget": "15000.00",
        "price_rule_percent": ""}


def test_create_edit_and_publish_a_campaign(two_partners, client, login):
    products.create_product(None, {"sku": "LIC", "name": "Licence", "family": "software"})
    login(two_partners.manager)
    page = client.get("/admin/campaigns/new").data.decode()
    assert "LATAM" in page and "LIC · Licence" in page  # the configured regions, active products
    assert "JPY · Japanese Yen" in page  # the supported currencies
    bad = dict(FORM, ends_on=(TODAY - timedelta(days=1)).isoformat(), price_rule_percent="100")
    response = client.post("/admin/campaigns/new", data=bad)
    html = response.data.decode()
    assert response.status_code == 422 and "before it starts" in html and "less than 100" in html
    assert 'value="Autumn launch"' in html and db.session.query(Campaign).count() == 0
    response = client.post("/admin/campaigns/new", data=dict(FORM, products=["LIC"], price_rule_percent="7.5"))
    assert response.status_code == 302
    campaign = db.session.query(Campaign).one()
    assert campaign.status == "draft" and campaign.regions == ["EMEA", "APAC", "LATAM"]
    assert campaign.tiers == ["silver", "gold"] and campaign.skus == ["LIC"] and str(campaign.price_rule_percent) == "7.50"
    html = client.get(f"/admin/campaigns/{campaign.id}").data.decode()
    assert "not yet: partners do not see drafts" in html and "Publish" in html
    edit = client.get(f"/admin/campaigns/{campaign.id}/edit").data.decode()
    assert 'value="7.5"' in edit and 'value="15000.00"' in edit
    response = client.post(f"/admin/campaigns/{campaign.id}/edit", data=dict(FORM, name="Autumn launch 2",
                                                                               products=["LIC"], mdf_budget="x"))
    assert response.status_code == 422 and "Enter an amount" in response.data.decode()
    response = client.post(f"/admin/campaigns/{campaign.id}/edit", data=dict(FORM, name="Autumn launch 2"))
    assert response.status_code == 302 and db.session.get(Campaign, campaign.id).name == "Autumn launch 2"
    response = client.post(f"/admin/campaigns/{campaign.id}/publish")
    assert response.status_code == 302 and db.session.get(Campaign, campaign.id).status == "published"
    notified = {n.user_id for n in db.session.query(Notification).filter_by(kind="campaign_published")}
    assert notified == {two_partners.a_admin.id, two_partners.b_admin.id}  # silver and gold resellers, EMEA
    response = client.post(f"/admin/campaigns/{campaign.id}/publish", follow_redirects=True)
    assert "already published" in response.data.decode()


def test_campaign_list_filters(two_partners, client, login):
    make_campaign(two_partners.admin, name="Running one")
    make_campaign(two_partners.admin, name="Draft one", status="draft", starts_on=TODAY + timedelta(days=3))
    login(two_partners.ops)
    html = client.get("/admin/campaigns").data.decode()
    assert "Running one" in html and "Draft one" in html and "Upcoming" in html
    html = client.get("/admin/campaigns?status=draft").data.decode()
    assert "Draft one" in html and "Running one" not in html
    html = client.get("/admin/campaigns?state=running&q=run").data.decode()
    assert "Running one" in html and "Draft one" not in html
    assert client.get("/admin/campaigns?sort=-budget&page=1").status_code == 200


def test_asset_upload_page_errors_and_removal(two_partners, client, login, storage_root):
    campaign = make_campaign(two_partners.admin)
    login(two_partners.manager)
    response = client.post(f"/admin/campaigns/{campaign.id}/assets", content_type="multipart/form-data",
                           data={"title": "Flyer", "file": (io.BytesIO(PNG), "flyer.pdf")})
    html = response.data.decode()
    assert response.status_code == 422 and "flyer.pdf is not a real PDF document" in html and 'value="Flyer"' in html
    response = client.post(f"/admin/campaigns/{campaign.id}/assets", content_type="multipart/form-data",
                           data={"title": "Flyer"})
    assert response.status_code == 400 and "Choose a file." in response.data.decode()
    assert stored_files(storage_root) == [] and db.session.query(CampaignAsset).count() == 0
    response = client.post(f"/admin/campaigns/{campaign.id}/assets", content_type="multipart/form-data",
                           data={"title": "Flyer", "file": (io.BytesIO(PDF), "flyer.pdf")})
    assert response.status_code == 302
    asset = db.session.query(CampaignAsset).one()
    assert client.get(f"/admin/campaigns/{campaign.id}/assets/{asset.id}").data == PDF
    assert "Flyer" in client.get(f"/admin/campaigns/{campaign.id}").data.decode()
    assert client.post(f"/admin/campaigns/{campaign.id}/assets/{asset.id}/delete").status_code == 302
    assert db.session.query(CampaignAsset).count() == 0 and stored_files(storage_root) == []


def test_results_page_with_chart_and_csv(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, name="Results demo", mdf_budget="10000.00")
    req = approved_request(two_partners, campaign, "2000.00")
    campaign_service.enrol(two_partners.b, two_partners.b_admin, campaign)
    login(two_partners.manager)
    html = client.get(f"/admin/campaigns/{campaign.id}/results").data.decode()
    assert "<svg" in html and 'aria-label="MDF of Results demo in EUR"' in html
    assert "Alpha Partners" in html and "Bravo Partners" in html and "€2,000.00" in html
    assert "Enrolled partners by tier" in html
    response = client.get(f"/admin/campaigns/{campaign.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="campaign-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    alpha = next(r for r in rows if r["partner"] == "Alpha Partners")
    assert alpha["mdf_requests"] == "1" and alpha["mdf_approved"] == "2000.00" and alpha["mdf_approved_currency"] == "EUR"
    assert alpha["enrolled_on"] == TODAY.isoformat() and alpha["mdf_paid"] == ""
    bravo = next(r for r in rows if r["partner"] == "Bravo Partners")
    assert bravo["tier"] == "gold" and bravo["mdf_requests"] == "0"
    assert req.id


def test_mdf_review_queue_and_decisions(two_partners, client, login):
    campaign = make_campaign(two_partners.admin, mdf_budget="3000.00")
    campaign_service.enrol(two_partners.a, two_partners.a_user, campaign)
    from opportunities.campaigns.services import mdf

    req = mdf.request_funds(two_partners.a, two_partners.a_user, campaign, request_data(amount="2500.00"))
    login(two_partners.manager)
    html = client.get("/admin/mdf").data.decode()
    assert "Roadshow" in html and "Alpha Partners" in html and "0 days" in html
    assert "Roadshow" in client.get("/admin/mdf?mine=1").data.decode()
    assert "Roadshow" not in client.get("/admin/mdf?status=paid").data.decode()
    page = client.get(f"/admin/mdf/{req.id}").data.decode()
    assert "Approve" in page and 'value="2500.00"' in page
    response = client.post(f"/admin/mdf/{req.id}/approve", data={"amount": "3500.00"})
    assert response.status_code == 422 and "At most the requested" in response.data.decode()
    response = client.post(f"/admin/mdf/{req.id}/reject", data={"reason": ""})
    assert response.status_code == 400
    response = client.post(f"/admin/mdf/{req.id}/approve", data={"amount": "2000.00", "comment": "OK"})
    assert response.status_code == 302 and db.session.get(MdfRequest, req.id).approved_minor == 200000
    other = factories.make_user(role="partner_manager")
    login(other)
    second = mdf.request_funds(two_partners.a, two_partners.a_user, campaign, request_data(amount="500.00"))
    page = client.get(f"/admin/mdf/{second.id}").data.decode()
    assert "Only" in page and "decides on this request" in page
    assert client.post(f"/admin/mdf/{second.id}/approve", data={}).status_code == 403
    login(two_partners.ops)
    assert client.post(f"/admin/mdf/{second.id}/approve", data={}).status_code == 403
    assert client.get("/admin/mdf").status_code == 200


def test_claim_review_and_payment_pages(two_partners, client, login):
    from opportunities.campaigns.services import claims
    from portal import storage

    campaign = make_campaign(two_partners.admin)
    req = approved_request(two_partners, campaign)
    proof = storage.check_upload("invoice.pdf", io.BytesIO(PDF), allowed=("pdf",), max_bytes=10_000)
    claims.submit_claim(two_partners.a, two_partners.a_user, req, "1500.00", "", [proof])
    login(two_partners.manager)
    page = client.get(f"/admin/mdf/{req.id}").data.decode()
    assert "Review the claim" in page and "invoice.pdf" in page
    file_id = req.claims[0].proofs[0].id
    assert client.get(f"/admin/mdf/{req.id}/proofs/{file_id}").data == PDF
    assert client.post(f"/admin/mdf/{req.id}/claim/approve", data={"amount": "1400.00"}).status_code == 302
    assert campaign.mdf_reserved_minor == 140000
    assert "Mark paid" in client.get(f"/admin/mdf/{req.id}").data.decode()
    assert client.post(f"/admin/mdf/{req.id}/paid", data={"reference": "X" * 101}).status_code == 400
    assert client.post(f"/admin/mdf/{req.id}/paid", data={"reference": "PAY-9"}).status_code == 302
    html = client.get(f"/admin/mdf/{req.id}").data.decode()
    assert "Paid" in html and "PAY-9" in html
    assert client.post(f"/admin/mdf/{req.id}/claim/reject", data={"reason": "late"}).status_code == 409
