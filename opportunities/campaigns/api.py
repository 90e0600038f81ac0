"""Campaigns and MDF API (CONTRACT.md "Campaigns"; the MDF endpoints are documented extras)."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from opportunities.campaigns import files, serializers as out
from opportunities.campaigns.access import CAMPAIGN_EDITORS, MDF_REVIEWERS
from opportunities.campaigns.api_schemas import (
    AssetOut, CampaignCreate, CampaignOut, CampaignResultsOut, CampaignUpdate, EnrolmentOut, MdfDecision,
    MdfRequestCreate, MdfRequestOut, Payment, Reason,
)
from opportunities.campaigns.models import Campaign, MdfRequest
from opportunities.campaigns.services import assets, campaigns, claims, mdf, results
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.db import get_for_partner_or_404, get_or_404
from portal.extensions import db
from portal.listing import Page, int_arg, page_params
from portal.permissions import login_required, partner_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("campaigns_api", __name__)


def _campaign(campaign_id: int) -> Campaign:
    """A partner sees only campaigns that target it (404 otherwise); staff see every campaign."""
    partner = current_partner()
    if partner is not None:
        return campaigns.campaign_for_partner_or_404(partner, campaign_id)
    return get_or_404(Campaign, campaign_id)


def _request(request_id: int) -> MdfRequest:
    partner = current_partner()
    if partner is not None:
        return get_for_partner_or_404(MdfRequest, request_id, partner)
    return get_or_404(MdfRequest, request_id)


@bp.post("/campaigns")
@staff_required(*CAMPAIGN_EDITORS)
@documented(summary="Create a campaign (published at once unless status is draft)", body=CampaignCreate,
            response=CampaignOut, status=201, roles="staff", errors=(400, 403, 422))
def create_campaign():
    body = parse(CampaignCreate).model_dump(exclude_none=True)
    body.setdefault("status", "published")
    campaign = campaigns.create_campaign(current_user, body)
    db.session.commit()
    return jsonify(out.campaign(campaign, enrolled_partners=0)), 201


@bp.get("/campaigns")
@login_required
@documented(summary="Campaigns: a partner sees the active ones that target it; staff see all",
            response=CampaignOut, list_of=True,
            query={"status": "staff: draft or published", "state": "staff: running, upcoming or ended",
                   "q": "staff: name contains"})
def list_campaigns():
    partner = current_partner()
    if partner is not None:
        found = campaigns.campaigns_for_partner(partner)
        number, per_page = page_params(request.args, 50, 200)
        page = Page(found[(number - 1) * per_page:number * per_page], number, per_page, len(found))
        enrolled = campaigns.enrolled_campaign_ids(partner)
        return jsonify(page.envelope([out.campaign(c, enrolled=c.id in enrolled) for c in page.items]))
    args = request.args
    stmt = campaigns.staff_campaigns(args.get("status"), args.get("state"), args.get("q"))
    page = list_page(stmt.order_by(Campaign.starts_on.desc(), Campaign.id.desc()))
    counts = campaigns.enrolment_counts([c.id for c in page.items])
    return jsonify(page.envelope([out.campaign(c, enrolled_partners=counts.get(c.id, 0)) for c in page.items]))


@bp.get("/campaigns/<id:campaign_id>")
@login_required
@documented(summary="A campaign with its assets", response=CampaignOut, errors=(404,))
def get_campaign(campaign_id: int):
    campaign = _campaign(campaign_id)
    partner = current_partner()
    if partner is not None:
        enrolled = campaigns.enrolment_of(partner, campaign.id) is not None
        return jsonify(out.campaign(campaign, enrolled=enrolled, assets=True))
    count = campaigns.enrolment_counts([campaign.id]).get(campaign.id, 0)
    return jsonify(out.campaign(campaign, enrolled_partners=count, assets=True))


@bp.patch("/campaigns/<id:campaign_id>")
@staff_required(*CAMPAIGN_EDITORS)
@documented(summary="Change a campaign", body=CampaignUpdate, response=CampaignOut, roles="staff",
            errors=(400, 403, 404, 422))
def update_campaign(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    campaigns.update_campaign(current_user, campaign, parse(CampaignUpdate).model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(out.campaign(campaign))


@bp.post("/campaigns/<id:campaign_id>/publish")
@staff_required(*CAMPAIGN_EDITORS)
@documented(summary="Publish a draft campaign", response=CampaignOut, roles="staff", errors=(403, 404, 409, 422))
def publish_campaign(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    campaigns.publish_campaign(current_user, campaign)
    db.session.commit()
    return jsonify(out.campaign(campaign))


@bp.post("/campaigns/<id:campaign_id>/enroll")
@partner_required
@documented(summary="Enrol your partner (201; 200 when already enrolled)", response=EnrolmentOut, status=201,
            roles="partner users", errors=(403, 404, 409))
def enroll(campaign_id: int):
    partner = current_partner()
    campaign = _campaign(campaign_id)
    enrolment, created = campaigns.enrol(partner, current_user, campaign)
    db.session.commit()
    return jsonify({"campaign_id": campaign.id, "partner_id": partner.id, "status": "enrolled",
                    "enrolled_at": enrolment.created_at.isoformat()}), 201 if created else 200


@bp.post("/campaigns/<id:campaign_id>/assets")
@staff_required(*CAMPAIGN_EDITORS)
@documented(summary="Upload an asset (multipart/form-data: file, title?)", response=AssetOut, status=201,
            roles="staff", errors=(403, 404, 413, 422))
def upload_asset(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    upload = files.uploaded_files(assets.max_bytes()).get("file")
    if upload is None or not upload.filename:
        abort(400, "Send the file as multipart/form-data in the field 'file'.")
    checked = assets.check_file(upload.filename, upload.stream)
    asset = assets.add_asset(current_user, campaign, checked, request.form.get("title", ""))
    db.session.commit()
    return jsonify(out.asset(campaign, asset)), 201


@bp.get("/campaigns/<id:campaign_id>/assets/<id:asset_id>")
@login_required
@documented(summary="Download an asset (targeted partners and staff)", errors=(404,))
def download_asset(campaign_id: int, asset_id: int):
    campaign = _campaign(campaign_id)
    asset = assets.asset_of(campaign, asset_id)
    return files.send_stored(asset.storage_key, asset.filename, asset.content_type)


@bp.delete("/campaigns/<id:campaign_id>/assets/<id:asset_id>")
@staff_required(*CAMPAIGN_EDITORS)
@documented(summary="Remove an asset", status=204, roles="staff", errors=(403, 404))
def delete_asset(campaign_id: int, asset_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    assets.remove_asset(current_user, campaign, asset_id)
    db.session.commit()
    return "", 204


@bp.get("/campaigns/<id:campaign_id>/results")
@staff_required()
@documented(summary="Results: enrolled partners and MDF figures per partner", response=CampaignResultsOut,
            roles="staff", errors=(403, 404))
def campaign_results(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    return jsonify(out.results(results.campaign_results(campaign)))


@bp.post("/campaigns/<id:campaign_id>/mdf-requests")
@partner_required
@documented(summary="Request MDF for an activity of a campaign you are enrolled in", body=MdfRequestCreate,
            response=MdfRequestOut, status=201, roles="partner users", errors=(400, 404, 409, 422))
def create_mdf_request(campaign_id: int):
    campaign = _campaign(campaign_id)
    body = parse(MdfRequestCreate).model_dump()
    req = mdf.request_funds(current_partner(), current_user, campaign, body)
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True)), 201


@bp.get("/mdf-requests")
@login_required
@documented(summary="MDF requests: a partner's own; staff all", response=MdfRequestOut, list_of=True,
            query={"status": "a status, or open (staff: waiting for a decision)", "campaign_id": "one campaign",
                   "mine": "staff: true for the partners you manage"})
def list_mdf_requests():
    args = request.args
    campaign_id = int_arg(args, "campaign_id")
    partner = current_partner()
    if partner is not None:
        stmt = mdf.requests_of(partner, campaign_id, args.get("status") or None)
    else:
        stmt = mdf.staff_requests(args.get("status") or None, current_user if args.get("mine") == "true" else None,
                                  campaign_id)
    page = list_page(stmt.order_by(MdfRequest.created_at.desc(), MdfRequest.id.desc()))
    return jsonify(page.envelope([out.mdf_request(r) for r in page.items]))


@bp.get("/mdf-requests/<id:request_id>")
@login_required
@documented(summary="An MDF request with its claims and history", response=MdfRequestOut, errors=(404,))
def get_mdf_request(request_id: int):
    return jsonify(out.mdf_request(_request(request_id), full=True))


@bp.post("/mdf-requests/<id:request_id>/cancel")
@partner_required
@documented(summary="Withdraw a request not claimed yet", response=MdfRequestOut, roles="partner users",
            errors=(404, 409))
def cancel_mdf_request(request_id: int):
    req = mdf.cancel_request(current_partner(), current_user, _request(request_id))
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.post("/mdf-requests/<id:request_id>/approve")
@staff_required(*MDF_REVIEWERS)
@documented(summary="Approve the requested amount or less (reserved from the budget)", body=MdfDecision,
            response=MdfRequestOut, roles="partner_manager, admin", errors=(403, 404, 409, 422))
def approve_mdf_request(request_id: int):
    req = _request(request_id)
    body = parse(MdfDecision)
    mdf.approve_request(req.partner, current_user, req, body.amount, body.comment or "")
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.post("/mdf-requests/<id:request_id>/reject")
@staff_required(*MDF_REVIEWERS)
@documented(summary="Reject a request with a reason", body=Reason, response=MdfRequestOut,
            roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def reject_mdf_request(request_id: int):
    req = _request(request_id)
    mdf.reject_request(req.partner, current_user, req, parse(Reason).reason)
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.post("/mdf-requests/<id:request_id>/claim")
@partner_required
@documented(summary="Claim after the activity (multipart/form-data: amount, note?, files: one or more proofs)",
            response=MdfRequestOut, status=201, roles="partner users", errors=(404, 409, 413, 422))
def claim_mdf(request_id: int):
    req = _request(request_id)
    uploads = files.uploaded_files(claims.max_bytes() * claims.max_files(), "files").getlist("files")
    proofs = claims.check_proofs((f.filename, f.stream) for f in uploads)
    claims.submit_claim(current_partner(), current_user, req, request.form.get("amount"),
                        request.form.get("note", ""), proofs)
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True)), 201


@bp.post("/mdf-requests/<id:request_id>/claim/approve")
@staff_required(*MDF_REVIEWERS)
@documented(summary="Approve the claim (or less of it; the rest returns to the budget)", body=MdfDecision,
            response=MdfRequestOut, roles="partner_manager, admin", errors=(403, 404, 409, 422))
def approve_claim(request_id: int):
    req = _request(request_id)
    body = parse(MdfDecision)
    claims.approve_claim(req.partner, current_user, req, body.amount, body.comment or "")
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.post("/mdf-requests/<id:request_id>/claim/reject")
@staff_required(*MDF_REVIEWERS)
@documented(summary="Reject the claim with a reason (the partner may claim again)", body=Reason,
            response=MdfRequestOut, roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def reject_claim(request_id: int):
    req = _request(request_id)
    claims.reject_claim(req.partner, current_user, req, parse(Reason).reason)
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.post("/mdf-requests/<id:request_id>/paid")
@staff_required(*MDF_REVIEWERS)
@documented(summary="Mark an approved claim paid", body=Payment, response=MdfRequestOut,
            roles="partner_manager, admin", errors=(403, 404, 409, 422))
def mark_paid(request_id: int):
    req = _request(request_id)
    claims.mark_paid(req.partner, current_user, req, parse(Payment).reference or "")
    db.session.commit()
    return jsonify(out.mdf_request(req, full=True))


@bp.get("/mdf-requests/<id:request_id>/proofs/<id:file_id>")
@login_required
@documented(summary="Download a proof file", errors=(404,))
def download_proof(request_id: int, file_id: int):
    req = _request(request_id)
    proof = claims.proof_of(req, file_id)
    return files.send_stored(proof.storage_key, proof.filename, proof.content_type)
