"""Card payments through Stripe PaymentIntents: the only module that imports `stripe`.

Stripe is always called between two transactions: the order (and each payment attempt) is
committed first, with an idempotency key derived from the order, so a Stripe outage or a lost
answer leaves the order `pending_payment` and retryable, never lost and never charged twice.
These functions therefore commit; views call them after their own commit.
"""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app
from sqlalchemy import func, select

from orders import stripe_payloads
from orders.models import Order, Payment, Refund
from orders.models.payments import OPEN_PAYMENT
from orders.services import CardDeclined, OrderError, PaymentUnavailable
from orders.services.status import lock, mark_failed, mark_paid
from portal.extensions import db

log = logging.getLogger("portal.payments")
UNREACHABLE = ("The payment service cannot be reached right now. Your order is kept and waits "
               "for payment: try again in a few minutes.")


class BadSignature(Exception):
    """A webhook whose Stripe-Signature does not match STRIPE_WEBHOOK_SECRET."""


MalformedEvent = stripe_payloads.MalformedEvent


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str = ""


def card_enabled() -> bool:
    """Card payments are offered only when a Stripe secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    cfg = current_app.config
    base = cfg.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"], base_addresses={"api": base} if base else None,
        max_network_retries=int(cfg.get("STRIPE_MAX_NETWORK_RETRIES", 1)))


def _message(exc: stripe.StripeError) -> str:
    return exc.user_message or str(exc) or "The payment was refused."


def open_payment(order: Order) -> Payment:
    """The order's open payment attempt, or a new one (flushed, not yet at Stripe)."""
    if order.payment_method != "card" or order.status != "pending_payment":
        raise OrderError(f"Order {order.number} does not wait for a card payment.",
                         code="not_payable", status=409)
    current = db.session.scalars(select(Payment).where(
        Payment.order_id == order.id).order_by(Payment.attempt.desc())).first()
    if current is not None and current.status in OPEN_PAYMENT:
        return current
    attempt = (current.attempt if current else 0) + 1
    payment = Payment(partner_id=order.partner_id, order_id=order.id, attempt=attempt,
                      amount_minor=order.total_minor, currency=order.currency, status="new",
                      idempotency_key=f"portal-order-{order.id}-{secrets.token_hex(4)}-attempt-{attempt}")
    db.session.add(payment)
    db.session.flush()
    return payment


def create_intent(payment: Payment) -> Payment:
    """Create the attempt's PaymentIntent at Stripe (same key on a retry: same intent)."""
    if payment.intent_id:
        return payment
    try:
        intent = _client().v1.payment_intents.create(params={
            "amount": payment.amount_minor, "currency": payment.currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {"order_id": str(payment.order_id), "payment_id": str(payment.id),
                         "partner_id": str(payment.partner_id)},
        }, options={"idempotency_key": payment.idempotency_key})
    except stripe.StripeError as exc:
        payment.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("order %s: PaymentIntent not created: %s", payment.order_id, exc)
        raise PaymentUnavailable(UNREACHABLE) from exc
    payment.intent_id = intent.id
    payment.client_secret = intent.client_secret
    payment.status = "open"
    payment.last_error = None
    return payment


def begin(order_id: int) -> Payment:
    """Commit an attempt for the order, then create its PaymentIntent and commit that."""
    payment = open_payment(db.session.get(Order, order_id))
    db.session.commit()
    try:
        create_intent(payment)
    finally:
        db.session.commit()  # the intent, or why it could not be created
    return payment


def _apply(payment: Payment, intent: Any, actor_label: str) -> str:
    """Bring our rows in line with the intent's status; the order row is locked meanwhile."""
    order = lock(payment.order_id)
    status = intent.status
    if status == "succeeded":
        return mark_paid(order, payment, actor_label)
    if status == "processing":
        payment.status = "processing"
        return "processing"
    if status == "canceled":
        if payment.status in OPEN_PAYMENT:
            payment.status = "canceled"
        return "canceled"
    error = intent.get("last_payment_error") or {}
    if status == "requires_payment_method" and error:
        return mark_failed(order, payment, error.get("message") or "The card was declined.")
    return "open"


def pay_with_card(order_id: int, card: CardDetails) -> str:
    """Pay a pending order with card details (Stripe keeps them; we never store them)."""
    payment = begin(order_id)
    client = _client()
    try:
        intent = client.v1.payment_intents.retrieve(payment.intent_id)
        if intent.status in ("succeeded", "processing"):  # an earlier try that got no answer
            outcome = _apply(payment, intent, "Stripe")
            db.session.commit()
            return outcome
        method = client.v1.payment_methods.create(params={
            "type": "card", "card": {"number": card.number, "exp_month": card.exp_month,
                                     "exp_year": card.exp_year, "cvc": card.cvc},
            **({"billing_details": {"name": card.name}} if card.name else {})})
        payment.card_last4 = card.number[-4:]
        client.v1.payment_intents.update(payment.intent_id, params={"payment_method": method.id})
        intent = client.v1.payment_intents.confirm(payment.intent_id)
    except stripe.CardError as exc:
        message = _message(exc)
        if exc.code in ("card_declined", "insufficient_funds", "expired_card", "incorrect_cvc",
                        "processing_error", "lost_card", "stolen_card") and payment.intent_id:
            mark_failed(lock(payment.order_id), payment, message)
        db.session.commit()
        raise CardDeclined(message) from exc
    except stripe.InvalidRequestError as exc:
        db.session.rollback()
        raise CardDeclined(f"The card details were refused: {_message(exc)}") from exc
    except stripe.StripeError as exc:
        db.session.rollback()
        log.warning("order %s: card payment failed to reach Stripe: %s", order_id, exc)
        raise PaymentUnavailable(UNREACHABLE) from exc
    if intent.status == "requires_action":
        mark_failed(lock(payment.order_id), payment, "This card needs authentication by your "
                    "bank (3-D Secure), which this page cannot do. Use another card.")
        db.session.commit()
        _cancel_intent(payment.intent_id)
        raise CardDeclined(payment.last_error or "")
    outcome = _apply(payment, intent, "Stripe")
    db.session.commit()
    return outcome


def refresh(payment: Payment) -> str:
    """Ask Stripe for the intent's status and apply it (the return from a retry, a check)."""
    if not payment.intent_id:
        return payment.status
    try:
        intent = _client().v1.payment_intents.retrieve(payment.intent_id)
    except stripe.StripeError as exc:
        raise PaymentUnavailable(UNREACHABLE) from exc
    outcome = _apply(payment, intent, "Stripe")
    db.session.commit()
    return outcome


def _cancel_intent(intent_id: str | None) -> None:
    if not intent_id:
        return
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError as exc:  # already canceled or paid: the webhook settles it
        log.info("PaymentIntent %s not canceled: %s", intent_id, exc)


def after_cancel(order_id: int) -> int:
    """After an order's cancellation committed: cancel its open intents and send its refunds."""
    for payment in db.session.scalars(select(Payment).where(
            Payment.order_id == order_id, Payment.status.in_(OPEN_PAYMENT))):
        _cancel_intent(payment.intent_id)
        payment.status = "canceled"
    db.session.commit()
    return process_refunds(order_id)


def process_refunds(order_id: int | None = None, limit: int = 100) -> int:
    """Send pending refunds to Stripe (one order's, or all: the periodic retry); commits each."""
    stmt = select(Refund.id).where(Refund.status == "pending").order_by(Refund.id).limit(limit)
    if order_id is not None:
        stmt = stmt.where(Refund.order_id == order_id)
    done = 0
    for refund_id in db.session.scalars(stmt).all():
        refund = db.session.get(Refund, refund_id)
        if refund.status != "pending" or not refund.payment.intent_id:
            continue
        refund.attempts += 1
        try:
            result = _client().v1.refunds.create(params={
                "payment_intent": refund.payment.intent_id, "amount": refund.amount_minor,
                "metadata": {"order_id": str(refund.order_id)}},
                options={"idempotency_key": refund.idempotency_key})
        except stripe.StripeError as exc:
            refund.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("refund %s of order %s failed: %s", refund.id, refund.order_id, exc)
            db.session.commit()
            continue
        refund.refund_id = result.id
        refund.status = "succeeded" if result.status == "succeeded" else "pending_stripe"
        refund.last_error = None
        db.session.commit()
        done += 1
    return done


def pending_refunds() -> int:
    return db.session.scalar(select(func.count(Refund.id)).where(Refund.status == "pending")) or 0


def verify_event(payload: bytes, header: str | None) -> dict[str, Any]:
    """The checked event of a webhook request whose signature matches STRIPE_WEBHOOK_SECRET and
    whose timestamp is within STRIPE_WEBHOOK_TOLERANCE seconds of now, in either direction.

    Raises BadSignature (not from Stripe, or replayed) or MalformedEvent (signed but not a
    well-formed event)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not header:
        raise BadSignature("Missing Stripe-Signature header or webhook secret.")
    tolerance = int(current_app.config.get("STRIPE_WEBHOOK_TOLERANCE", 300))
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, header, secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    signed_at = _signed_at(header)
    if signed_at is None or signed_at > time.time() + tolerance:  # Stripe's check covers the past only
        raise BadSignature("Timestamp outside the tolerance zone (in the future).")
    return stripe_payloads.parse_event(text)


def _signed_at(header: str) -> int | None:
    """The `t=` timestamp of a Stripe-Signature header (already verified), or None."""
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None
