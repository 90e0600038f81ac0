"""House accounts in the back office: the vendor's named direct customers (list, add, change, deactivate)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from admin.blueprint import bp
from opportunities.forms import FIELD_NAMES, HouseAccountForm, show_errors
from opportunities.models import HouseAccount
from opportunities.services import house_accounts as service
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.templating import register_nav

SORTS = {"name": HouseAccount.name, "country": HouseAccount.country, "created": HouseAccount.created_at}

register_nav("House accounts", "admin.house_accounts", "house-lock", ("admin", "partner_manager", "sales_ops"), 46)


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
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "name", tiebreak=HouseAccount.id)
    page, per_page = page_params(args, 25, 100)
    return render_template("admin/registrations/house_accounts.html", page=paginate(stmt, page, per_page, sort=sort))


def _form_page(form: HouseAccountForm, account: HouseAccount | None, status: int = 200):
    return render_template("admin/registrations/house_account_form.html", form=form, account=account), status


def _invalid(form: HouseAccountForm, account: HouseAccount | None):
    """A form that failed its own checks also shows the service's, so that every problem is shown at once."""
    for path, message in service.check_house_account(form.data_dict()).items():
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
        account = service.create_house_account(current_user, form.data_dict())
    except DomainError as exc:
        show_errors(form, exc)
        return _form_page(form, None, exc.status)
    db.session.commit()
    flash(f"House account {account.name} is added: new registrations of it go to review.", "success")
    return redirect(url_for("admin.house_accounts"))


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
        service.update_house_account(current_user, account, form.data_dict())
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc)
        return _form_page(form, get_or_404(HouseAccount, account_id), exc.status)
    db.session.commit()
    flash(f"House account {account.name} is saved.", "success")
    return redirect(url_for("admin.house_accounts"))
