"""MDF through the API: request, approve (possibly less) or reject, claim with proof, pay."""
from __future__ import annotations

import io
from datetime import timedelta

from opportunities.campaigns.models import Campaign, MdfClaim, MdfEvent, MdfProofFile, MdfRequest
from portal.extensions import db
from portal.models import Notification
from tests import factories
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import PDF, PNG, TODAY, approved_request, make_campaign, request_data
from tests.opportunities.campaigns.conftest import stored_files


def claim(client, request_id: int, amount: str, files: list[tuple[bytes, str]], note: str = ""):
    data = {"amount": amount, "note": note, "files": [(io.BytesIO(d), n) for d, n in files]}
    return client.post(f"/mdf-requests/{request_id}/claim", data=data, content_type="multipart/form-data")


def notes_of(user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_the_whole_mdf_flow(two_partners, api, storage_root):
    campaign = make_campaign(two_partners.admin)
    partner, manager = api(two_partners.a_user), api(two_partners.manager)
    assert partner.post(f"/campaigns/{campaign.id}/enroll").status_code == 201
    past = {"starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.starts_on.isoformat()}
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="3000.00", **past))
    assert r.status_code == 201, r.json
    req_id = r.json["id"]
    assert r.json["status"] == "submitted" and r.json["amount"] == "3000.00" and r.json["currency"] == "EUR"
    assert notes_of(two_partners.manager) == ["mdf_submitted"]
    r = manager.post(f"/mdf-requests/{req_id}/approve", {"amount": "2500.00", "comment": "Venue capped."})
    assert r.status_code == 200 and r.json["status"] == "approved" and r.json["approved_amount"] == "2500.00"
    assert db.session.get(Campaign, campaign.id).mdf_reserved_minor == 250000
    assert "mdf_approved" in notes_of(two_partners.a_user)
    assert manager.post(f"/mdf-requests/{req_id}/approve", {}).status_code == 409
    r = claim(partner, req_id, "2400.00", [(PDF, "invoice.pdf"), (PNG, "photo.png")], "60 attendees")
    assert r.status_code == 201, r.json
    assert r.json["status"] == "claimed" and len(r.json["claims"][0]["proofs"]) == 2
    assert len(stored_files(storage_root)) == 2
    proof_url = r.json["claims"][0]["proofs"][0]["url"]
    assert partner.get(proof_url).data == PDF and manager.get(proof_url).status_code == 200
    r = manager.post(f"/mdf-requests/{req_id}/claim/approve", {"amount": "2300.00"})
    assert r.status_code == 200 and r.json["status"] == "claim_approved"
    assert r.json["claims"][0]["approved_amount"] == "2300.00"
    assert db.session.get(Campaign, campaign.id).mdf_reserved_minor == 230000  # 200.00 went back
    r = manager.post(f"/mdf-requests/{req_id}/paid", {"reference": "PAY-1"})
    assert r.status_code == 200 and r.json["status"] == "paid"
    assert r.json["claims"][0]["payment_reference"] == "PAY-1" and r.json["claims"][0]["paid_at"]
    actions = [e["action"] for e in partner.get(f"/mdf-requests/{req_id}").json["events"]]
    assert actions == ["submitted", "approved", "claimed", "claim_approved", "paid"]
    assert notes_of(two_partners.a_user) == ["mdf_approved", "mdf_claim_approved", "mdf_paid"]
    assert notes_of(two_partners.manager) == ["mdf_submitted", "mdf_claimed"]
    listed = partner.get("/mdf-requests").json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "paid" and "events" not in listed["items"][0]
    assert manager.post(f"/mdf-requests/{req_id}/paid", {}).status_code == 409


def test_request_validation(two_partners, api):
    campaign = make_campaign(two_partners.admin, mdf_budget="1000.00")
    partner = api(two_partners.a_user)
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data())
    assert r.status_code == 422 and r.json["error"]["code"] == "not_enrolled"
    partner.post(f"/campaigns/{campaign.id}/enroll")
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="1000.01"))
    assert r.status_code == 422 and r.json["error"]["code"] == "mdf_over_budget"
    assert "Only €1,000.00 of the campaign's MDF budget remains." == r.json["error"]["fields"]["amount"]
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(
        starts_on=(TODAY + timedelta(days=3)).isoformat(), ends_on=(TODAY + timedelta(days=2)).isoformat()))
    assert r.status_code == 422 and "before it starts" in r.json["error"]["fields"]["ends_on"]
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(
        ends_on=(TODAY + timedelta(days=90)).isoformat(), amount="0", activity=" "))
    fields = r.json["error"]["fields"]
    assert "within the campaign" in fields["ends_on"] and "more than zero" in fields["amount"]
    assert fields["activity"] == "This field is required."
    assert partner.post(f"/campaigns/{campaign.id}/mdf-requests", {"activity": "x"}).status_code == 400
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="abc"))
    assert r.status_code == 422 and r.json["error"]["fields"]["amount"] == "Enter an amount such as 1500.00."
    assert db.session.query(MdfRequest).count() == 0
    no_budget = make_campaign(two_partners.admin, mdf_budget="0")
    partner.post(f"/campaigns/{no_budget.id}/enroll")
    r = partner.post(f"/campaigns/{no_budget.id}/mdf-requests", request_data())
    assert r.status_code == 422 and r.json["error"]["code"] == "no_mdf_budget"


def test_approval_within_the_remaining_budget_only(two_partners, api):
    campaign = make_campaign(two_partners.admin, mdf_budget="3000.00")
    partner, manager = api(two_partners.a_user), api(two_partners.manager)
    partner.post(f"/campaigns/{campaign.id}/enroll")
    first = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="2000.00")).json["id"]
    second = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="2000.00")).json["id"]
    assert manager.post(f"/mdf-requests/{first}/approve", {}).status_code == 200
    r = manager.post(f"/mdf-requests/{second}/approve", {})
    assert r.status_code == 422 and r.json["error"]["code"] == "mdf_over_budget"
    assert "Only €1,000.00 of the budget remains" in r.json["error"]["message"]
    assert db.session.get(MdfRequest, second).status == "submitted"
    r = manager.post(f"/mdf-requests/{second}/approve", {"amount": "2000.01"})
    assert r.status_code == 422 and "At most the requested" in r.json["error"]["fields"]["amount"]
    assert manager.post(f"/mdf-requests/{second}/approve", {"amount": "1000.00"}).status_code == 200
    assert db.session.get(Campaign, campaign.id).mdf_remaining.amount_minor == 0
    r = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="1"))
    assert r.status_code == 422 and r.json["error"]["code"] == "mdf_over_budget"
    r = api(two_partners.admin).patch(f"/campaigns/{campaign.id}", {"mdf_budget": "2999.99"})
    assert r.status_code == 422 and "already approved" in r.json["error"]["fields"]["mdf_budget"]
    r = api(two_partners.admin).patch(f"/campaigns/{campaign.id}", {"currency": "USD"})
    assert r.status_code == 422 and "cannot change" in r.json["error"]["fields"]["currency"]


def test_reject_and_cancel(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    partner, manager = api(two_partners.a_user), api(two_partners.manager)
    partner.post(f"/campaigns/{campaign.id}/enroll")
    first = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data()).json["id"]
    assert manager.post(f"/mdf-requests/{first}/reject", {"reason": " "}).status_code == 422
    assert manager.post(f"/mdf-requests/{first}/reject", {}).status_code == 400
    r = manager.post(f"/mdf-requests/{first}/reject", {"reason": "No plan details."})
    assert r.status_code == 200 and r.json["status"] == "rejected" and r.json["decision_note"] == "No plan details."
    assert partner.post(f"/mdf-requests/{first}/cancel").status_code == 409
    second = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data()).json["id"]
    manager.post(f"/mdf-requests/{second}/approve", {})
    assert db.session.get(Campaign, campaign.id).mdf_reserved_minor == 200000
    r = partner.post(f"/mdf-requests/{second}/cancel")
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert db.session.get(Campaign, campaign.id).mdf_reserved_minor == 0
    assert r.json["events"][-1]["note"] == "Approved amount released to the budget."


def test_claim_rules(two_partners, api, storage_root):
    campaign = make_campaign(two_partners.admin)
    future = approved_request(two_partners, campaign, past=False)  # the activity ends in 2 days
    partner = api(two_partners.a_user)
    r = claim(partner, future.id, "100.00", [(PDF, "invoice.pdf")])
    assert r.status_code == 422 and r.json["error"]["code"] == "activity_not_over"
    req = approved_request(two_partners, campaign)
    r = claim(partner, req.id, "100.00", [])
    assert r.status_code == 422 and "Attach at least one proof file" in r.json["error"]["fields"]["files"]
    r = claim(partner, req.id, "2000.01", [(PDF, "invoice.pdf")])
    assert r.status_code == 422 and "At most the approved" in r.json["error"]["fields"]["amount"]
    r = claim(partner, req.id, "100.00", [(PDF, "invoice.pdf"), (PNG, "fake.pdf")])
    assert r.status_code == 422 and "fake.pdf is not a real PDF document" in r.json["error"]["fields"]["files"]
    r = claim(partner, req.id, "100.00", [(PDF, "../../invoice.pdf")])
    assert r.status_code == 422 and "folder path" in r.json["error"]["message"]
    r = claim(partner, req.id, "100.00", [(b"#!/bin/sh", "run.sh")])
    assert r.status_code == 422 and "Files of type .sh are not accepted" in r.json["error"]["message"]
    assert db.session.query(MdfClaim).count() == 0 and db.session.query(MdfProofFile).count() == 0
    assert stored_files(storage_root) == []
    assert db.session.get(MdfRequest, req.id).status == "approved"
    manager = api(two_partners.manager)
    assert claim(partner, req.id, "1500.00", [(PDF, "invoice.pdf")]).status_code == 201
    assert claim(partner, req.id, "1500.00", [(PDF, "invoice.pdf")]).status_code == 409
    r = manager.post(f"/mdf-requests/{req.id}/claim/reject", {"reason": "The invoice is not legible."})
    assert r.status_code == 200 and r.json["status"] == "approved" and r.json["claims"][0]["status"] == "rejected"
    again = claim(partner, req.id, "1500.00", [(PDF, "invoice-scan.pdf")])
    assert again.status_code == 201 and [c["status"] for c in again.json["claims"]] == ["rejected", "submitted"]
    r = manager.post(f"/mdf-requests/{req.id}/claim/approve", {"amount": "1600.00"})
    assert r.status_code == 422 and "At most the claimed" in r.json["error"]["fields"]["amount"]


def test_claim_over_the_file_limits(two_partners, api, app, storage_root):
    req = approved_request(two_partners, make_campaign(two_partners.admin))
    partner = api(two_partners.a_user)
    app.config.update(MDF_PROOF_MAX_BYTES=100, MDF_PROOF_MAX_FILES=2)
    try:
        r = claim(partner, req.id, "100.00", [(PDF + b"x" * 60, "invoice.pdf")])
        assert r.status_code == 422 and "larger than the 100 bytes limit" in r.json["error"]["message"]
        r = claim(partner, req.id, "100.00", [(PDF, "a.pdf"), (PDF, "b.pdf"), (PDF, "c.pdf")])
        assert r.status_code == 422 and r.json["error"]["message"] == "Attach at most 2 files."
        r = claim(partner, req.id, "100.00", [(PDF + b"x" * 100_000, "invoice.pdf")])
        assert r.status_code == 413
    finally:
        app.config.update(MDF_PROOF_MAX_BYTES=10 * 1024 * 1024, MDF_PROOF_MAX_FILES=10)
    assert db.session.query(MdfClaim).count() == 0 and stored_files(storage_root) == []


def test_only_the_partners_manager_or_an_admin_decides(two_partners, api):
    req = approved_request(two_partners, make_campaign(two_partners.admin), past=False)
    pending = factories.make_user(role="partner_manager")  # manages nobody here
    other = api(pending)
    second = api(two_partners.a_user).post(f"/campaigns/{req.campaign_id}/mdf-requests", request_data()).json["id"]
    r = other.post(f"/mdf-requests/{second}/approve", {})
    assert r.status_code == 403 and "partner's manager" in r.json["error"]["message"]
    assert api(two_partners.ops).post(f"/mdf-requests/{second}/approve", {}).status_code == 403
    assert api(two_partners.admin).post(f"/mdf-requests/{second}/approve", {}).status_code == 200
    assert other.get(f"/mdf-requests/{second}").status_code == 200  # staff may look
    mine = api(two_partners.manager).get("/mdf-requests?mine=true&status=approved").json
    assert mine["total"] == 2
    assert other.get("/mdf-requests?mine=true").json["total"] == 0


@covers("campaigns_api.get_mdf_request", "campaigns_api.cancel_mdf_request", "campaigns_api.claim_mdf",
        "campaigns_api.download_proof", "campaigns_api.create_mdf_request")
def test_another_partners_mdf_is_a_404(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    req = approved_request(two_partners, campaign)
    a = api(two_partners.a_user)
    proof = claim(a, req.id, "100.00", [(PDF, "invoice.pdf")]).json["claims"][0]["proofs"][0]["id"]
    b = api(two_partners.b_admin)
    assert b.get(f"/mdf-requests/{req.id}").status_code == 404
    assert b.post(f"/mdf-requests/{req.id}/cancel").status_code == 404
    assert claim(b, req.id, "100.00", [(PDF, "x.pdf")]).status_code == 404
    assert b.get(f"/mdf-requests/{req.id}/proofs/{proof}").status_code == 404
    assert b.get("/mdf-requests").json["total"] == 0
    gold_only = make_campaign(two_partners.admin, tiers=["gold"])
    assert a.post(f"/campaigns/{gold_only.id}/mdf-requests", request_data()).status_code == 404
    other_req = approved_request(two_partners, make_campaign(two_partners.admin, name="Other"))
    assert a.get(f"/mdf-requests/{other_req.id}/proofs/{proof}").status_code == 404  # proof of another request
    assert db.session.query(MdfEvent).filter_by(request_id=req.id).count() == 3


@covers("campaigns_api.approve_mdf_request", "campaigns_api.reject_mdf_request", "campaigns_api.approve_claim",
        "campaigns_api.reject_claim", "campaigns_api.mark_paid")
def test_partner_users_cannot_decide(two_partners, api):
    campaign = make_campaign(two_partners.admin)
    api(two_partners.a_user).post(f"/campaigns/{campaign.id}/enroll")
    req_id = api(two_partners.a_user).post(f"/campaigns/{campaign.id}/mdf-requests", request_data()).json["id"]
    for user in (two_partners.a_admin, two_partners.b_admin):
        partner = api(user)
        assert partner.post(f"/mdf-requests/{req_id}/approve", {}).status_code == 403
        assert partner.post(f"/mdf-requests/{req_id}/reject", {"reason": "x"}).status_code == 403
        assert partner.post(f"/mdf-requests/{req_id}/claim/approve", {}).status_code == 403
        assert partner.post(f"/mdf-requests/{req_id}/claim/reject", {"reason": "x"}).status_code == 403
        assert partner.post(f"/mdf-requests/{req_id}/paid", {}).status_code == 403
    assert db.session.get(MdfRequest, req_id).status == "submitted"
