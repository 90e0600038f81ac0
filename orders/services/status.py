"""The order status machine (DOMAIN.md): every change is checked, logged with who and when,
and announced to the partner.

pending_payment -> submitted -> confirmed -> shipped -> invoiced -> closed; cancelled by the
partner before confirmed, by staff before shipped.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from orders.models import (
    CANCELLABLE_BY_PARTNER, CANCELLABLE_BY_STAFF, ORDER_STATUSES, Order, OrderStatusChange,
    Payment, Refund,
)
from orders.services import IllegalTransition, OrderError, notices
from portal.db import load_owned, utcnow
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit

NEXT = {"submitted": "confirmed", "confirmed": "shipped", "shipped": "invoiced", "invoiced": "closed"}
STAFF_TARGETS = ("confirmed", "shipped", "invoiced", "closed", "cancelled")


def lock(order_id: int) -> Order:
    """The order row, locked until the transaction ends (PostgreSQL), freshly read."""
    stmt = select(Order).where(Order.id == order_id).with_for_update().execution_options(
        populate_existing=True)
    return db.session.scalars(stmt).one()


def record(order: Order, to_status: str, actor: User | None, note: str = "",
           actor_label: str | None = None) -> OrderStatusChange:
    """Move the order and append the change to its timeline (no checks: callers check)."""
    change = OrderStatusChange(
        partner_id=order.partner_id, order_id=order.id, from_status=order.status,
        to_status=to_status, actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"), note=note[:2000])
    db.session.add(change)
    order.status = to_status
    if to_status == "submitted" and order.submitted_at is None:
        order.submitted_at = utcnow()
    return change


def _explain(order: Order, target: str, staff: bool) -> str:
    state = notices.LABELS[order.status]
    if target == "cancelled":
        who = "staff" if staff else "you"
        limit = "shipped" if staff else "confirmed"
        return (f"Order {order.number} is {state}: it can be cancelled by {who} only before it "
                f"is {limit}.")
    if order.status == "pending_payment":
        return f"Order {order.number} is waiting for its card payment: it cannot be {target} yet."
    following = NEXT.get(order.status)
    if following is None:
        return f"Order {order.number} is {state}: its status can no longer change."
    return f"Order {order.number} is {state}: it can only move on to {following}, not to {target}."


def change_status(actor: User, order_id: int, target: str, tracking: str | None = None,
                  note: str = "") -> Order:
    """Staff move an order one step on, or cancel it; anything else is an IllegalTransition."""
    if target not in ORDER_STATUSES:
        raise OrderError(f"Unknown status {target!r}.", fields={
            "status": f"One of: {', '.join(STAFF_TARGETS)}."})
    order = lock(order_id)
    if target == "cancelled":
        return _cancel(order, actor, staff=True, reason=note)
    if NEXT.get(order.status) != target:
        raise IllegalTransition(_explain(order, target, staff=True), fields={"status": target})
    tracking = (tracking or "").strip()
    if len(tracking) > 200:
        raise OrderError("The tracking reference is too long.", fields={"tracking": "At most 200 characters."})
    if target == "shipped" and tracking:
        order.tracking = tracking
    previous = order.status
    record(order, target, actor, note or (f"Tracking {tracking}" if tracking else ""))
    if target == "closed" and order.payment_method == "on_account" and order.paid_at is None:
        order.paid_at = utcnow()  # closing an on-account order records that it is settled
    audit.record(actor, f"order.{target}", order, summary=f"{order.number} {previous} -> {target}")
    db.session.flush()
    notices.status_changed(order, previous)
    return order


def cancel_for_partner(partner: Partner, actor: User, order_id: int, reason: str = "") -> Order:
    """The partner cancels its own order while it is not yet confirmed (callers load it for the
    partner first); the row is locked and read afresh before the status is checked."""
    order = load_owned(Order, order_id, partner, error=OrderError, message="This order does not exist.")
    return _cancel(lock(order.id), actor, staff=False, reason=reason)


def _cancel(order: Order, actor: User | None, *, staff: bool, reason: str) -> Order:
    allowed = CANCELLABLE_BY_STAFF if staff else CANCELLABLE_BY_PARTNER
    if order.status not in allowed:
        raise IllegalTransition(_explain(order, "cancelled", staff), fields={"status": "cancelled"})
    previous = order.status
    record(order, "cancelled", actor, reason.strip())
    refund = refund_if_paid(order, "Order cancelled")
    if staff:
        audit.record(actor, "order.cancelled", order, summary=f"{order.number} cancelled: {reason}"[:300])
    db.session.flush()
    note = f"A refund of {refund.amount.format()} to your card is on its way." if refund else ""
    notices.status_changed(order, previous, note)
    return order


def refund_if_paid(order: Order, reason: str) -> Refund | None:
    """A pending refund for each succeeded card payment of the order that has none yet; Stripe
    is called after commit (payments.process_refunds)."""
    created = None
    for payment in db.session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.status == "succeeded")):
        if payment.refunds:
            continue
        created = Refund(partner_id=order.partner_id, order_id=order.id, payment=payment,
                         amount_minor=payment.amount_minor, currency=payment.currency, reason=reason)
        db.session.add(created)
    return created


def mark_paid(order: Order, payment: Payment, actor_label: str) -> str:
    """A payment succeeded: a pending order is submitted; a payment arriving for an order that
    is cancelled or already paid by another attempt is refunded, never kept twice."""
    if payment.status != "succeeded":
        payment.status = "succeeded"
        payment.succeeded_at = utcnow()
        payment.last_error = None
    if order.status == "pending_payment":
        order.paid_at = utcnow()
        record(order, "submitted", None, f"Card payment of {payment.amount.format()} received",
               actor_label=actor_label)
        db.session.flush()
        notices.status_changed(order, "pending_payment")
        return "submitted"
    paid_by_other = db.session.scalar(select(Payment.id).where(
        Payment.order_id == order.id, Payment.status == "succeeded", Payment.id != payment.id))
    if order.status == "cancelled" or paid_by_other is not None:
        reason = "Order cancelled" if order.status == "cancelled" else "Order already paid"
        if not payment.refunds:
            db.session.add(Refund(partner_id=order.partner_id, order_id=order.id, payment=payment,
                                  amount_minor=payment.amount_minor, currency=payment.currency,
                                  reason=reason))
        db.session.flush()
        return "refund"
    return "unchanged"


def mark_failed(order: Order, payment: Payment, message: str) -> str:
    """A payment attempt failed: the order stays pending and the partner is told (once)."""
    if payment.status in ("succeeded", "failed", "canceled"):
        return "unchanged"  # an older or repeated event: never undo a success
    payment.status = "failed"
    payment.last_error = message[:2000]
    db.session.flush()
    if order.status == "pending_payment":
        notices.payment_failed(order, message)
    return "failed"


def timeline(order: Order) -> list[dict[str, Any]]:
    return [{"status": c.to_status, "from": c.from_status, "at": c.created_at,
             "by": c.actor_label, "note": c.note} for c in order.history]
