"""Partner pages for deal registrations: list, register, availability check, detail, extension, outcome."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.services.products import families as catalog_families
from opportunities.campaigns.services import campaigns
from opportunities.registrations.forms import (
    ActionForm, AvailabilityForm, OutcomeForm, RegistrationForm, add_rule_errors, show_errors,
)
from opportunities.registrations.models import STATUSES, Registration
from opportunities.registrations.services import check_availability, register_opportunity
from opportunities.registrations.services import attribution, lifecycle, registrations
from opportunities.registrations.services.events import events_of
from opportunities.registrations.services import clock
from portal.converters import parse_id
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities")
PARTNER_ROLES = ("partner_admin", "partner_user")
SORTS = {"submitted": Registration.submitted_at, "customer": Registration.customer_name,
         "amount": Registration.amount_minor, "close": Registration.expected_close,
         "status": Registration.status, "protected": Registration.protected_until}

NAV = (NavItem("Deal registrations", "opportunities.index", "shield-check", PARTNER_ROLES, 35, menu="Pipeline"),)


@bp.app_template_global("registration_panel")
def registration_panel() -> registrations.Summary | None:
    """The dashboard panel's figures for the logged-in user (None when it has no panel)."""
    if not current_user.is_authenticated:
        return None
    if current_user.role in PARTNER_ROLES:
        return registrations.partner_summary(current_partner(), current_user)
    if current_user.role in ("admin", "partner_manager"):
        return registrations.staff_summary(current_user if current_user.role == "partner_manager" else None)
    return None


def _registration_or_404(registration_id: int) -> Registration:
    reg = registrations.get_visible(current_partner(), current_user, registration_id)
    if reg is None:
        abort(404)
    return reg


def _families() -> list[str]:
    return catalog_families()


@bp.get("")
@partner_required
def index():
    args = request.args
    stmt = registrations.visible_to(current_partner(), current_user)
    status = args.get("status") if args.get("status") in STATUSES else None
    stmt = registrations.filter_list(stmt, status=status, q=args.get("q"), country=args.get("country") or None)
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "-submitted", tiebreak=Registration.id.desc())
    page, per_page = page_params(args, 20, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    counts = registrations.status_counts(registrations.visible_to(current_partner(), current_user))
    return render_template("opportunities/index.html", page=result, statuses=STATUSES, counts=counts,
                           today=clock.today())


def _render_form(form: RegistrationForm, status: int = 200) -> tuple[str, int]:
    return render_template("opportunities/new.html", form=form, grace_days=attribution.grace_days()), status


@bp.route("/new", methods=["GET", "POST"])
@partner_required
def new():
    form = RegistrationForm()
    form.prepare(_families())
    form.prepare_campaigns(attribution.attributable_campaigns(current_partner()))
    if request.method == "GET":
        form.currency.data = form.currency.data or current_partner().currency
        for key in ("customer_name", "customer_domain", "customer_country", "customer_city"):
            if request.args.get(key):  # carried over from the availability check
                getattr(form, key).data = request.args[key]
        if request.args.getlist("families"):
            form.families.data = request.args.getlist("families")
        if request.args.get("campaign_id"):  # "Register a deal" from a campaign page
            form.campaign_id.data = request.args["campaign_id"]
        return _render_form(form)
    if not form.validate_on_submit():
        add_rule_errors(form, clock.today())
        return _render_form(form, 400)
    try:
        reg = register_opportunity(current_partner(), current_user, form.to_input(),
                                   campaign_id=form.campaign_id.data or None)
    except DomainError as exc:
        show_errors(form, exc)
        return _render_form(form, exc.status)
    db.session.commit()
    if reg.status == "in_review":
        flash("Registered. It overlaps an existing registration or a named account, so your partner manager "
              "reviews it; you will be told the decision.", "warning")
    elif any(c.own for c in reg.conflicts):
        flash("Registered. You already have an active registration for this customer: see below.", "info")
    else:
        flash("Registered. No conflict was found; it waits for your partner manager's approval.", "success")
    return redirect(url_for("opportunities.detail", registration_id=reg.id))


@bp.route("/check", methods=["GET", "POST"])
@partner_required
def check():
    form = AvailabilityForm()
    form.prepare(_families())
    answer = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                answer = check_availability(current_partner(), form.customer(), form.families.data or [],
                                            current_user)
            except DomainError as exc:
                show_errors(form, exc)
                status = exc.status
        else:
            status = 400
    prefill: dict[str, Any] = {}
    if answer is not None and answer.available:
        prefill = {"customer_name": form.customer_name.data, "customer_domain": form.customer_domain.data or "",
                   "customer_country": form.customer_country.data, "customer_city": form.customer_city.data or "",
                   "families": form.families.data or []}
    return render_template("opportunities/check.html", form=form, answer=answer, prefill=prefill), status


@bp.get("/<id:registration_id>")
@partner_required
def detail(registration_id: int):
    reg = _registration_or_404(registration_id)
    return _render_detail(reg)


def _render_detail(reg: Registration, outcome: OutcomeForm | None = None, status: int = 200) -> tuple[str, int]:
    history = [(e.event, e.at, e.actor_label) for e in events_of(reg)]  # event names only: data may name others
    outcome = outcome or OutcomeForm(formdata=None)
    if reg.status != "approved" and outcome.result.data != "won":
        outcome.result.choices = [c for c in outcome.result.choices if c.value == "lost"]  # only approved ones are won
    campaign_visible = reg.campaign is not None and campaigns.visible_to(current_partner(), reg.campaign)
    return render_template("opportunities/detail.html", reg=reg, history=history, today=clock.today(),
                           outcome=outcome, action=ActionForm(), campaign_visible=campaign_visible), status


@bp.post("/<id:registration_id>/extend")
@partner_required
def extend(registration_id: int):
    reg = _registration_or_404(registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.request_extension(current_partner(), current_user, reg)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("opportunities.detail", registration_id=reg.id))
    db.session.commit()
    flash(f"Extended: protected until {reg.protected_until}.", "success")
    return redirect(url_for("opportunities.detail", registration_id=reg.id))


@bp.post("/<id:registration_id>/outcome")
@partner_required
def outcome(registration_id: int):
    reg = _registration_or_404(registration_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render_detail(reg, form, 400)
    order_id: Any = form.order_id.data.strip() if form.order_id.data else None
    if order_id is not None:
        order_id = parse_id(order_id) or -1
    try:
        lifecycle.record_outcome(current_partner(), current_user, reg, form.result.data, form.reason.data, order_id)
    except DomainError as exc:
        db.session.rollback()
        reg = _registration_or_404(registration_id)
        show_errors(form, exc)
        return _render_detail(reg, form, exc.status)
    db.session.commit()
    flash(f"Recorded: {reg.status}.", "success")
    return redirect(url_for("opportunities.detail", registration_id=reg.id))
