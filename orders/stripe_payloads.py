"""The shape of a Stripe webhook event: a well-signed body is still input, so every value the
portal reads is checked before anything is processed (a malformed event is a 400, never a 500).

Pure functions over the decoded JSON; no database.
"""
from __future__ import annotations

import json
import re
from typing import Any

from orders.services.events import HANDLED

MAX_ID = 255  # the columns that keep Stripe ids (stripe_events.id, order_payments.intent_id)
MAX_TYPE = 100  # stripe_events.type
MAX_METADATA_KEYS = 50  # Stripe's own limits for metadata
MAX_METADATA_VALUE = 500
MAX_MESSAGE = 5000
STRIPE_ID = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces (Stripe: letters, digits, _)
EVENT_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class MalformedEvent(ValueError):
    """A signed webhook body that is not a well-formed Stripe event (the message says why)."""


def parse_event(text: str) -> dict[str, Any]:
    """The checked event of a webhook body; unknown event types are kept only by id and type."""
    try:
        event = json.loads(text)
    except RecursionError:
        raise MalformedEvent("The body is nested too deeply to be a Stripe event.") from None
    except ValueError as exc:
        raise MalformedEvent(f"The body is not JSON ({exc}).") from None
    if not isinstance(event, dict):
        raise MalformedEvent("The body is not a Stripe event: expected a JSON object.")
    checked = {"id": _id(event.get("id"), "id"), "type": _type(event.get("type"))}
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("data.object must be an object.")
    if checked["type"] in HANDLED:
        checked["data"] = {"object": _intent(data["object"], checked["type"])}
    else:
        checked["data"] = {"object": {}}  # acknowledged and ignored: nothing of it is read
    return checked


def _id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{path} must be a Stripe id (text).")
    if len(value) > MAX_ID:
        raise MalformedEvent(f"{path} is longer than {MAX_ID} characters.")
    if not STRIPE_ID.match(value):
        raise MalformedEvent(f"{path} may contain only printable ASCII characters, without spaces.")
    return value


def _type(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedEvent("type must be an event type such as payment_intent.succeeded.")
    if len(value) > MAX_TYPE or not EVENT_TYPE.match(value):
        raise MalformedEvent("type is not an event type such as payment_intent.succeeded.")
    return value


def _text(value: Any, path: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedEvent(f"{path} must be text.")
    if len(value) > limit:
        raise MalformedEvent(f"{path} is longer than {limit} characters.")
    return value


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent("data.object.metadata must be an object.")
    if len(value) > MAX_METADATA_KEYS:
        raise MalformedEvent(f"data.object.metadata has more than {MAX_METADATA_KEYS} keys.")
    for key, item in value.items():
        if len(key) > 40 or not isinstance(item, str) or len(item) > MAX_METADATA_VALUE:
            raise MalformedEvent("data.object.metadata values must be text of at most "
                                 f"{MAX_METADATA_VALUE} characters.")
    return dict(value)


def _intent(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """The fields of a PaymentIntent the portal reads, checked."""
    if obj.get("object") != "payment_intent":
        raise MalformedEvent(f"A {kind} event must carry a payment_intent object.")
    intent: dict[str, Any] = {"object": "payment_intent", "id": _id(obj.get("id"), "data.object.id"),
                              "metadata": _metadata(obj.get("metadata"))}
    amount = obj.get("amount")
    if amount is not None or kind == "payment_intent.succeeded":
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise MalformedEvent("data.object.amount must be a whole number of minor units (e.g. 1250).")
        intent["amount"] = amount
    currency = obj.get("currency")
    if currency is not None or kind == "payment_intent.succeeded":
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            raise MalformedEvent("data.object.currency must be a three-letter currency code.")
        intent["currency"] = currency.upper()
    intent["status"] = _text(obj.get("status"), "data.object.status", 50)
    intent["client_secret"] = _text(obj.get("client_secret"), "data.object.client_secret", MAX_ID)
    error = obj.get("last_payment_error")
    if error is not None and not isinstance(error, dict):
        raise MalformedEvent("data.object.last_payment_error must be an object.")
    if error:
        intent["last_payment_error"] = {
            "message": _text(error.get("message"), "data.object.last_payment_error.message", MAX_MESSAGE)}
    return intent
