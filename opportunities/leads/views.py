"""Partner lead pages: my leads with their clocks, the pool, a lead with its activities."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.services.products import families as catalog_families
from opportunities.leads import queries
from opportunities.leads.forms import ActivityForm, CampaignForm, ReasonForm, show_errors
from opportunities.leads.models import Lead
from opportunities.leads.rules import lead_clock, settings
from opportunities.leads.serializers import campaign_shown_to
from opportunities.leads.services import LeadConflict, LeadError, LeadNotFound, campaigns, conversion, ownership
from opportunities.leads.services.common import cooldown_until
from opportunities.registrations.forms import RegistrationForm
from opportunities.registrations.forms import show_errors as show_registration_errors
from opportunities.registrations.services import attribution
from portal.db import utcnow
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.models import User
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("leads", __name__, url_prefix="/leads", cli_group="leads")
PARTNER_ROLES = ("partner_admin", "partner_user")
PER_PAGE = 25
SORTS = {"company": Lead.company_name, "status": Lead.status, "due": queries.due_order(),
         "region": Lead.region, "created": Lead.created_at, "updated": Lead.updated_at}
STATUS_FILTERS = ("assigned", "claimed", "converted")

NAV = (NavItem("Leads", "leads.mine", "person-lines-fill", PARTNER_ROLES, 40, menu="Pipeline"),)


def lead_clock_of(lead: Lead) -> Any:
    """The clock of a lead, for templates (None when nothing runs)."""
    return lead_clock(lead.status, lead.due_at, utcnow(), settings())


def lead_panel() -> dict[str, int] | None:
    """Counts for the partner dashboard: offered, owned, due soon, pool size."""
    partner = current_partner()
    if partner is None:
        return None
    return queries.dashboard_counts(partner, current_user, utcnow() + settings().warning)


def _listing(stmt: Any, default_sort: str) -> Any:
    stmt, sort = apply_sort(stmt, request.args.get("sort"), SORTS, default_sort, tiebreak=Lead.id)
    page, per_page = page_params(request.args, PER_PAGE, 100)
    return paginate(stmt, page, per_page, sort=sort)


@bp.get("/")
@partner_required
def mine():
    partner = current_partner()
    stmt = queries.mine_stmt(partner, current_user)
    status = request.args.get("status")
    if status in STATUS_FILTERS:
        stmt = stmt.where(Lead.status == status)
    result = _listing(stmt, "due")
    owners = _owners(result.items)
    return render_template("opportunities/leads/mine.html", page=result, owners=owners,
                           statuses=STATUS_FILTERS, sees_all=queries.sees_all_partner_leads(current_user))


@bp.get("/pool")
@partner_required
def pool():
    partner = current_partner()
    stmt = queries.pool_stmt(partner)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(Lead.company_name.ilike(f"%{q}%"))
    result = _listing(stmt, "-updated")
    cooling = queries.cooldowns_for(partner, [lead.id for lead in result.items])
    return render_template("opportunities/leads/pool.html", page=result, cooling=cooling,
                           partner=partner)


def _owners(leads: list[Lead]) -> dict[int, Any]:
    ids = {lead.owner_user_id for lead in leads if lead.owner_user_id}
    return {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))} if ids else {}


def _lead_or_404(lead_id: int) -> Lead:
    try:
        return queries.lead_for_partner_or_404(current_partner(), current_user, lead_id)
    except LeadNotFound:
        abort(404)


def _render_detail(lead: Lead, activity_form: ActivityForm | None = None, status: int = 200,
                   campaign_form: CampaignForm | None = None):
    partner = current_partner()
    owner = db.session.get(User, lead.owner_user_id) if lead.owner_user_id else None
    owns = queries.owns_lead(current_user, partner, lead)
    if owns:
        campaign_form = campaign_form or CampaignForm(formdata=None, campaign_id=str(lead.campaign_id or ""))
        campaign_form.prepare(attribution.attributable_campaigns(partner), lead.campaign)
    return render_template(
        "opportunities/leads/detail.html", lead=lead, owner=owner, owns=owns,
        activities=queries.activities_for(lead, partner), authors=_authors(lead),
        activity_form=activity_form or ActivityForm(formdata=None), campaign_form=campaign_form,
        show_campaign=campaign_shown_to(partner, lead),
        offered=queries.is_offered_to(partner, lead),
        claimable_from=cooldown_until(lead.id, partner.id, utcnow()),
        follow_up_days=settings().follow_up.days,
        convert_url=url_for("leads.convert", lead_id=lead.id) if owns else None), status


def _authors(lead: Lead) -> dict[int, Any]:
    ids = {a.user_id for a in queries.activities_for(lead, current_partner()) if a.user_id}
    return {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))} if ids else {}


@bp.get("/<id:lead_id>")
@partner_required
def detail(lead_id: int):
    return _render_detail(_lead_or_404(lead_id))


def _act(lead_id: int, action: Any, success: str) -> Any:
    """Run one partner action on a lead, commit, and come back to the lead with a message."""
    try:
        lead = action()
    except (LeadConflict, LeadError) as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("leads.detail", lead_id=lead_id) if _visible(lead_id)
                        else url_for("leads.pool"))
    db.session.commit()
    flash(success.format(lead=lead), "success")
    if _visible(lead_id):
        return redirect(url_for("leads.detail", lead_id=lead_id))
    return redirect(url_for("leads.mine"))


def _visible(lead_id: int) -> bool:
    lead = db.session.get(Lead, lead_id)
    return lead is not None and queries.can_see_lead(current_user, current_partner(), lead)


@bp.post("/<id:lead_id>/claim")
@partner_required
def claim(lead_id: int):
    lead = db.session.get(Lead, lead_id)
    return _act(lead_id, lambda: ownership.claim_lead(current_partner(), current_user, lead),
                "You own {lead.company_name} now: record a follow-up within "
                f"{settings().follow_up.days} days.")


@bp.post("/<id:lead_id>/accept")
@partner_required
def accept(lead_id: int):
    lead = _lead_or_404(lead_id)
    return _act(lead_id, lambda: ownership.accept_assignment(current_partner(), current_user, lead),
                "You accepted {lead.company_name}.")


@bp.post("/<id:lead_id>/decline")
@partner_required
def decline(lead_id: int):
    lead = _lead_or_404(lead_id)
    reason = ReasonForm().reason.data or ""
    return _act(lead_id, lambda: ownership.decline_assignment(current_partner(), current_user, lead, reason),
                "You declined {lead.company_name}; it went to the pool.")


@bp.post("/<id:lead_id>/release")
@partner_required
def release(lead_id: int):
    lead = _lead_or_404(lead_id)
    reason = ReasonForm().reason.data or ""
    return _act(lead_id, lambda: ownership.release_lead(current_partner(), current_user, lead, reason),
                "You released {lead.company_name} to the pool.")


@bp.post("/<id:lead_id>/activities")
@partner_required
def add_activity(lead_id: int):
    lead = _lead_or_404(lead_id)
    form = ActivityForm()
    if not queries.owns_lead(current_user, current_partner(), lead):
        abort(404)
    if not form.validate_on_submit():
        return _render_detail(lead, form, 400)
    try:
        ownership.record_activity(current_partner(), current_user, lead, form.kind.data, form.note.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        show_errors(form, exc)
        return _render_detail(db.session.get(Lead, lead_id), form, exc.status)
    db.session.commit()
    flash(f"Activity recorded: the clock restarts ({settings().follow_up.days} days).", "success")
    return redirect(url_for("leads.detail", lead_id=lead_id))


@bp.post("/<id:lead_id>/campaign")
@partner_required
def set_campaign(lead_id: int):
    """The owner attributes its lead to a campaign, or clears it."""
    lead = _lead_or_404(lead_id)
    if not queries.owns_lead(current_user, current_partner(), lead):
        abort(404)
    form = CampaignForm()
    if not form.validate_on_submit():
        return _render_detail(lead, status=400, campaign_form=form)
    try:
        campaigns.set_lead_campaign(current_partner(), current_user, lead, form.campaign_id.data or None)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        show_errors(form, exc)
        return _render_detail(db.session.get(Lead, lead_id), status=exc.status, campaign_form=form)
    db.session.commit()
    flash(f"Attributed to the campaign {lead.campaign.name}." if lead.campaign else "The lead is no longer attributed to a campaign.",
          "success")
    return redirect(url_for("leads.detail", lead_id=lead_id))


@bp.route("/<id:lead_id>/convert", methods=["GET", "POST"])
@partner_required
def convert(lead_id: int):
    """The deal registration form, prefilled from the lead; registering converts the lead."""
    lead, partner = _lead_or_404(lead_id), current_partner()
    if lead.status == "converted" and lead.opportunity_id:
        flash("This lead is already converted.", "info")
        return redirect(url_for("opportunities.detail", registration_id=lead.opportunity_id))
    if not queries.owns_lead(current_user, partner, lead):
        abort(404)
    form = RegistrationForm(data=conversion.prefill(lead, partner) if request.method == "GET" else None)
    form.prepare(sorted(set(catalog_families()) | set(lead.families or [])))
    if request.method == "GET":
        return _render_convert(lead, form)
    if not form.validate_on_submit():
        return _render_convert(lead, form, 400)
    try:
        registration = conversion.convert_lead(partner, current_user, lead, form.to_input())
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        show_registration_errors(form, exc)
        return _render_convert(db.session.get(Lead, lead_id), form, exc.status)
    db.session.commit()
    flash(f"{lead.company_name} is converted into a deal registration"
          + (": it overlaps an existing registration, so your partner manager reviews it."
             if registration.status == "in_review" else "; it waits for your partner manager's approval."),
          "warning" if registration.status == "in_review" else "success")
    return redirect(url_for("opportunities.detail", registration_id=registration.id))


def _render_convert(lead: Lead, form: RegistrationForm, status: int = 200) -> Any:
    return render_template("opportunities/leads/convert.html", lead=lead, form=form), status
