"""`POST /webhooks/stripe`: signatures checked (bad or missing: 400, nothing changes), each
event processed once, out-of-order deliveries safe, unknown types acknowledged. Events are
localstripe's own, delivered and signed by it, then replayed into the app, and events built and
signed with the webhook secret as Stripe does."""
from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
import urllib.request

import pytest
import stripe
from sqlalchemy import func, select

from orders.models import Order, Payment, Refund, StripeEvent
from portal.extensions import db
from tests.orders.conftest import WEBHOOK_SECRET, event_payload, order_body, signature


def card_order(api, user, key="card") -> dict:
    body = api(user).post("/orders", json=order_body(payment_method="card"), headers={"Idempotency-Key": key}).json
    assert body["status"] == "pending_payment"
    return body


def the_payment(order_id: int) -> Payment:
    return db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.attempt.desc())).first()


def deliver(client, payload: bytes, header: str | None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def intent_object(payment: Payment, status: str, error: str | None = None) -> dict:
    obj = {"id": payment.intent_id, "object": "payment_intent", "status": status, "amount": payment.amount_minor,
           "currency": payment.currency.lower(), "metadata": {"order_id": str(payment.order_id),
                                                              "payment_id": str(payment.id)}}
    if error:
        obj["last_payment_error"] = {"code": "card_declined", "message": error}
    return obj


class Inbox:
    """A local HTTP endpoint that receives localstripe's signed webhooks as they are sent."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                inbox.received.append((self.headers.get("Stripe-Signature"), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, kind: str, timeout: float = 10) -> tuple[str, bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for header, body in self.received:
                if json.loads(body)["type"] == kind:
                    return header, body
            time.sleep(0.1)
        raise AssertionError(f"localstripe sent no {kind} webhook")


@pytest.fixture
def inbox(stripe_on):
    box = Inbox()
    data = urllib.parse.urlencode({"url": f"http://127.0.0.1:{box.server.server_port}/hook",
                                   "secret": WEBHOOK_SECRET}).encode()
    urllib.request.urlopen(f"{stripe_on}/_config/webhooks/orders-tests", data=data, timeout=5)
    yield box
    box.server.shutdown()


def confirm_at_stripe(base: str, payment: Payment, number: str) -> None:
    """What a client does with the client_secret (Stripe.js): attach a card and confirm."""
    client = stripe.StripeClient("sk_test_orders", base_addresses={"api": base}, max_network_retries=0)
    method = client.v1.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    client.v1.payment_intents.update(payment.intent_id, params={"payment_method": method.id})
    try:
        client.v1.payment_intents.confirm(payment.intent_id)
    except stripe.CardError:
        pass


def test_localstripes_signed_succeeded_event_submits_the_order(client, api, two_partners, catalog, stripe_on, inbox):
    body = card_order(api, two_partners.a_user)
    payment = the_payment(body["id"])
    confirm_at_stripe(stripe_on, payment, "4242424242424242")
    header, payload = inbox.wait_for("payment_intent.succeeded")
    assert db.session.get(Order, body["id"]).status == "pending_payment"  # only the webhook moves it
    response = deliver(client, payload, header)
    assert response.status_code == 200 and response.json == {"received": True, "duplicate": False,
                                                              "outcome": "submitted"}
    order = db.session.get(Order, body["id"])
    assert order.status == "submitted" and order.paid_at is not None
    assert order.history[-1].actor_label == "Stripe"
    again = deliver(client, payload, header)  # Stripe delivers again
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert len(db.session.get(Order, body["id"]).history) == 2
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1


def test_localstripes_signed_failure_event_keeps_the_order_pending(client, api, two_partners, catalog, stripe_on, inbox):
    body = card_order(api, two_partners.a_user)
    payment = the_payment(body["id"])
    confirm_at_stripe(stripe_on, payment, "4000000000000341")
    header, payload = inbox.wait_for("payment_intent.payment_failed")
    response = deliver(client, payload, header)
    assert response.status_code == 200 and response.json["outcome"] == "failed"
    assert db.session.get(Order, body["id"]).status == "pending_payment"
    assert the_payment(body["id"]).status == "failed" and "declined" in the_payment(body["id"]).last_error


@pytest.mark.parametrize("header", [None, "", "t=1,v1=deadbeef", "garbage"])
def test_a_bad_or_missing_signature_is_400_and_changes_nothing(client, api, two_partners, catalog, stripe_on, header):
    body = card_order(api, two_partners.a_user)
    payload = event_payload("evt_bad", "payment_intent.succeeded", intent_object(the_payment(body["id"]), "succeeded"))
    response = deliver(client, payload, header)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_signature"
    assert db.session.get(Order, body["id"]).status == "pending_payment"
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_a_signature_made_with_another_secret_or_for_another_body_is_refused(client, api, two_partners,
                                                                             catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    payload = event_payload("evt_x", "payment_intent.succeeded", intent_object(the_payment(body["id"]), "succeeded"))
    assert deliver(client, payload, signature(payload, "whsec_other")).status_code == 400
    tampered = payload.replace(b"evt_x", b"evt_y")
    assert deliver(client, tampered, signature(payload)).status_code == 400
    stale = signature(payload, timestamp=int(time.time()) - 3600)
    assert deliver(client, payload, stale).status_code == 400
    assert db.session.get(Order, body["id"]).status == "pending_payment"


def test_a_failure_arriving_after_the_success_changes_nothing(client, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    payment = the_payment(body["id"])
    ok = event_payload("evt_ok", "payment_intent.succeeded", intent_object(payment, "succeeded"))
    late = event_payload("evt_late", "payment_intent.payment_failed",
                         intent_object(payment, "requires_payment_method", "Your card was declined."))
    assert deliver(client, ok, signature(ok)).json["outcome"] == "submitted"
    response = deliver(client, late, signature(late))
    assert response.status_code == 200 and response.json["outcome"] == "unchanged"
    order = db.session.get(Order, body["id"])
    assert order.status == "submitted" and the_payment(order.id).status == "succeeded"


def test_a_success_for_a_cancelled_order_is_refunded(client, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    payment = the_payment(body["id"])
    # paid at Stripe (e.g. by an integrator with the client_secret) while the partner cancels
    api(two_partners.a_user).post(f"/orders/{body['id']}/cancel", json={})
    db.session.get(Payment, payment.id).status = "open"  # the intent's cancel did not arrive first
    db.session.flush()
    client_ = stripe.StripeClient("sk_test_orders", base_addresses={"api": stripe_on}, max_network_retries=0)
    other = client_.v1.payment_intents.create(params={"amount": payment.amount_minor, "currency": "eur",
                                                      "payment_method_types": ["card"]})
    method = client_.v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    client_.v1.payment_intents.update(other.id, params={"payment_method": method.id})
    client_.v1.payment_intents.confirm(other.id)
    db.session.get(Payment, payment.id).intent_id = other.id
    db.session.flush()
    payload = event_payload("evt_late_pay", "payment_intent.succeeded", {**intent_object(payment, "succeeded"),
                                                                         "id": other.id})
    response = deliver(client, payload, signature(payload))
    assert response.json["outcome"] == "refund"
    assert db.session.get(Order, body["id"]).status == "cancelled"
    (refund,) = db.session.scalars(select(Refund).where(Refund.order_id == body["id"])).all()
    assert refund.status == "succeeded" and refund.refund_id


def test_an_event_before_the_intent_id_was_stored_finds_its_payment(client, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    payment = the_payment(body["id"])
    intent_id = payment.intent_id
    payment.intent_id = None  # as if the webhook raced our second commit
    payment.status = "new"
    db.session.flush()
    obj = {**intent_object(payment, "succeeded"), "id": intent_id}
    payload = event_payload("evt_early", "payment_intent.succeeded", obj)
    assert deliver(client, payload, signature(payload)).json["outcome"] == "submitted"
    assert the_payment(body["id"]).intent_id == intent_id


def test_unknown_event_types_and_strangers_are_acknowledged(client, stripe_on):
    for n, (kind, obj) in enumerate([("customer.created", {"id": "cus_1", "object": "customer"}),
                                     ("payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent",
                                                                   "amount": 1000, "currency": "eur",
                                                                   "metadata": {}})]):
        payload = event_payload(f"evt_{n}", kind, obj)
        response = deliver(client, payload, signature(payload))
        assert response.status_code == 200 and response.json["received"] is True
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2


def test_webhooks_without_a_configured_secret_are_refused(client, app):
    payload = event_payload("evt_n", "customer.created", {"id": "cus_1"})
    assert deliver(client, payload, signature(payload)).status_code == 400
