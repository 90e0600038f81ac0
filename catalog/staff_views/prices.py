"""Staff pages: the tier discount grid and a partner's contract prices."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from catalog.forms import ContractPricesForm, TierDiscountForm, show_row_errors, tier_discount_data
from catalog.models import Option, Product, TierDiscount
from catalog.services import pricebooks as book_service
from catalog.services import products as product_service
from catalog.staff_views import CATALOG_EDITORS, bp, can_edit_catalog
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.models import PARTNER_TIERS, Partner
from portal.money import Money
from portal.permissions import roles_required

CONTRACT_BLANK_ROWS = 3


def _families() -> list[str]:
    """Product families, and the families that already have a discount."""
    stored = db.session.scalars(select(TierDiscount.family).distinct()).all()
    return sorted(set(product_service.families()) | set(stored))


def _discount_page(form: TierDiscountForm, status: int):
    families = [f.data for f in form.families]
    return render_template("admin/catalog/tier_discounts.html", form=form, families=families,
                           can_edit=can_edit_catalog()), status


@bp.get("/price-books/tier-discounts")
def tier_discounts():
    percents = {(d.tier, d.family): d.percent for d in db.session.scalars(select(TierDiscount))}
    form = TierDiscountForm(data=tier_discount_data(PARTNER_TIERS, _families(), percents))
    return _discount_page(form, 200)


@bp.post("/price-books/tier-discounts")
@roles_required(*CATALOG_EDITORS)
def save_tier_discounts():
    form = TierDiscountForm()
    if not form.validate_on_submit():
        return _discount_page(form, 400)
    rows, cells = form.payload()
    try:
        book_service.set_tier_discounts(current_user, rows)
    except DomainError as exc:
        db.session.rollback()
        show_row_errors(form, exc, cells)
        return _discount_page(form, exc.status)
    db.session.commit()
    flash(f"{len(rows)} tier discounts are saved.", "success")
    return redirect(url_for("catalog_staff.tier_discounts"))


def _contract_page(form: ContractPricesForm, partner: Partner, status: int):
    if can_edit_catalog() and not any(r.form.blank() for r in form.rows):
        for _ in range(CONTRACT_BLANK_ROWS):
            form.rows.append_entry()
    codes = {(r.form.code.data or "").strip() for r in form.rows} - {""}
    known = set(db.session.scalars(select(Product.sku).where(Product.sku.in_(codes)))) | set(
        db.session.scalars(select(Option.code).where(Option.code.in_(codes))))
    return render_template("admin/catalog/contract_prices.html", form=form, partner=partner,
                           unknown=codes - known, can_edit=can_edit_catalog()), status


@bp.get("/partners/<id:partner_id>/contract-prices")
def contract_prices(partner_id: int):
    partner = get_or_404(Partner, partner_id)

    def text(minor: int) -> str:
        return Money(minor, partner.currency).as_str()

    rows = [{"code": c.code, "unit_price": text(c.unit_price_minor),
             "valid_from": c.valid_from.isoformat() if c.valid_from else "",
             "valid_to": c.valid_to.isoformat() if c.valid_to else ""}
            for c in book_service.contract_prices_of(partner)]
    return _contract_page(ContractPricesForm(data={"rows": rows}), partner, 200)


@bp.post("/partners/<id:partner_id>/contract-prices")
@roles_required(*CATALOG_EDITORS)
def save_contract_prices(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    form = ContractPricesForm()
    if request.form.get("more"):
        for _ in range(CONTRACT_BLANK_ROWS):
            form.rows.append_entry()
        return _contract_page(form, partner, 200)
    if not form.validate_on_submit():
        return _contract_page(form, partner, 400)
    rows, kept = form.payload()
    try:
        book_service.set_contract_prices(partner, current_user, rows)
    except DomainError as exc:
        db.session.rollback()
        show_row_errors(form, exc, kept)
        return _contract_page(form, partner, exc.status)
    db.session.commit()
    flash(f"{len(rows)} contract prices of {partner.name} are saved.", "success")
    return redirect(url_for("catalog_staff.contract_prices", partner_id=partner.id))
