"""Partners in the back office: list with filters, create, edit, suspend."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from admin.blueprint import bp
from catalog.models import PriceBook
from portal import choices
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import PartnerForm, apply_domain_error, form_data, options
from portal.listing import apply_sort, page_params, paginate
from portal.models import PARTNER_KINDS, PARTNER_STATUSES, PARTNER_TIERS, Partner, User
from portal.permissions import can_edit_partner, can_manage_partners, roles_required
from portal.services import partners as partner_service

FIELDS = ("name", "kind", "tier", "country", "region", "currency", "credit_limit",
          "payment_terms_days", "status", "manager_id", "price_book_id")
SORTS = {"name": Partner.name, "tier": Partner.tier, "country": Partner.country,
         "region": Partner.region, "status": Partner.status, "credit_limit": Partner.credit_limit_minor,
         "created": Partner.created_at}


def _form(partner: Partner | None = None) -> PartnerForm:
    form = PartnerForm(obj=partner)
    if partner is not None and request.method == "GET":
        form.credit_limit.data = partner.credit_limit.as_str()
        form.manager_id.data = str(partner.manager_id or "")
        form.price_book_id.data = str(partner.price_book_id or "")
    form.country.choices = options([("", "Choose a country")] + choices.country_options())
    form.region.choices = options([("", "Choose a region")] + choices.region_options())
    form.currency.choices = options([("", "Choose a currency")] + choices.currency_options())
    form.manager_id.choices = options([("", "No manager")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in partner_service.managers()])
    form.price_book_id.choices = options([("", "None: the book in the partner's currency")] + [
        (str(b.id), f"{b.name} ({b.currency}, from {b.valid_from})") for b in db.session.scalars(
            select(PriceBook).order_by(PriceBook.currency, PriceBook.valid_from.desc()))])
    return form


@bp.get("/partners")
def partners():
    args = request.args
    stmt = select(Partner)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(Partner.name.ilike(f"%{q}%"), Partner.region.ilike(f"%{q}%")))
    for key, choices in (("tier", PARTNER_TIERS), ("kind", PARTNER_KINDS), ("status", PARTNER_STATUSES)):
        if args.get(key) in choices:
            stmt = stmt.where(getattr(Partner, key) == args[key])
    if args.get("manager") == "me":
        stmt = stmt.where(Partner.manager_id == current_user.id)
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "name", tiebreak=Partner.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    managers = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({p.manager_id for p in result.items if p.manager_id})))}
    return render_template("admin/partners.html", page=result, managers=managers,
                           tiers=PARTNER_TIERS, kinds=PARTNER_KINDS, statuses=PARTNER_STATUSES)


@bp.route("/partners/new", methods=["GET", "POST"])
@roles_required("admin", "partner_manager")
def new_partner():
    form = _form()
    status = 200
    if form.validate_on_submit():
        try:
            partner = partner_service.create_partner(current_user, form_data(form, FIELDS))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"Partner {partner.name} is created.", "success")
            return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/partner_form.html", form=form, partner=None), status


@bp.get("/partners/<id:partner_id>")
def partner_detail(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    members = db.session.scalars(select(User).where(User.partner_id == partner.id).order_by(User.name)).all()
    return render_template("admin/partner_detail.html", partner=partner, members=members,
                           can_create=can_manage_partners(current_user))


@bp.route("/partners/<id:partner_id>/edit", methods=["GET", "POST"])
def edit_partner(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    if not can_edit_partner(current_user, partner):
        abort(403)
    form = _form(partner)
    status = 200
    if form.validate_on_submit():
        try:
            partner_service.update_partner(current_user, partner, form_data(form, FIELDS))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"Partner {partner.name} is updated.", "success")
            return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/partner_form.html", form=form, partner=partner), status
