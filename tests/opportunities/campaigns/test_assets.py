"""Campaign assets: upload checks (nothing stored on refusal), access for targeted partners only."""
from __future__ import annotations

import io

from opportunities.campaigns.models import CampaignAsset
from portal.extensions import db
from portal.models import AuditEntry
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import PDF, PNG, make_campaign, office
from tests.opportunities.campaigns.conftest import stored_files


def upload(api_client, campaign_id: int, name: str, data: bytes, title: str = ""):
    return api_client.post(f"/campaigns/{campaign_id}/assets",
                           data={"file": (io.BytesIO(data), name), "title": title},
                           content_type="multipart/form-data")


def test_staff_upload_and_targeted_partners_download(two_partners, api, storage_root):
    campaign = make_campaign(two_partners.admin, tiers=["silver"])
    r = upload(api(two_partners.manager), campaign.id, "flyer.pdf", PDF, "Customer flyer")
    assert r.status_code == 201, r.json
    assert r.json["title"] == "Customer flyer" and r.json["filename"] == "flyer.pdf" and r.json["kind"] == "document"
    assert r.json["size"] == len(PDF) and r.json["content_type"] == "application/pdf"
    assert len(stored_files(storage_root)) == 1
    image = upload(api(two_partners.manager), campaign.id, "banner.png", PNG)
    assert image.status_code == 201 and image.json["title"] == "banner" and image.json["kind"] == "image"
    got = api(two_partners.a_user).get(f"/campaigns/{campaign.id}").json
    assert [a["filename"] for a in got["assets"]] == ["flyer.pdf", "banner.png"]
    download = api(two_partners.a_user).get(r.json["url"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename=flyer.pdf' in download.headers["Content-Disposition"]
    assert db.session.query(AuditEntry).filter_by(action="campaign.asset_add").count() == 2


@covers("campaigns_api.download_asset", "campaigns.download_asset")
def test_assets_are_served_only_to_targeted_partners(two_partners, api, client, login):
    campaign = make_campaign(two_partners.admin, tiers=["silver"])  # A silver, B gold
    asset_url = upload(api(two_partners.admin), campaign.id, "flyer.pdf", PDF).json["url"]
    assert api(two_partners.a_user).get(asset_url).status_code == 200
    assert api(two_partners.b_user).get(asset_url).status_code == 404
    asset_id = asset_url.rsplit("/", 1)[1]
    other = make_campaign(two_partners.admin, tiers=["gold"])
    # the asset id under a campaign it does not belong to
    assert api(two_partners.b_user).get(f"/campaigns/{other.id}/assets/{asset_id}").status_code == 404
    login(two_partners.a_user)
    page = client.get(f"/campaigns/{campaign.id}/assets/{asset_id}")
    assert page.status_code == 200 and page.data == PDF
    login(two_partners.b_admin)
    assert client.get(f"/campaigns/{campaign.id}/assets/{asset_id}").status_code == 404
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404
    campaign.status = "draft"
    db.session.flush()
    login(two_partners.a_user)
    assert client.get(f"/campaigns/{campaign.id}/assets/{asset_id}").status_code == 404
    assert api(two_partners.admin).get(asset_url).status_code == 200  # staff always


def test_images_may_be_shown_inline_documents_never(two_partners, client, login, api):
    campaign = make_campaign(two_partners.admin)
    png = upload(api(two_partners.admin), campaign.id, "banner.png", PNG).json["id"]
    pdf = upload(api(two_partners.admin), campaign.id, "flyer.pdf", PDF).json["id"]
    login(two_partners.a_user)
    shown = client.get(f"/campaigns/{campaign.id}/assets/{png}?inline=1")
    assert shown.headers["Content-Disposition"].startswith("inline") and shown.data == PNG
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    doc = client.get(f"/campaigns/{campaign.id}/assets/{pdf}?inline=1")
    assert doc.headers["Content-Disposition"].startswith("attachment")


def test_bad_files_are_refused_and_nothing_is_stored(two_partners, api, app, storage_root):
    campaign = make_campaign(two_partners.admin)
    staff = api(two_partners.admin)
    cases = [("tool.exe", b"MZ\x90", "Files of type .exe are not accepted"),
             ("flyer.pdf", PNG, "is not a real PDF document"),
             ("deck.pptx", office("word/"), "is not a real PowerPoint presentation"),
             ("../../etc/passwd.pdf", PDF, "folder path"),
             ("..\\secret.png", PNG, "folder path")]
    for name, data, message in cases:
        r = upload(staff, campaign.id, name, data)
        assert r.status_code == 422, name
        assert message in r.json["error"]["message"] and r.json["error"]["code"] == "upload_rejected"
    app.config["CAMPAIGN_ASSET_MAX_BYTES"] = 100
    try:
        r = upload(staff, campaign.id, "big.pdf", PDF + b"x" * 200)
        assert r.status_code == 422 and "larger than the 100 bytes limit" in r.json["error"]["message"]
        r = upload(staff, campaign.id, "huge.pdf", PDF + b"x" * 200_000)  # the whole body is too large
        assert r.status_code == 413 and "limit" in r.json["error"]["message"]
    finally:
        app.config["CAMPAIGN_ASSET_MAX_BYTES"] = 20 * 1024 * 1024
    r = staff.post(f"/campaigns/{campaign.id}/assets", json={"file": "x"})
    assert r.status_code == 400
    assert db.session.query(CampaignAsset).count() == 0
    assert stored_files(storage_root) == []


def test_removing_an_asset_deletes_its_file(two_partners, api, storage_root):
    campaign = make_campaign(two_partners.admin)
    staff = api(two_partners.admin)
    asset_id = upload(staff, campaign.id, "flyer.pdf", PDF).json["id"]
    assert staff.delete(f"/campaigns/{campaign.id}/assets/{asset_id}").status_code == 204
    assert db.session.query(CampaignAsset).count() == 0 and stored_files(storage_root) == []
    assert staff.delete(f"/campaigns/{campaign.id}/assets/{asset_id}").status_code == 404


@covers("campaigns_api.upload_asset", "campaigns_api.delete_asset")
def test_partners_cannot_upload_or_remove_assets(two_partners, api, storage_root):
    campaign = make_campaign(two_partners.admin)
    asset_id = upload(api(two_partners.admin), campaign.id, "flyer.pdf", PDF).json["id"]
    partner = api(two_partners.a_admin)
    assert upload(partner, campaign.id, "mine.pdf", PDF).status_code == 403
    assert partner.delete(f"/campaigns/{campaign.id}/assets/{asset_id}").status_code == 403
    assert db.session.query(CampaignAsset).count() == 1 and len(stored_files(storage_root)) == 1
