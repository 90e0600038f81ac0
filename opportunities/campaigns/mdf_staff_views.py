"""Back office: MDF review (the queue, a request with its claims and proof, the decisions), on the
campaigns feature's staff blueprint (`campaigns_staff`)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from opportunities.campaigns import files
from opportunities.campaigns.access import MDF_REVIEWERS
from opportunities.campaigns.forms import DecisionForm, PaymentForm, ReasonForm
from opportunities.campaigns.models import MdfRequest
from opportunities.campaigns.services import campaigns, claims, mdf
from opportunities.campaigns.staff_views import bp
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import apply_sort, page_params, paginate
from portal.models import Partner
from portal.permissions import roles_required

MDF_SORTS = {"created": MdfRequest.created_at, "amount": MdfRequest.requested_minor, "status": MdfRequest.status,
             "partner": Partner.name}
MDF_FILTERS = ("open", "submitted", "approved", "rejected", "cancelled", "claimed", "claim_approved", "paid")


@bp.get("/mdf")
def mdf_queue():
    args = request.args
    status = args.get("status", "open")
    status = status if status in MDF_FILTERS else None
    mine = current_user if args.get("mine") == "1" else None
    stmt, sort = apply_sort(mdf.staff_requests(status, mine, args.get("campaign_id", type=int)), args.get("sort"),
                            MDF_SORTS, "created", tiebreak=MdfRequest.id)
    number, per_page = page_params(args, 25, 100)
    page = paginate(stmt, number, per_page, sort=sort)
    return render_template("admin/campaigns/mdf_queue.html", page=page, status=status, filters=MDF_FILTERS,
                           now=campaigns.today())


def _mdf_page(req: MdfRequest, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    blank = {"approve": DecisionForm(formdata=None, data={"amount": req.requested.as_str()}),
             "reject": ReasonForm(formdata=None),
             "claim_approve": DecisionForm(formdata=None, data={"amount": req.claim.amount.as_str()}
                                           if req.claim else {}),
             "claim_reject": ReasonForm(formdata=None), "paid": PaymentForm(formdata=None)}
    blank.update(forms)
    return render_template("admin/campaigns/mdf_detail.html", req=req, forms=blank), status


@bp.get("/mdf/<id:request_id>")
def mdf_detail(request_id: int):
    return _mdf_page(get_or_404(MdfRequest, request_id))


def _decide(request_id: int, name: str, form_class: type, act) -> object:
    """Validate the decision form, call the service, commit; errors are shown on the page."""
    req = get_or_404(MdfRequest, request_id)
    form = form_class()
    if not form.validate_on_submit():
        return _mdf_page(req, {name: form}, 400)
    try:
        message = act(req, form)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _mdf_page(get_or_404(MdfRequest, request_id), {name: form}, exc.status)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("campaigns_staff.mdf_detail", request_id=request_id))


@bp.post("/mdf/<id:request_id>/approve")
@roles_required(*MDF_REVIEWERS)
def approve_mdf(request_id: int):
    def act(req: MdfRequest, form: DecisionForm) -> str:
        mdf.approve_request(req.partner, current_user, req, form.amount.data, form.comment.data or "")
        return f"Approved {req.approved.format()}: reserved from the budget."  # type: ignore[union-attr]
    return _decide(request_id, "approve", DecisionForm, act)


@bp.post("/mdf/<id:request_id>/reject")
@roles_required(*MDF_REVIEWERS)
def reject_mdf(request_id: int):
    def act(req: MdfRequest, form: ReasonForm) -> str:
        mdf.reject_request(req.partner, current_user, req, form.reason.data)
        return "The request is rejected."
    return _decide(request_id, "reject", ReasonForm, act)


@bp.post("/mdf/<id:request_id>/claim/approve")
@roles_required(*MDF_REVIEWERS)
def approve_claim(request_id: int):
    def act(req: MdfRequest, form: DecisionForm) -> str:
        claim = claims.approve_claim(req.partner, current_user, req, form.amount.data, form.comment.data or "")
        return f"The claim is approved for {claim.approved.format()}."  # type: ignore[union-attr]
    return _decide(request_id, "claim_approve", DecisionForm, act)


@bp.post("/mdf/<id:request_id>/claim/reject")
@roles_required(*MDF_REVIEWERS)
def reject_claim(request_id: int):
    def act(req: MdfRequest, form: ReasonForm) -> str:
        claims.reject_claim(req.partner, current_user, req, form.reason.data)
        return "The claim is rejected; the partner may claim again."
    return _decide(request_id, "claim_reject", ReasonForm, act)


@bp.post("/mdf/<id:request_id>/paid")
@roles_required(*MDF_REVIEWERS)
def mark_paid(request_id: int):
    def act(req: MdfRequest, form: PaymentForm) -> str:
        claims.mark_paid(req.partner, current_user, req, form.reference.data or "")
        return "The claim is marked paid."
    return _decide(request_id, "paid", PaymentForm, act)


@bp.get("/mdf/<id:request_id>/proofs/<id:file_id>")
def mdf_proof(request_id: int, file_id: int):
    proof = claims.proof_of(get_or_404(MdfRequest, request_id), file_id)
    inline = request.args.get("inline") == "1" and proof.content_type.startswith("image/")
    return files.send_stored(proof.storage_key, proof.filename, proof.content_type, inline=inline)
