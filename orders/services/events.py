"""Stripe events, each processed once: the event id is stored in the same transaction as the
change it causes. Out of order is safe: a success is never undone by a later failure, a payment
for a cancelled or already paid order is refunded, and unknown types are acknowledged."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orders.models import Order, Payment, StripeEvent
from orders.services.status import lock, mark_failed, mark_paid
from portal.extensions import db
from portal.services import audit

HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
           "payment_intent.processing")
log = logging.getLogger("portal.payments")


def _payment_for(intent: dict[str, Any]) -> Payment | None:
    """Our payment attempt of an intent: by intent id, else by the ids in its metadata (the
    event may arrive before the intent id was stored). Nothing is changed here."""
    payment = db.session.scalars(select(Payment).where(Payment.intent_id == intent.get("id"))).first()
    if payment is not None:
        return payment
    meta = intent.get("metadata") or {}
    try:
        payment_id, order_id = int(meta.get("payment_id")), int(meta.get("order_id"))
    except (TypeError, ValueError):
        return None
    if not (0 < payment_id < 2**31 and 0 < order_id < 2**31):  # not an id of ours (integer columns)
        return None
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order_id or payment.intent_id not in (None, intent.get("id")):
        return None
    return payment


def _attach(payment: Payment, intent: dict[str, Any]) -> None:
    """Keep the intent id on an attempt found through the metadata."""
    if payment.intent_id is None:
        payment.intent_id = intent.get("id")
        payment.client_secret = payment.client_secret or intent.get("client_secret")
        if payment.status == "new":
            payment.status = "open"


def _mismatch(order: Order, payment: Payment, intent: dict[str, Any]) -> str:
    """A success whose amount or currency differs from the attempt's is not a payment of the
    order: nothing changes, the refusal is logged and written to the audit log for staff."""
    paid = f"{intent.get('amount')} {intent.get('currency')}"
    expected = f"{payment.amount_minor} {payment.currency}"
    log.error("Stripe event for order %s refused: intent %s paid %s (minor units), the attempt is %s",
              order.number, intent.get("id"), paid, expected)
    audit.record(None, "payment.amount_mismatch", payment, partner_id=order.partner_id,
                 summary=f"Order {order.number}: Stripe reported {paid} for intent {intent.get('id')}, "
                         f"the payment attempt is {expected}; not treated as paid.")
    return "amount_mismatch"


def _apply(kind: str, intent: dict[str, Any]) -> tuple[int | None, str]:
    payment = _payment_for(intent)
    if payment is None:
        return None, "no matching payment"
    order = lock(payment.order_id)
    if kind == "payment_intent.succeeded":
        currency = str(intent.get("currency") or "").upper()
        if intent.get("amount") != payment.amount_minor or currency != payment.currency.upper():
            return order.id, _mismatch(order, payment, intent)
        _attach(payment, intent)
        return order.id, mark_paid(order, payment, "Stripe")
    _attach(payment, intent)
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
