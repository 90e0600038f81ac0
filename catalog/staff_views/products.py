"""Staff pages of products: list, detail, create and edit with option groups and rules."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from catalog.forms import ProductForm, product_form_data, product_payload, show_product_errors
from catalog.models import OptionGroup, PriceBook, PriceBookEntry, Product
from catalog.services import products as product_service
from catalog.staff_views import CATALOG_EDITORS, CATALOG_READERS, bp, can_edit_catalog
from catalog.staff_views.price_books import book_status, in_force_ids
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.money import Money
from portal.permissions import roles_required

SORTS = {"sku": Product.sku, "name": Product.name, "family": Product.family, "active": Product.active,
         "updated": Product.updated_at}
ACTIVE_FILTERS = {"active": True, "inactive": False}

NAV = (NavItem("Products", "catalog_staff.products", "box-seam", CATALOG_READERS, 60, menu="Products"),)


@bp.get("/products")
def products():
    args = request.args
    stmt = product_service.search(args.get("q"), args.get("family") or None)
    if args.get("active") in ACTIVE_FILTERS:
        stmt = stmt.where(Product.active.is_(ACTIVE_FILTERS[args["active"]]))
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "sku", tiebreak=Product.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    group_counts = dict(db.session.execute(
        select(OptionGroup.product_id, func.count()).where(
            OptionGroup.product_id.in_([p.id for p in result.items])).group_by(OptionGroup.product_id)).all())
    return render_template("admin/catalog/products.html", page=result, families=product_service.families(),
                           group_counts=group_counts, can_edit=can_edit_catalog())


@bp.get("/products/<id:product_id>")
def product_detail(product_id: int):
    product = get_or_404(Product, product_id)
    found = db.session.execute(
        select(PriceBookEntry, PriceBook).join(PriceBook, PriceBookEntry.price_book_id == PriceBook.id)
        .where(PriceBookEntry.code == product.sku).order_by(PriceBook.currency, PriceBook.valid_from.desc())).all()
    today = date.today()
    current = in_force_ids((book.currency for _, book in found), today)
    prices = [(book, book_status(book, today, current), Money(entry.unit_price_minor, book.currency),
               [(q, Money(m, book.currency)) for q, m in entry.tiers or []]) for entry, book in found]
    return render_template("admin/catalog/product_detail.html", product=product, prices=prices,
                           can_edit=can_edit_catalog())


def _save(form: ProductForm, product: Product | None) -> tuple[Product | None, int]:
    """Send the form to the service; on a domain error, show it on the form (nothing written)."""
    data, rows = product_payload(form)
    try:
        if product is None:
            product = product_service.create_product(current_user, data)
        else:
            product_service.update_product(current_user, product, data)
    except DomainError as exc:
        db.session.rollback()
        show_product_errors(form, exc, rows)
        return None, exc.status
    db.session.commit()
    return product, 200


def _product_page(form: ProductForm, product: Product | None, status: int):
    return render_template("admin/catalog/product_form.html", form=form, product=product,
                           option_codes=form.option_codes()), status


@bp.route("/products/new", methods=["GET", "POST"])
@roles_required(*CATALOG_EDITORS)
def new_product():
    form = ProductForm()
    if request.method == "GET":
        form.add_blank_rows(groups=1, options_per_group=3, rules=2)
        return _product_page(form, None, 200)
    if request.form.get("more"):
        form.add_blank_rows()
        return _product_page(form, None, 200)
    if not form.validate_on_submit():
        return _product_page(form, None, 400)
    product, status = _save(form, None)
    if product is None:
        return _product_page(form, None, status)
    flash(f"Product {product.sku} is created.", "success")
    return redirect(url_for("catalog_staff.product_detail", product_id=product.id))


@bp.route("/products/<id:product_id>/edit", methods=["GET", "POST"])
@roles_required(*CATALOG_EDITORS)
def edit_product(product_id: int):
    product = get_or_404(Product, product_id)
    if request.method == "GET":
        form = ProductForm(data=product_form_data(product))
        form.add_blank_rows()
        return _product_page(form, product, 200)
    form = ProductForm()
    if request.form.get("more"):
        form.add_blank_rows()
        return _product_page(form, product, 200)
    if not form.validate_on_submit():
        return _product_page(form, product, 400)
    saved, status = _save(form, product)
    if saved is None:
        return _product_page(form, product, status)
    flash(f"Product {product.sku} is updated.", "success")
    return redirect(url_for("catalog_staff.product_detail", product_id=product.id))
