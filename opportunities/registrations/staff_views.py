"""Deal registrations in the back office (`/admin/...`, blueprint `registrations_staff`): the review
queue, each registration with its conflicts side by side, approve (optionally rejecting the
conflicting ones in the same step) or reject; and the house accounts, the vendor's named direct
customers (list, add, change, deactivate)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from opportunities.registrations.forms import (
    FIELD_NAMES, DecisionForm, HouseAccountForm, RejectForm, show_errors,
)
from opportunities.registrations.models import PENDING_STATUSES, STATUSES, HouseAccount, Registration
from opportunities.registrations.services import clock, decisions
from opportunities.registrations.services import house_accounts as house_account_service
from opportunities.registrations.services import registrations as service
from opportunities.registrations.services.events import events_of
from portal.converters import parse_id
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.models import Partner, User
from portal.staff import staff_blueprint

bp = staff_blueprint("registrations_staff", __name__)

REVIEWERS = ("admin", "partner_manager", "sales_ops")
SORTS = {"submitted": Registration.submitted_at, "customer": Registration.customer_name,
         "amount": Registration.amount_minor, "status": Registration.status, "close": Registration.expected_close}
HOUSE_ACCOUNT_SORTS = {"name": HouseAccount.name, "country": HouseAccount.country, "created": HouseAccount.created_at}

NAV = (NavItem("Registrations", "registrations_staff.registrations", "shield-check", REVIEWERS, 45, menu="Deals"),
       NavItem("House accounts", "registrations_staff.house_accounts", "house-lock", REVIEWERS, 46, menu="Deals"))


@bp.get("/registrations")
def registrations():
    """The review queue (pending registrations, oldest first) and, with filters, every registration."""
    args = request.args
    stmt = select(Registration)
    status = args.get("status") or "pending"
    if status == "pending":
        stmt = stmt.where(Registration.status.in_(PENDING_STATUSES))
    elif status in STATUSES:
        stmt = stmt.where(Registration.status == status)
    if args.get("mine") == "1":
        stmt = stmt.where(Registration.partner_id.in_(select(Partner.id).where(Partner.manager_id == current_user.id)))
    if args.get("partner", "").isdigit():
        stmt = stmt.where(Registration.partner_id == (parse_id(args["partner"]) or 0))
    stmt = service.filter_list(stmt, q=args.get("q"), country=args.get("country") or None)
    default = "submitted" if status == "pending" else "-submitted"  # the queue: oldest first
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, default, tiebreak=Registration.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    partners = {p.id: p for p in db.session.scalars(
        select(Partner).where(Partner.id.in_({r.partner_id for r in result.items})))}
    return render_template("admin/registrations/index.html", page=result, partners=partners, statuses=STATUSES,
                           flags=service.conflict_flags(r.id for r in result.items), status=status,
                           now=datetime.now(timezone.utc))


def _render(reg: Registration, form: DecisionForm | None = None, reject: RejectForm | None = None,
            status: int = 200) -> tuple[str, int]:
    links = service.links_of(reg)
    others = [l.other for l in links if l.other is not None]
    partners = {p.id: p for p in db.session.scalars(
        select(Partner).where(Partner.id.in_({reg.partner_id, *(o.partner_id for o in others)})))}
    pending = [o for o in others if o.is_pending]
    form = form or DecisionForm(formdata=None)
    form.protection_days.render_kw = {"placeholder": str(current_app.config["REGISTRATION_PROTECTION_DAYS"])}
    form.rejection_reason.render_kw = {"placeholder": decisions.DEFAULT_REJECTION}
    form.reject_ids.choices = [(o.id, f"#{o.id} {partners[o.partner_id].name}") for o in pending]
    if form.reject_ids.data is None and request.method == "GET":
        form.reject_ids.data = []
    people = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({i for i in (reg.created_by_id, reg.decided_by_id) if i})))}
    first = min([reg, *others], key=lambda r: (r.submitted_at, r.id))
    earlier = [o for o in pending
               if o.partner_id != reg.partner_id and (o.submitted_at, o.id) < (reg.submitted_at, reg.id)]
    return render_template("admin/registrations/detail.html", reg=reg, links=links, partners=partners,
                           pending=pending, form=form, reject=reject or RejectForm(formdata=None),
                           events=events_of(reg), people=people, first=first, today=clock.today(),
                           earlier=min(earlier, key=lambda r: (r.submitted_at, r.id)) if earlier else None,
                           can_decide=decisions.can_decide(current_user),
                           blocked_by=decisions.blocking(reg, links) if reg.is_pending else None), status


@bp.get("/registrations/<id:registration_id>")
def registration_detail(registration_id: int):
    return _render(get_or_404(Registration, registration_id))


@bp.post("/registrations/<id:registration_id>/approve")
def approve_registration(registration_id: int):
    reg = get_or_404(Registration, registration_id)
    if not decisions.can_decide(current_user):
        abort(403)
    form = DecisionForm()
    form.reject_ids.choices = [(o.id, str(o.id)) for o in decisions.pending_conflicting(reg)]
    if not form.validate_on_submit():
        return _render(reg, form, status=400)
    try:
        rejected = decisions.approve_registration(
            current_user, reg, form.protection_days.data, form.discount_percent.data,
            reject_ids=form.reject_ids.data or [], rejection_reason=form.rejection_reason.data)
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _render(get_or_404(Registration, registration_id), form, status=exc.status)
    db.session.commit()
    extra = f"; rejected {', '.join(f'#{r.id}' for r in rejected)}" if rejected else ""
    flash(f"Registration #{reg.id} is approved until {reg.protected_until}{extra}.", "success")
    return redirect(url_for("registrations_staff.registrations", status="pending"))


@bp.post("/registrations/<id:registration_id>/reject")
def reject_registration(registration_id: int):
    reg = get_or_404(Registration, registration_id)
    if not decisions.can_decide(current_user):
        abort(403)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render(reg, reject=form, status=400)
    try:
        decisions.reject_registration(current_user, reg, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _render(get_or_404(Registration, registration_id), reject=form, status=exc.status)
    db.session.commit()
    flash(f"Registration #{reg.id} is rejected.", "success")
    return redirect(url_for("registrations_staff.registrations", status="pending"))


# --- house accounts ------------------------------------------------------------------------------------

@bp.get("/house-accounts")
def house_accounts():
    args = request.args
    stmt = select(HouseAccount)
    q = (args.get("q") or "").strip()
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(column.ilike(like, escape="\\") for column in (
            HouseAccount.name, HouseAccount.domain, HouseAccount.vat_id))))
    if args.get("active") in ("yes", "no"):
        stmt = stmt.where(HouseAccount.active.is_(args["active"] == "yes"))
    stmt, sort = apply_sort(stmt, args.get("sort"), HOUSE_ACCOUNT_SORTS, "name", tiebreak=HouseAccount.id)
    page, per_page = page_params(args, 25, 100)
    return render_template("admin/registrations/house_accounts.html", page=paginate(stmt, page, per_page, sort=sort))


def _form_page(form: HouseAccountForm, account: HouseAccount | None, status: int = 200):
    return render_template("admin/registrations/house_account_form.html", form=form, account=account), status


def _invalid(form: HouseAccountForm, account: HouseAccount | None):
    """A form that failed its own checks also shows the service's, so that every problem is shown at once."""
    for path, message in house_account_service.check_house_account(form.data_dict()).items():
        field = getattr(form, FIELD_NAMES.get(path, path), None)
        if field is not None and not field.errors:
            field.errors = list(field.errors) + [message]
    return _form_page(form, account, 400)


@bp.route("/house-accounts/new", methods=["GET", "POST"])
def new_house_account():
    form = HouseAccountForm()
    form.prepare()
    if request.method == "GET":
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _invalid(form, None)
    try:
        account = house_account_service.create_house_account(current_user, form.data_dict())
    except DomainError as exc:
        show_errors(form, exc)
        return _form_page(form, None, exc.status)
    db.session.commit()
    flash(f"House account {account.name} is added: new registrations of it go to review.", "success")
    return redirect(url_for("registrations_staff.house_accounts"))


@bp.route("/house-accounts/<id:account_id>/edit", methods=["GET", "POST"])
def edit_house_account(account_id: int):
    account = get_or_404(HouseAccount, account_id)
    form = HouseAccountForm()
    form.prepare()
    if request.method == "GET":
        form.customer_name.data, form.customer_domain.data = account.name, account.domain
        form.customer_country.data, form.customer_city.data = account.country, account.city
        form.customer_vat.data, form.notes.data, form.active.data = account.vat_id, account.notes, account.active
        return _form_page(form, account)
    if not form.validate_on_submit():
        return _invalid(form, account)
    try:
        house_account_service.update_house_account(current_user, account, form.data_dict())
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _form_page(form, get_or_404(HouseAccount, account_id), exc.status)
    db.session.commit()
    flash(f"House account {account.name} is saved.", "success")
    return redirect(url_for("registrations_staff.house_accounts"))
