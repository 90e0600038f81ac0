"""`POST /webhooks/stripe`: Stripe's events, signature checked, each processed once."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from orders import payments
from orders.services import events
from portal.errors import json_error
from portal.extensions import csrf, db

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
log = logging.getLogger("portal.payments")


@bp.post("/stripe")
def stripe_event():
    """Verify, process once, acknowledge; a bad or missing signature is a 400 and changes nothing."""
    try:
        event = payments.verify_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except payments.BadSignature as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return json_error(400, "bad_signature", "The Stripe-Signature header is missing or does not match.")
    processed, outcome = events.process(event)
    db.session.commit()
    if processed and outcome == "refund":
        row = db.session.get(events.StripeEvent, event["id"])
        if row is not None and row.order_id:
            payments.process_refunds(row.order_id)
    return jsonify({"received": True, "duplicate": not processed, "outcome": outcome})
