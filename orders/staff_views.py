"""The staff order desk: every partner's orders; confirm, ship with tracking, invoice, close or
cancel, with the transitions of DOMAIN.md enforced (an illegal one: a clear message, 409)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from orders import payments
from orders.models import ORDER_STATUSES, Order, Payment, Refund
from orders.services import placing, queries, status
from orders.services.status import NEXT
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import apply_sort, page_params, paginate
from portal.models import Partner, User
from portal.staff import staff_blueprint

bp = staff_blueprint("orders_staff", __name__)
NAV = (NavItem("Order desk", "orders_staff.orders", "truck", ("admin", "partner_manager", "sales_ops"), 40,
               menu="Sales"),)
ACTIONS = {"confirmed": "Confirm", "shipped": "Mark shipped", "invoiced": "Invoice", "closed": "Close"}


@bp.get("/orders")
def orders():
    args = request.args
    stmt = queries.for_staff(args)
    if args.get("mine") == "1":
        stmt = stmt.where(Order.partner_id.in_(select(Partner.id).where(Partner.manager_id == current_user.id)))
    stmt, sort = apply_sort(stmt, args.get("sort"), queries.SORTS, "-date", tiebreak=Order.id.desc())
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    partners = db.session.execute(select(Partner.id, Partner.name).order_by(Partner.name)).all()
    return render_template("admin/orders/index.html", page=result, statuses=ORDER_STATUSES,
                           names=queries.partner_names(result.items), partners=partners)


def _render_detail(order: Order, error: str | None = None, code: int = 200):
    partner = db.session.get(Partner, order.partner_id)
    placer = db.session.get(User, order.placed_by_id) if order.placed_by_id else None
    attempts = db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.attempt)).all()
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all()
    following = NEXT.get(order.status)
    return render_template("admin/orders/detail.html", order=order, partner=partner, placer=placer,
                           payments=attempts, refunds=refunds, error=error, next_status=following,
                           next_label=ACTIONS.get(following or ""), credit=placing.credit_summary(partner),
                           cancellable=order.status in ("pending_payment", "submitted", "confirmed")), code


@bp.get("/orders/<id:order_id>")
def order_detail(order_id: int):
    return _render_detail(get_or_404(Order, order_id))


@bp.post("/orders/<id:order_id>/status")
def order_status(order_id: int):
    order = get_or_404(Order, order_id)
    target = request.form.get("status", "")
    try:
        status.change_status(current_user, order.id, target, request.form.get("tracking"),
                             request.form.get("note", ""))
    except DomainError as exc:
        db.session.rollback()
        return _render_detail(db.session.get(Order, order_id), exc.message, exc.status)
    db.session.commit()
    if target == "cancelled":
        payments.after_cancel(order_id)
    order = db.session.get(Order, order_id)
    flash(f"Order {order.number} is now {order.status}.", "success")
    return redirect(url_for("orders_staff.order_detail", order_id=order_id))
