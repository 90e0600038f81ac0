"""Stripe events, each processed once: the event id is stored in the same transaction as the
change it causes. Out of order is safe: a success is never undone by a later failure, a payment
for a cancelled or already paid order is refunded, and unknown types are acknowledged."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orders.models import Order, Payment, StripeEvent
from orders.services.status import lock, mark_failed, mark_paid
from portal.extensions import db

HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
           "payment_intent.processing")


def _payment_for(intent: dict[str, Any]) -> Payment | None:
    """Our payment attempt of an intent: by intent id, else by the ids in its metadata (the
    event may arrive before the intent id was stored)."""
    payment = db.session.scalars(select(Payment).where(Payment.intent_id == intent.get("id"))).first()
    if payment is not None:
        return payment
    meta = intent.get("metadata") or {}
    try:
        payment = db.session.get(Payment, int(meta.get("payment_id")))
        order_id = int(meta.get("order_id"))
    except (TypeError, ValueError):
        return None
    if payment is None or payment.order_id != order_id or payment.intent_id not in (None, intent.get("id")):
        return None
    payment.intent_id = intent.get("id")
    payment.client_secret = payment.client_secret or intent.get("client_secret")
    if payment.status == "new":
        payment.status = "open"
    return payment


def _apply(kind: str, intent: dict[str, Any]) -> tuple[int | None, str]:
    payment = _payment_for(intent)
    if payment is None:
        return None, "no matching payment"
    order = lock(payment.order_id)
    if kind == "payment_intent.succeeded":
        return order.id, mark_paid(order, payment, "Stripe")
    if kind == "payment_intent.payment_failed":
        error = intent.get("last_payment_error") or {}
        return order.id, mark_failed(order, payment, error.get("message") or "The card was declined.")
    if kind == "payment_intent.processing":
        if payment.status in ("new", "open"):
            payment.status = "processing"
        return order.id, payment.status
    if payment.status in ("new", "open", "processing"):
        payment.status = "canceled"
    return order.id, "canceled"


def process(event: dict[str, Any]) -> tuple[bool, str]:
    """Process a verified event once: (False, why) when it was seen before."""
    if db.session.get(StripeEvent, event["id"]) is not None:
        return False, "already processed"
    row = StripeEvent(id=event["id"], type=str(event.get("type") or "")[:100])
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False, "already processed"  # a concurrent delivery of the same event
    intent = (event.get("data") or {}).get("object") or {}
    if row.type in HANDLED and isinstance(intent, dict) and intent.get("object") == "payment_intent":
        row.order_id, row.outcome = _apply(row.type, intent)
    else:
        row.outcome = "ignored"
    db.session.flush()
    return True, row.outcome


def order_of(event_row: StripeEvent) -> Order | None:
    return db.session.get(Order, event_row.order_id) if event_row.order_id else None
