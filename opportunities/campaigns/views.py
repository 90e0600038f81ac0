"""Partner pages: campaigns that target the partner, enrolment, assets, MDF requests and claims."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from opportunities.campaigns import access, charts, files, richtext, targeting
from opportunities.campaigns.forms import ActionForm, ClaimForm, MdfRequestForm
from opportunities.campaigns.models import Campaign, MdfRequest
from opportunities.campaigns.services import assets, campaigns, claims, mdf, results
from opportunities.campaigns.services.values import percent_text
from portal.db import get_for_partner_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import apply_sort, page_params, paginate
from portal.money import Money
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
PARTNER_ROLES = ("partner_admin", "partner_user")
MDF_SORTS = {"created": MdfRequest.created_at, "activity": MdfRequest.activity, "amount": MdfRequest.requested_minor,
             "status": MdfRequest.status, "starts": MdfRequest.starts_on}
STATUS_LABELS = {"submitted": "Waiting for approval", "approved": "Approved", "rejected": "Rejected",
                 "cancelled": "Cancelled", "claimed": "Claim under review", "claim_approved": "Claim approved",
                 "paid": "Paid"}
EVENT_LABELS = {"submitted": "Requested", "approved": "Approved", "rejected": "Rejected", "cancelled": "Cancelled",
                "claimed": "Claimed", "claim_approved": "Claim approved", "claim_rejected": "Claim rejected",
                "paid": "Paid"}

NAV = (NavItem("Campaigns", "campaigns.index", "megaphone", PARTNER_ROLES, 40, menu="Pipeline"),)


def template_helpers() -> dict[str, Any]:
    """What the campaign and MDF templates use, on partner and staff pages (labels, predicates,
    the dashboard panel); a context processor, added by `init_app`."""
    return {**access.TEMPLATE_PREDICATES, "mdf_status_labels": STATUS_LABELS, "mdf_event_labels": EVENT_LABELS, "render_rich": richtext.render,
            "describe_targeting": targeting.describe, "campaigns_panel": _dashboard_panel,
            "percent_text": percent_text, "campaign_deals_chart": deals_chart}


def deals_chart(res: results.CampaignResults, top: int = 8) -> Markup | None:
    """Pipeline and won revenue (the figures the registrations feature adds), in total and for the
    partners with the most; None when no feature adds them."""
    keys = {f.key for f in res.figures}
    if not {"pipeline", "won"} <= keys:
        return None
    blue, green = charts.PALETTE[0], charts.PALETTE[2]

    def group(label: str, pipeline: Money, won: Money) -> charts.Group:
        return charts.Group(label, (charts.Bar("Pipeline", pipeline.amount, pipeline.format(), blue),
                                    charts.Bar("Won revenue", won.amount, won.format(), green)))

    zero = Money.zero(res.campaign.currency)
    rows = [(r.partner.name, r.values.get("pipeline") or zero, r.values.get("won") or zero) for r in res.rows]
    rows = [r for r in rows if r[1].amount_minor or r[2].amount_minor]
    rows.sort(key=lambda r: (-(r[1].amount_minor + r[2].amount_minor), r[0].lower()))
    groups = [group(name[:24], p, w) for name, p, w in rows[:top]]
    if groups:
        groups.insert(0, group("All partners", res.mdf("pipeline"), res.mdf("won")))
    return charts.grouped_bar_chart(groups, (("Pipeline", blue), ("Won revenue", green)),
                                    title=f"Pipeline and won revenue in {res.campaign.currency}", width=1000,
                                    label_width=220)


def _dashboard_panel() -> dict[str, Any] | None:
    """Active campaigns for the partner dashboard (the first four) and the enrolled ones."""
    partner = current_partner()
    if partner is None:
        return None
    found = campaigns.campaigns_for_partner(partner)
    return {"campaigns": found[:4], "more": max(0, len(found) - 4),
            "enrolled": campaigns.enrolled_campaign_ids(partner)}


def _campaign(campaign_id: int) -> Campaign:
    return campaigns.campaign_for_partner_or_404(current_partner(), campaign_id)


@bp.get("")
@partner_required
def index():
    partner = current_partner()
    return render_template("campaigns/index.html", active=campaigns.campaigns_for_partner(partner),
                           ended=campaigns.campaigns_for_partner(partner, ended=True),
                           enrolled=campaigns.enrolled_campaign_ids(partner), summary=richtext.summary)


@bp.get("/<id:campaign_id>")
@partner_required
def detail(campaign_id: int):
    campaign = _campaign(campaign_id)
    partner = current_partner()
    requests = db.session.scalars(mdf.requests_of(partner, campaign.id).order_by(MdfRequest.id.desc())).all()
    return render_template("campaigns/detail.html", campaign=campaign, requests=requests,
                           enrolment=campaigns.enrolment_of(partner, campaign.id),
                           active=campaign.is_active_on(campaigns.today()), action=ActionForm())


@bp.post("/<id:campaign_id>/enroll")
@partner_required
def enroll(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _, created = campaigns.enrol(current_partner(), current_user, campaign)
    db.session.commit()
    flash(f"You are enrolled in {campaign.name}." if created else f"You were already enrolled in {campaign.name}.",
          "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.get("/<id:campaign_id>/assets/<id:asset_id>")
@partner_required
def download_asset(campaign_id: int, asset_id: int):
    asset = assets.asset_of(_campaign(campaign_id), asset_id)
    inline = request.args.get("inline") == "1" and asset.kind == "image"
    return files.send_stored(asset.storage_key, asset.filename, asset.content_type, inline=inline)


def _request_page(campaign: Campaign, form: MdfRequestForm, status: int = 200):
    return render_template("campaigns/mdf_new.html", campaign=campaign, form=form), status


@bp.route("/<id:campaign_id>/mdf/new", methods=["GET", "POST"])
@partner_required
def new_mdf_request(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = MdfRequestForm()
    if request.method == "GET":
        return _request_page(campaign, form)
    if not form.validate_on_submit():
        return _request_page(campaign, form, 400)
    try:
        req = mdf.request_funds(current_partner(), current_user, campaign, {
            "activity": form.activity.data, "plan": form.plan.data, "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data, "amount": form.amount.data})
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _request_page(campaign, form, exc.status)
    db.session.commit()
    flash(f"Your request for {req.requested.format()} is sent to your partner manager.", "success")
    return redirect(url_for("campaigns.mdf_detail", request_id=req.id))


@bp.get("/mdf")
@partner_required
def mdf_requests():
    args = request.args
    status = args.get("status") if args.get("status") in STATUS_LABELS else None
    stmt, sort = apply_sort(mdf.requests_of(current_partner(), None, status), args.get("sort"), MDF_SORTS,
                            "-created", tiebreak=MdfRequest.id.desc())
    number, per_page = page_params(args, 20, 100)
    page = paginate(stmt, number, per_page, sort=sort)
    return render_template("campaigns/mdf_list.html", page=page, status=status)


def _mdf_page(req: MdfRequest, claim_form: ClaimForm | None = None, status: int = 200):
    return render_template("campaigns/mdf_detail.html", req=req, claim_form=claim_form or ClaimForm(formdata=None),
                           action=ActionForm(), today=campaigns.today(), claim_limits=claims.limits_text()), status


@bp.get("/mdf/<id:request_id>")
@partner_required
def mdf_detail(request_id: int):
    return _mdf_page(get_for_partner_or_404(MdfRequest, request_id, current_partner()))


@bp.post("/mdf/<id:request_id>/claim")
@partner_required
def claim(request_id: int):
    partner = current_partner()
    req = get_for_partner_or_404(MdfRequest, request_id, partner)
    try:
        uploads = files.uploaded_files(claims.max_bytes() * claims.max_files(), "files")
        form = ClaimForm()
        if not form.validate_on_submit():
            return _mdf_page(req, form, 400)
        proofs = claims.check_proofs((f.filename, f.stream) for f in uploads.getlist("files"))
        claims.submit_claim(partner, current_user, req, form.amount.data, form.note.data or "", proofs)
    except DomainError as exc:
        db.session.rollback()
        form = ClaimForm(formdata=None) if exc.status == 413 else ClaimForm()
        apply_domain_error(form, exc)
        return _mdf_page(get_for_partner_or_404(MdfRequest, request_id, partner), form, exc.status)
    db.session.commit()
    flash("Your claim is sent for review.", "success")
    return redirect(url_for("campaigns.mdf_detail", request_id=req.id))


@bp.post("/mdf/<id:request_id>/cancel")
@partner_required
def cancel(request_id: int):
    req = get_for_partner_or_404(MdfRequest, request_id, current_partner())
    if not ActionForm().validate_on_submit():
        abort(400)
    mdf.cancel_request(current_partner(), current_user, req)
    db.session.commit()
    flash("The request is cancelled.", "success")
    return redirect(url_for("campaigns.mdf_detail", request_id=req.id))


@bp.get("/mdf/<id:request_id>/proofs/<id:file_id>")
@partner_required
def download_proof(request_id: int, file_id: int):
    req = get_for_partner_or_404(MdfRequest, request_id, current_partner())
    proof = claims.proof_of(req, file_id)
    inline = request.args.get("inline") == "1" and proof.content_type.startswith("image/")
    return files.send_stored(proof.storage_key, proof.filename, proof.content_type, inline=inline)
