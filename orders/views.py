"""Partner order pages: checkout with a review step, order history and detail, PDF, cancel,
reorder and the card payment page. Quick order and addresses are in `orders/quick_views.py`."""
from __future__ import annotations

import secrets

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_login import current_user
from sqlalchemy import select

from orders import documents, payments
from orders.forms import NEW_ADDRESS, ActionForm, CardForm, CheckoutForm
from orders.models import CANCELLABLE_BY_PARTNER, ORDER_STATUSES, Order, Payment
from orders.services import (
    CardDeclined, OrderError, PaymentUnavailable, addresses, checkout, placing, quick, queries, status,
)
from orders.services.idempotency import request_hash
from portal.converters import parse_id
from portal.db import get_for_partner_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import options
from portal.listing import apply_sort, page_params, paginate
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("orders", __name__)
PARTNER_ROLES = ("partner_admin", "partner_user")
NAV = (NavItem("Orders", "orders.index", "receipt", PARTNER_ROLES, 30),)


def _order(order_id: int) -> Order:
    return get_for_partner_or_404(Order, order_id, current_partner())


@bp.app_template_global()
def order_summary_for(partner) -> dict:
    """Small dashboard panel: credit left and the latest orders."""
    credit = placing.credit_summary(partner)
    recent = db.session.scalars(Order.for_partner(partner).order_by(Order.id.desc()).limit(5)).all()
    return {"credit": credit, "recent": recent}


# --- checkout ------------------------------------------------------------------------------

def _checkout_form(formdata=True) -> CheckoutForm:
    form = CheckoutForm() if formdata else CheckoutForm(formdata=None)
    saved = addresses.saved(current_partner())
    form.address_id.choices = options([(str(a.id), f"{a.label}: {a.recipient}, {a.street}, {a.city} ({a.country})")
                                       for a in saved] + [(NEW_ADDRESS, "A new address…")])
    if not form.address_id.data or form.address_id.data == "None":
        form.address_id.data = str(saved[0].id) if saved else NEW_ADDRESS
    choices = [("on_account", "On account (invoice)")]
    if payments.card_enabled():
        choices.append(("card", "Card (paid now, through Stripe)"))
    form.payment_method.choices = options(choices)
    if request.method == "GET":
        form.quote_id.data = request.args.get("quote_id", "")
    return form


def _quote_id(form: CheckoutForm) -> int | None:
    value = (form.quote_id.data or "").strip()
    return parse_id(value)


def _render_checkout(form: CheckoutForm, status: int = 200):
    partner = current_partner()
    return render_template("orders/checkout.html", form=form, credit=placing.credit_summary(partner),
                           card=payments.card_enabled(), quote_id=_quote_id(form)), status


@bp.get("/checkout")
@partner_required
def checkout_form():
    return _render_checkout(_checkout_form())


@bp.post("/checkout/review")
@partner_required
def review():
    form = _checkout_form()
    if not form.validate_on_submit():
        return _render_checkout(form, 400)
    try:
        result = checkout.place(current_partner(), current_user, _place_request(form), dry_run=True)
    except DomainError as exc:
        _form_errors(form, exc)
        return _render_checkout(form, exc.status)
    form.token.data = secrets.token_urlsafe(24)  # one-time: placing twice gives the same order
    return render_template("orders/review.html", form=form, preview=result, quote_id=_quote_id(form))


def _place_request(form: CheckoutForm, once: checkout.Idempotency | None = None) -> checkout.PlaceRequest:
    """The checkout form as a placing request (of the cart, or of the quote it names)."""
    return checkout.PlaceRequest(form.header(), "cart", quote_id=_quote_id(form), idempotency=once,
                                 save_address=bool(form.save_address.data))


def _form_errors(form: CheckoutForm, exc: DomainError) -> None:
    """The message above the form, field errors next to their fields (ship_to.city -> city)."""
    form.form_errors.append(exc.message)
    for name, message in exc.fields.items():
        field = getattr(form, name.removeprefix("ship_to.").split(".")[0], None)
        if field is not None and hasattr(field, "errors") and not name.startswith("lines"):
            field.errors = list(field.errors) + [message]
        elif name.startswith("lines"):
            form.form_errors.append(message)


@bp.post("/checkout/place")
@partner_required
def place():
    form = _checkout_form()
    if not form.validate_on_submit() or not form.token.data:
        return _render_checkout(form, 400)
    once = checkout.Idempotency("form", form.token.data,
                                request_hash({**form.header(), "quote_id": _quote_id(form)}), strict=False)
    try:
        placed = checkout.place(current_partner(), current_user, _place_request(form, once))
    except placing.AlreadyOrdered as exc:  # another tab placed this cart or quote meanwhile
        db.session.rollback()
        flash(exc.message, "warning")
        target = (url_for("orders.detail", order_id=exc.order_id) if exc.order_id
                  else url_for("catalog.cart"))
        return redirect(target, 303)
    except DomainError as exc:
        db.session.rollback()
        _form_errors(form, exc)
        return _render_checkout(form, exc.status)
    db.session.commit()
    order = placed.order
    if not placed.created:
        flash(f"Order {order.number} was already placed from this form; it was not placed twice.", "info")
        return redirect(url_for("orders.detail", order_id=order.id))
    if order.payment_method == "card":
        problem = checkout.start_card_payment(order)
        if problem is not None:
            flash(problem, "warning")
            return redirect(url_for("orders.detail", order_id=order.id))
        flash(f"Order {order.number} is placed. Pay it by card to submit it.", "success")
        return redirect(url_for("orders.pay", order_id=order.id))
    flash(f"Order {order.number} is placed and submitted. Thank you!", "success")
    return redirect(url_for("orders.detail", order_id=order.id))


# --- history and detail -------------------------------------------------------------------

@bp.get("/orders")
@partner_required
def index():
    args = request.args
    stmt = queries.for_partner(current_partner(), args)
    stmt, sort = apply_sort(stmt, args.get("sort"), queries.SORTS, "-date", tiebreak=Order.id.desc())
    page, per_page = page_params(args, 20, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    return render_template("orders/index.html", page=result, statuses=ORDER_STATUSES,
                           credit=placing.credit_summary(current_partner()))


@bp.get("/orders/<id:order_id>")
@partner_required
def detail(order_id: int):
    order = _order(order_id)
    payments_ = db.session.scalars(select(Payment).where(Payment.order_id == order.id)
                                   .order_by(Payment.attempt)).all()
    return render_template("orders/detail.html", order=order, payments=payments_,
                           can_cancel=order.status in CANCELLABLE_BY_PARTNER, action=ActionForm(),
                           card=payments.card_enabled())


@bp.get("/orders/<id:order_id>/document.pdf")
@partner_required
def document_pdf(order_id: int):
    pdf, filename = documents.order_pdf(_order(order_id))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.post("/orders/<id:order_id>/cancel")
@partner_required
def cancel(order_id: int):
    order = _order(order_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        status.cancel_for_partner(current_partner(), current_user, order.id, form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("orders.detail", order_id=order_id)), 303
    db.session.commit()
    payments.after_cancel(order_id)
    flash(f"Order {order.number} is cancelled.", "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.post("/orders/<id:order_id>/reorder")
@partner_required
def reorder(order_id: int):
    order = _order(order_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = quick.reorder(current_partner(), current_user, order)
    db.session.commit()
    if result.good:
        flash(f"{len(result.good)} line(s) of {order.number} are in your cart at today's prices.", "success")
    for line in result.bad:
        flash(f"Not added: {line.problem}", "warning")
    return redirect(url_for("catalog.cart"))


# --- card payment -------------------------------------------------------------------------

@bp.route("/orders/<id:order_id>/pay", methods=["GET", "POST"])
@partner_required
def pay(order_id: int):
    order = _order(order_id)
    if order.status != "pending_payment" or order.payment_method != "card":
        flash(f"Order {order.number} does not wait for a card payment.", "info")
        return redirect(url_for("orders.detail", order_id=order.id))
    if not payments.card_enabled():
        flash("Card payments are not available right now.", "warning")
        return redirect(url_for("orders.detail", order_id=order.id))
    form = CardForm()
    code = 200
    if form.validate_on_submit():
        month, year = form.month_year()
        card = payments.CardDetails(form.number.data.replace(" ", ""), month, year, form.cvc.data,
                                    form.name.data or "")
        try:
            outcome = payments.pay_with_card(order.id, card)
        except (CardDeclined, PaymentUnavailable, OrderError) as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            code = exc.status
        else:
            if outcome in ("submitted", "unchanged"):
                flash(f"Payment received: order {order.number} is submitted.", "success")
            else:
                flash(f"Your payment is {outcome}; the order page shows when it is confirmed.", "info")
            return redirect(url_for("orders.detail", order_id=order.id))
    elif request.method == "POST":
        code = 400
    order = db.session.get(Order, order_id)
    last = db.session.scalars(select(Payment).where(Payment.order_id == order.id)
                              .order_by(Payment.attempt.desc())).first()
    test_mode = (current_app.config.get("STRIPE_SECRET_KEY") or "").startswith("sk_test")
    return render_template("orders/pay.html", order=order, form=form, last=last, test_mode=test_mode), code
