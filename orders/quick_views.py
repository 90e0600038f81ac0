"""Partner pages for quick order (paste or upload SKU and quantity) and saved addresses."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from orders.forms import ActionForm, AddressForm, QuickOrderForm
from orders.services import addresses, quick
from orders.services.quick import QuickLine
from orders.views import bp
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.permissions import partner_required
from portal.tenancy import current_partner

@bp.route("/orders/quick", methods=["GET", "POST"])
@partner_required
def quick_order():
    """Check pasted or uploaded lines: the good ones can be added, the bad ones are listed."""
    form = QuickOrderForm()
    result, code = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is not None and getattr(upload, "filename", ""):
                rows = quick.read_upload(upload.filename, upload.read())
            else:
                rows = quick.read_text(form.lines.data or "")
            result = quick.check(rows)
        except DomainError as exc:
            form.form_errors.append(exc.message)
            code = 422
        else:
            code = 200 if not result.bad else 422
    elif request.method == "POST":
        code = 400
    return render_template("orders/quick.html", form=form, result=result, action=ActionForm()), code


@bp.post("/orders/quick/add")
@partner_required
def quick_add():
    """Add the checked good lines (sent back by the result page) to the cart."""
    if not ActionForm().validate_on_submit():
        abort(400)
    skus = request.form.getlist("sku")
    quantities = request.form.getlist("quantity")
    options = request.form.getlist("options")
    lines = [QuickLine(i + 1, sku, int(qty) if qty.isdigit() else None,
                       tuple(options[i].split()) if i < len(options) else ())
             for i, (sku, qty) in enumerate(zip(skus, quantities))]
    if not lines:
        flash("There was nothing to add.", "warning")
        return redirect(url_for("orders.quick_order"))
    result = quick.add_to_cart(current_partner(), current_user, lines)
    db.session.commit()
    if result.good:
        flash(f"{len(result.good)} line(s) added to your cart.", "success")
    for line in result.bad:
        flash(f"Line {line.number} ({line.sku}) not added: {line.problem}", "warning")
    return redirect(url_for("catalog.cart"))


@bp.route("/orders/addresses", methods=["GET", "POST"])
@partner_required
def address_book():
    form = AddressForm()
    code = 200
    if form.validate_on_submit():
        try:
            address = addresses.add_address(current_partner(), form.data)
        except DomainError as exc:
            apply_domain_error(form, DomainError(exc.message, fields={
                k.removeprefix("address."): v for k, v in exc.fields.items()}))
            code = exc.status
        else:
            db.session.commit()
            flash(f"Address {address.label} is saved.", "success")
            return redirect(url_for("orders.address_book"))
    elif request.method == "POST":
        code = 400
    return render_template("orders/addresses.html", form=form, addresses=addresses.saved(current_partner()),
                           action=ActionForm()), code


@bp.post("/orders/addresses/<id:address_id>/default")
@partner_required
def default_address(address_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        address = addresses.set_default(current_partner(), address_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(f"{address.label} is now your default address.", "success")
    return redirect(url_for("orders.address_book"))


@bp.post("/orders/addresses/<id:address_id>/remove")
@partner_required
def remove_address(address_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        address = addresses.archive(current_partner(), address_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(f"{address.label} is removed from your addresses.", "success")
    return redirect(url_for("orders.address_book"))
