"""Leads in the back office: every lead with its owner, clock and history; create, import with a
preview, assign, reassign, put in the pool, close; pool statistics. The leads feature's staff
blueprint, `leads_staff` (`/admin/leads...`), and the staff dashboards' lead panel."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from opportunities.leads import queries
from opportunities.leads.files import MAX_ROWS
from opportunities.leads.forms import AssignForm, CloseForm, ImportForm, LeadForm, PoolForm, show_errors
from opportunities.leads.models import (
    LEAD_STATUSES, Lead, LeadCooldown, LeadEvent, LeadImport, LeadOwnership,
)
from opportunities.leads.services import distribution, imports, stats
from opportunities.registrations.services import attribution
from portal.converters import parse_id
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import options
from portal.listing import apply_sort, page_params, paginate
from portal.models import Partner, User
from portal.permissions import roles_required
from portal.staff import staff_blueprint

bp = staff_blueprint("leads_staff", __name__)
DISTRIBUTORS = ("admin", "partner_manager")
SORTS = {"company": Lead.company_name, "status": Lead.status, "region": Lead.region,
         "due": queries.due_order(), "created": Lead.created_at, "updated": Lead.updated_at}

NAV = (NavItem("Leads", "leads_staff.leads", "person-lines-fill", ("admin", "partner_manager", "sales_ops"), 60,
               menu="Deals"),)


def lead_staff_panel() -> dict[str, int]:
    """Counts for the staff dashboards: leads per status and fall-backs in the last 7 days (a
    template global, added by `init_app`)."""
    counts = stats.status_counts()
    since = datetime.now(timezone.utc) - timedelta(days=7)
    fell_back = db.session.scalar(select(func.count(LeadEvent.id)).where(
        LeadEvent.action == "fell_back", LeadEvent.created_at >= since)) or 0
    return {**{s: counts.get(s, 0) for s in LEAD_STATUSES}, "fell_back_7d": fell_back}


def can_distribute(user: Any) -> bool:
    """Partner managers and admins create and distribute leads; other staff look."""
    return getattr(user, "role", None) in DISTRIBUTORS


def _partner_choices(blank: str | None) -> list[Any]:
    partners = db.session.scalars(select(Partner).where(Partner.status == "active").order_by(Partner.name))
    pairs = [(str(p.id), f"{p.name} ({p.region}, {p.tier})") for p in partners]
    return options(([("", blank)] if blank is not None else []) + pairs)


def _partners_by_id(ids: set[int | None]) -> dict[int, Partner]:
    ids = {i for i in ids if i}
    return {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(ids)))} if ids else {}


def _deadline(value: Any) -> datetime | None:
    return datetime.combine(value, time(23, 59), tzinfo=timezone.utc) if value else None


@bp.get("/leads")
def leads():
    args = request.args
    status = args.get("status") if args.get("status") in LEAD_STATUSES else None
    partner_id = parse_id(args.get("partner"))
    stmt = queries.staff_stmt(status=status, region=args.get("region") or None, partner_id=partner_id,
                              q=(args.get("q") or "").strip() or None)
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "-created", tiebreak=Lead.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    owners = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({l.owner_user_id for l in result.items if l.owner_user_id})))}
    return render_template("admin/leads/index.html", page=result, statuses=LEAD_STATUSES,
                           partners=_partners_by_id({l.owner_partner_id for l in result.items}),
                           owners=owners, regions=queries.regions(), counts=stats.status_counts(),
                           partner_choices=_partner_choices("Any partner"),
                           can_distribute=can_distribute(current_user))


@bp.route("/leads/new", methods=["GET", "POST"])
@roles_required(*DISTRIBUTORS)
def new_lead():
    form = LeadForm()
    form.partner_id.choices = _partner_choices("None: put it in the pool")
    form.campaign_id.choices = options([("", "None")] + [
        (str(c.id), f"{c.name} ({c.starts_on.isoformat()} – {c.ends_on.isoformat()})")
        for c in attribution.staff_campaigns()])
    status = 200
    if form.validate_on_submit():
        data = form.to_input()
        data["assignment_deadline"] = _deadline(form.assignment_deadline.data)
        try:
            lead = distribution.create_lead(current_user, data)
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            where = "offered to a partner" if lead.status == "assigned" else "in the pool"
            flash(f"Lead {lead.company_name} is created ({where}).", "success")
            return redirect(url_for("leads_staff.lead_detail", lead_id=lead.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/leads/form.html", form=form, regions=queries.regions()), status


def _render_detail(lead: Lead, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    forms = forms or {}
    assign = forms.get("assign") or AssignForm(formdata=None)
    assign.partner_id.choices = _partner_choices("Choose a partner")
    pool = forms.get("pool") or PoolForm(formdata=None, region=lead.region, tiers=lead.eligible_tiers)
    history = queries.history_of(lead)
    periods = list(db.session.scalars(select(LeadOwnership).where(LeadOwnership.lead_id == lead.id)
                                      .order_by(LeadOwnership.id)))
    cooldowns = list(db.session.scalars(select(LeadCooldown).where(LeadCooldown.lead_id == lead.id)))
    ids = {lead.owner_partner_id} | {e.from_partner_id for e in history} | {e.to_partner_id for e in history}
    activities = queries.activities_for(lead, None)
    ids |= {p.partner_id for p in periods} | {c.partner_id for c in cooldowns}
    ids |= {a.partner_id for a in activities}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {a.user_id for a in activities} | {p.user_id for p in periods} | {lead.owner_user_id})))}
    return render_template("admin/leads/detail.html", lead=lead, history=history, periods=periods,
                           cooldowns=cooldowns, activities=activities, partners=_partners_by_id(ids),
                           users=users, assign_form=assign, pool_form=pool,
                           close_form=forms.get("close") or CloseForm(formdata=None),
                           regions=queries.regions(), can_distribute=can_distribute(current_user)), status


@bp.get("/leads/<id:lead_id>")
def lead_detail(lead_id: int):
    return _render_detail(get_or_404(Lead, lead_id))


def _staff_action(lead_id: int, name: str, form: Any, action: Any, success: str) -> Any:
    lead = get_or_404(Lead, lead_id)
    if not form.validate_on_submit():
        return _render_detail(lead, {name: form}, 400)
    try:
        action(lead)
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _render_detail(get_or_404(Lead, lead_id), {name: form}, exc.status)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("leads_staff.lead_detail", lead_id=lead_id))


@bp.post("/leads/<id:lead_id>/assign")
@roles_required(*DISTRIBUTORS)
def lead_assign(lead_id: int):
    form = AssignForm()
    form.partner_id.choices = _partner_choices("Choose a partner")

    def run(lead: Lead) -> None:
        choice = form.partner_id.data or ""
        partner_id = parse_id(choice)
        partner = db.session.get(Partner, partner_id) if partner_id else None
        if partner is None:
            raise distribution.LeadError("Choose a partner.", fields={"partner_id": "Choose a partner."})
        distribution.assign_lead(partner, current_user, lead, reason=form.reason.data or "",
                                 deadline=_deadline(form.assignment_deadline.data))

    return _staff_action(lead_id, "assign", form, run, "The lead is offered to the partner.")


@bp.post("/leads/<id:lead_id>/pool")
@roles_required(*DISTRIBUTORS)
def lead_pool(lead_id: int):
    form = PoolForm()
    return _staff_action(lead_id, "pool", form, lambda lead: distribution.put_in_pool(
        current_user, lead, region=form.region.data, tiers=list(form.tiers.data or []),
        reason=form.reason.data or ""), "The lead is in the pool.")


@bp.post("/leads/<id:lead_id>/close")
@roles_required(*DISTRIBUTORS)
def lead_close(lead_id: int):
    form = CloseForm()
    return _staff_action(lead_id, "close", form, lambda lead: distribution.close_lead(
        current_user, lead, form.reason.data), "The lead is closed.")


@bp.route("/leads/import", methods=["GET", "POST"])
@roles_required(*DISTRIBUTORS)
def lead_import():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = imports.preview_import(current_user, upload.filename or "", upload.read())
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + [exc.message]
            status = exc.status
        else:
            db.session.commit()
            return redirect(url_for("leads_staff.lead_import_detail", import_id=job.id))
    elif request.method == "POST":
        status = 400
    recent = db.session.scalars(select(LeadImport).order_by(LeadImport.id.desc()).limit(10)).all()
    return render_template("admin/leads/import.html", form=form, recent=recent, max_rows=MAX_ROWS,
                           columns=imports.expected_columns(), grace_days=attribution.grace_days()), status


@bp.get("/leads/imports/<id:import_id>")
def lead_import_detail(import_id: int):
    job = get_or_404(LeadImport, import_id)
    return render_template("admin/leads/import_preview.html", job=job,
                           can_distribute=can_distribute(current_user))


@bp.post("/leads/imports/<id:import_id>/apply")
@roles_required(*DISTRIBUTORS)
def lead_import_apply(import_id: int):
    job = get_or_404(LeadImport, import_id)
    try:
        count = imports.apply_import(current_user, job)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("leads_staff.lead_import_detail", import_id=import_id))
    db.session.commit()
    flash(f"{count} lead{'s' if count != 1 else ''} imported.", "success")
    return redirect(url_for("leads_staff.leads", sort="-created"))


@bp.get("/leads/stats")
def lead_stats():
    region = request.args.get("region") or None
    since = _date_arg("since")
    result = stats.pool_stats(since=since, region=region)
    return render_template("admin/leads/stats.html", stats=result, regions=queries.regions(),
                           region=region, since=request.args.get("since", ""))


def _date_arg(name: str) -> datetime | None:
    try:
        value = datetime.strptime(request.args.get(name, ""), "%Y-%m-%d")
    except ValueError:
        return None
    return value.replace(tzinfo=timezone.utc)
