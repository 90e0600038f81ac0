"""`POST /webhooks/stripe`: Stripe's events, signature and shape checked, each processed once."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request

from orders import payments
from orders.services import events
from portal.errors import json_error
from portal.extensions import csrf, db

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
log = logging.getLogger("portal.payments")


def _limit() -> int:
    return int(current_app.config.get("STRIPE_WEBHOOK_MAX_BYTES", 256 * 1024))


@bp.before_app_request
def bound_the_body():
    """Before the hooks that parse the body (portal/request_guards.py `refuse_hostile_text`, which
    also refuses JSON nested too deeply): this endpoint's own size limit, below MAX_CONTENT_LENGTH."""
    if request.endpoint != "webhooks.stripe_event":
        return None
    limit = _limit()
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    request.max_content_length = limit  # a body sent without a length stops at the limit (413)
    return None


@bp.post("/stripe")
def stripe_event():
    """Verify, check, process once, acknowledge; a bad or missing signature, an oversized body
    or a malformed event is a 4xx and changes nothing."""
    payload = request.get_data(cache=True)
    if len(payload) > _limit():
        return _too_large(_limit())
    try:
        event = payments.verify_event(payload, request.headers.get("Stripe-Signature"))
    except payments.BadSignature as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return json_error(400, "bad_signature", "The Stripe-Signature header is missing or does not match.")
    except payments.MalformedEvent as exc:
        log.warning("Stripe webhook refused, malformed event: %s", exc)
        return json_error(400, "malformed_event", f"The event is not a well-formed Stripe event: {exc}")
    processed, outcome = events.process(event)
    db.session.commit()
    if processed and outcome == "refund":
        row = db.session.get(events.StripeEvent, event["id"])
        if row is not None and row.order_id:
            payments.process_refunds(row.order_id)
    return jsonify({"received": True, "duplicate": not processed, "outcome": outcome})


def _too_large(limit: int):
    log.warning("Stripe webhook refused: body over %d bytes", limit)
    return json_error(413, "payload_too_large", f"A Stripe event body may be at most {limit} bytes.")
