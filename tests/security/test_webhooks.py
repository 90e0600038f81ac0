"""Stripe webhooks (docs/security.md "Stripe webhooks"): a well-signed but malformed event is a
400 that changes nothing (unknown types: 200, ignored), a success whose amount or currency differs
from the payment attempt is refused and audited, a signature from the future is refused, and the
body is bounded. Payloads are signed with the real webhook secret; intents are localstripe's."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from orders.models import Order, Payment, StripeEvent
from portal.extensions import db
from portal.models.audit import AuditEntry
from tests.orders.conftest import catalog, event_payload, localstripe, signature, stripe_on  # noqa: F401
from tests.orders.test_webhooks import card_order, deliver, intent_object, the_payment


def events_stored() -> int:
    return db.session.scalar(select(func.count()).select_from(StripeEvent))


def nothing_changed(order_id: int) -> None:
    order = db.session.get(Order, order_id)
    assert order.status == "pending_payment" and order.paid_at is None
    assert the_payment(order_id).status == "open"
    assert events_stored() == 0


def raw_event(data: object) -> bytes:
    return json.dumps(data).encode()


def signed(payload: bytes, client):
    return deliver(client, payload, signature(payload))


MALFORMED = {
    "event id a number": lambda obj: {"id": 12345, "type": "payment_intent.succeeded", "data": {"object": obj}},
    "event id of 10,000 characters": lambda obj: {"id": "evt_" + "x" * 10_000, "type": "payment_intent.succeeded",
                                                  "data": {"object": obj}},
    "type a list": lambda obj: {"id": "evt_m", "type": ["payment_intent.succeeded"], "data": {"object": obj}},
    "no data": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded"},
    "data.object a string": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded", "data": {"object": "pi"}},
    "intent id a number": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                       "data": {"object": {**obj, "id": 42}}},
    "intent id of 10,000 characters": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                                   "data": {"object": {**obj, "id": "pi_" + "9" * 10_000}}},
    "metadata a list": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                    "data": {"object": {**obj, "metadata": ["order_id", "1"]}}},
    "metadata a string": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                      "data": {"object": {**obj, "metadata": "order 1"}}},
    "metadata value an object": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded", "data": {
        "object": {**obj, "metadata": {"order_id": {"$gt": 0}, "payment_id": "1"}}}},
    "amount a string": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                    "data": {"object": {**obj, "amount": str(obj["amount"])}}},
    "amount a float": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                   "data": {"object": {**obj, "amount": obj["amount"] + 0.5}}},
    "amount missing": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded", "data": {
        "object": {k: v for k, v in obj.items() if k != "amount"}}},
    "currency missing": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded", "data": {
        "object": {k: v for k, v in obj.items() if k != "currency"}}},
    "currency a number": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                      "data": {"object": {**obj, "currency": 978}}},
    "not a payment_intent": lambda obj: {"id": "evt_m", "type": "payment_intent.succeeded",
                                         "data": {"object": {**obj, "object": "charge"}}},
    "last_payment_error a string": lambda obj: {"id": "evt_m", "type": "payment_intent.payment_failed", "data": {
        "object": {**obj, "status": "requires_payment_method", "last_payment_error": "declined"}}},
    "a JSON array body": lambda obj: [{"id": "evt_m", "type": "payment_intent.succeeded", "data": {"object": obj}}],
    "a JSON string body": lambda obj: "payment_intent.succeeded",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_but_malformed_event_is_400_and_changes_nothing(client, api, two_partners, catalog,
                                                                 stripe_on, case):
    order = card_order(api, two_partners.a_user)
    payload = raw_event(MALFORMED[case](intent_object(the_payment(order["id"]), "succeeded")))
    response = signed(payload, client)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "malformed_event"
    assert response.json["error"]["message"].startswith("The event is not a well-formed Stripe event")
    nothing_changed(order["id"])


def test_a_signed_body_that_is_not_json_or_nested_too_deeply_is_400(client, stripe_on):
    for payload in (b"not json at all", b"[" * 50_000 + b"]" * 50_000, "caf\u00e9".encode("latin-1"),
                    b'{"id": "evt_deep", "type": "invoice.created", "data": {"object": ' + b"[" * 5000 + b"]" * 5000
                    + b"}}"):
        response = signed(payload, client)
        assert response.status_code == 400 and response.json["error"]["message"]  # which check refused it varies
    assert events_stored() == 0


def test_unknown_event_types_with_odd_objects_are_acknowledged_and_ignored(client, stripe_on):
    payload = raw_event({"id": "evt_odd", "type": "invoice.created",
                         "data": {"object": {"id": 7, "metadata": "x", "amount": "lots"}}})
    response = signed(payload, client)
    assert response.status_code == 200 and response.json["outcome"] == "ignored"


def test_a_success_with_another_amount_is_refused_audited_and_not_paid(client, api, two_partners, catalog,
                                                                       stripe_on):
    order = card_order(api, two_partners.a_user)
    payment = the_payment(order["id"])
    obj = {**intent_object(payment, "succeeded"), "amount": payment.amount_minor - 1}
    payload = event_payload("evt_cheap", "payment_intent.succeeded", obj)
    response = signed(payload, client)
    assert response.status_code == 200 and response.json["outcome"] == "amount_mismatch"
    assert db.session.get(Order, order["id"]).status == "pending_payment"
    assert db.session.get(Payment, payment.id).status == "open"
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payment.amount_mismatch")).all()
    assert entry.partner_id == two_partners.a.id and "not treated as paid" in entry.summary
    again = signed(payload, client)  # Stripe's retry changes nothing either
    assert again.json["duplicate"] is True and db.session.get(Order, order["id"]).status == "pending_payment"


def test_a_success_in_another_currency_is_refused(client, api, two_partners, catalog, stripe_on):
    order = card_order(api, two_partners.a_user)
    payment = the_payment(order["id"])
    assert payment.currency == "EUR"
    payload = event_payload("evt_usd", "payment_intent.succeeded",
                            {**intent_object(payment, "succeeded"), "currency": "usd"})
    assert signed(payload, client).json["outcome"] == "amount_mismatch"
    assert db.session.get(Order, order["id"]).status == "pending_payment"
    right = event_payload("evt_eur", "payment_intent.succeeded",
                          {**intent_object(payment, "succeeded"), "currency": "EUR"})
    assert signed(right, client).json["outcome"] == "submitted"  # the code's case does not matter


def test_a_mismatch_found_through_the_metadata_does_not_attach_the_intent(client, api, two_partners, catalog,
                                                                          stripe_on):
    order = card_order(api, two_partners.a_user)
    payment = the_payment(order["id"])
    intent_id = payment.intent_id
    payment.intent_id, payment.status = None, "new"
    db.session.flush()
    obj = {**intent_object(payment, "succeeded"), "id": intent_id, "amount": 1}
    assert signed(event_payload("evt_meta", "payment_intent.succeeded", obj), client).json["outcome"] == \
        "amount_mismatch"
    payment = db.session.get(Payment, payment.id)
    assert payment.intent_id is None and payment.status == "new"


def test_metadata_ids_out_of_range_find_no_payment(client, api, two_partners, catalog, stripe_on):
    order = card_order(api, two_partners.a_user)
    payment = the_payment(order["id"])
    obj = {**intent_object(payment, "succeeded"), "id": "pi_stranger",
           "metadata": {"order_id": "9" * 400, "payment_id": "-" + "9" * 30}}
    response = signed(event_payload("evt_range", "payment_intent.succeeded", obj), client)
    assert response.status_code == 200 and response.json["outcome"] == "no matching payment"
    assert db.session.get(Order, order["id"]).status == "pending_payment"


def test_a_signature_timestamp_in_the_future_beyond_the_tolerance_is_refused(client, app, api, two_partners,
                                                                             catalog, stripe_on):
    tolerance = app.config["STRIPE_WEBHOOK_TOLERANCE"]
    order = card_order(api, two_partners.a_user)
    payload = event_payload("evt_future", "payment_intent.succeeded",
                            intent_object(the_payment(order["id"]), "succeeded"))
    future = signature(payload, timestamp=int(time.time()) + tolerance + 60)
    response = deliver(client, payload, future)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_signature"
    nothing_changed(order["id"])
    slightly_ahead = signature(payload, timestamp=int(time.time()) + 30)  # clocks differ a little
    assert deliver(client, payload, slightly_ahead).json["outcome"] == "submitted"


def test_a_huge_body_is_413_before_it_is_parsed(client, app, stripe_on):
    limit = app.config["STRIPE_WEBHOOK_MAX_BYTES"]
    payload = raw_event({"id": "evt_huge", "type": "invoice.created",
                         "data": {"object": {"id": "in_1", "lines": ["x" * 1000] * (limit // 1000 + 10)}}})
    response = signed(payload, client)
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"
    assert str(limit) in response.json["error"]["message"]
    assert events_stored() == 0
    small = event_payload("evt_small", "invoice.created", {"id": "in_1"})
    assert signed(small, client).status_code == 200


def test_the_event_parser_itself_refuses_deep_nesting_without_recursing_out():
    from orders.stripe_payloads import MalformedEvent, parse_event

    with pytest.raises(MalformedEvent, match="nested too deeply"):
        parse_event("[" * 100_000 + "]" * 100_000)
