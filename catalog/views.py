"""Partner catalog pages: browse, product page and configurator, cart."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.cart_forms import AddToCartForm, CartActionForm, QuantityForm, QuickAddForm
from catalog.models import Product
from catalog.services import browse, carts
from catalog.services.configurations import Checked, check_configuration
from portal.errors import Malformed, json_error
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import page_params
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("catalog", __name__)
PER_PAGE = 20
PARTNER_ROLES = ("partner_admin", "partner_user")

NAV = (NavItem("Catalog", "catalog.index", "grid-3x3-gap", PARTNER_ROLES, 10),
       NavItem("Cart", "catalog.cart", "cart3", PARTNER_ROLES, 20))


def _product_or_404(sku: str) -> Product:
    """An orderable product; unknown and inactive products are a 404 for partners."""
    product = browse.product_for_partner(sku)
    if product is None:
        abort(404)
    return product


def _chosen(values: list[Any]) -> list[str]:
    """Chosen option codes from a form or JSON list ("" is a radio group's "none")."""
    return [str(v).strip() for v in values if str(v).strip()]


def _form_options() -> list[str]:
    """Options of the product form: checkboxes are `options`, each radio group `options.<group>`."""
    return _chosen([value for key, values in request.form.lists()
                    if key == "options" or key.startswith("options.") for value in values])


def _render_product(product: Product, checked: Checked, form: AddToCartForm,
                    status: int = 200) -> tuple[str, int]:
    return render_template("catalog/product.html", product=product, checked=checked, form=form,
                           chosen=set(checked.options)), status


@bp.get("/catalog")
@partner_required
def index():
    page, _ = page_params(request.args, PER_PAGE, PER_PAGE)
    result = browse.catalog_page(current_partner(), q=request.args.get("q", "").strip() or None,
                                 family=request.args.get("family") or None,
                                 sort=request.args.get("sort"), page=page, per_page=PER_PAGE)
    return render_template("catalog/index.html", result=result, page=result.page,
                           currency=current_partner().currency)


@bp.get("/catalog/<path:sku>")
@partner_required
def product_detail(sku: str):
    product = _product_or_404(sku)
    form = AddToCartForm()
    return _render_product(product, check_configuration(current_partner(), product, 1, []), form)


def _checked_json(checked: Checked) -> dict[str, Any]:
    price = None
    if checked.price is not None:
        line = checked.price
        price = {**line.as_dict(), "currency": line.currency,
                 "unit_net_display": line.unit_net.format(),
                 "line_total_display": line.line_total.format(),
                 "waterfall": [{**step.as_dict(), "display": step.amount.format()}
                               for step in line.waterfall]}
    return {"valid": checked.result.valid, "problems": checked.result.problems,
            "availability": {code: {"available": a.available, "reasons": a.reasons, "chosen": a.chosen}
                             for code, a in checked.result.availability.items()},
            "group_problems": checked.group_problems, "price": price, "errors": checked.errors}


@bp.post("/catalog/<path:sku>/configure")
@partner_required
def configure(sku: str):
    """The live configurator: problems, availability and the price waterfall, as JSON."""
    product = _product_or_404(sku)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("options", []), list):
        return json_error(400, Malformed.code, "Send a JSON object {quantity, options: [codes]}.",
                          {"options": "Must be a list of option codes."})
    checked = check_configuration(current_partner(), product, body.get("quantity"),
                                  _chosen(body.get("options", [])))
    return jsonify(_checked_json(checked))


@bp.post("/catalog/<path:sku>/add")
@partner_required
def add_to_cart(sku: str):
    product = _product_or_404(sku)
    form = AddToCartForm()
    options = _form_options()
    partner = current_partner()
    if not form.validate_on_submit():
        checked = check_configuration(partner, product, request.form.get("quantity"), options)
        return _render_product(product, checked, form, 400)
    try:
        carts.add_line(partner, current_user, product, form.quantity.data, options)
    except carts.InvalidConfiguration as exc:
        return _render_product(product, exc.checked, form, 422)
    except carts.CartError as exc:
        form.quantity.errors = [exc.fields.get("quantity", exc.message)]  # e.g. too many in total
        checked = check_configuration(partner, product, form.quantity.data, options)
        return _render_product(product, checked, form, 422)
    added = f"{form.quantity.data} × {product.name} added to your cart."  # before the commit expires it
    db.session.commit()
    flash(added, "success")
    return redirect(url_for("catalog.cart"))


def _render_cart(quick: QuickAddForm | None = None, line_errors: dict[int, str] | None = None,
                 status: int = 200) -> tuple[str, int]:
    priced = carts.price_cart(current_partner(), current_user)
    return render_template("catalog/cart.html", cart=priced, quick=quick or QuickAddForm(formdata=None),
                           action=CartActionForm(), line_errors=line_errors or {}), status


@bp.get("/cart")
@partner_required
def cart():
    return _render_cart()


@bp.post("/cart/add")
@partner_required
def quick_add():
    form = QuickAddForm()
    if not form.validate_on_submit():
        return _render_cart(quick=form, status=400)
    sku = form.sku.data.strip()
    try:
        carts.add_line(current_partner(), current_user, sku, form.quantity.data, [])
    except carts.InvalidConfiguration as exc:
        problems = " ".join(exc.checked.errors.values())
        form.sku.errors = [f"{problems} Configure {sku} on its product page."]
        return _render_cart(quick=form, status=422)
    except carts.CartError as exc:
        form.sku.errors = list(exc.fields.values()) or [exc.message]
        return _render_cart(quick=form, status=422)
    db.session.commit()
    flash(f"{form.quantity.data} × {sku} added to your cart.", "success")
    return redirect(url_for("catalog.cart"))


@bp.post("/cart/lines/<id:line_id>")
@partner_required
def update_line(line_id: int):
    line = carts.get_line(current_partner(), current_user, line_id)
    form = QuantityForm()
    if not form.validate_on_submit():
        return _render_cart(line_errors={line.id: " ".join(form.quantity.errors)}, status=400)
    carts.update_quantity(current_partner(), current_user, line.id, form.quantity.data)
    db.session.commit()
    flash(f"The quantity of {line.sku} is now {line.quantity}.", "success")
    return redirect(url_for("catalog.cart"))


@bp.post("/cart/lines/<id:line_id>/remove")
@partner_required
def remove_line(line_id: int):
    if not CartActionForm().validate_on_submit():
        abort(400)
    line = carts.remove_line(current_partner(), current_user, line_id)
    db.session.commit()
    flash(f"{line.sku} was removed from your cart.", "success")
    return redirect(url_for("catalog.cart"))


@bp.post("/cart/clear")
@partner_required
def clear_cart():
    if not CartActionForm().validate_on_submit():
        abort(400)
    removed = carts.clear_cart(current_partner(), current_user)
    db.session.commit()
    flash(f"Your cart is empty ({removed} line{'s' if removed != 1 else ''} removed).", "success")
    return redirect(url_for("catalog.cart"))
