"""Card payments through localstripe with the real `stripe` library: PaymentIntents created after
the order is committed (key derived from the order), test cards, declines and retries, Stripe
outages, refunds on cancellation."""
from __future__ import annotations

import re

import pytest
import stripe
from sqlalchemy import select

from orders import payments
from orders.models import Order, Payment, Refund
from portal.extensions import db
from portal.models import Notification
from tests.orders.conftest import order_body

VISA = {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123", "name": "Ada Buyer"}
DECLINED = {**VISA, "number": "4000 0000 0000 0341"}


def text(response) -> str:
    return response.get_data(as_text=True)


def stripe_client(base: str) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_orders", base_addresses={"api": base}, max_network_retries=0)


def card_order(api, user, key="card-1") -> dict:
    response = api(user).post("/orders", json=order_body(payment_method="card"), headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.json
    return response.json


def payments_of(order_id: int) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.attempt)))


def test_a_card_order_waits_for_payment_with_a_payment_intent(api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    assert body["status"] == "pending_payment"
    assert body["payment"]["provider"] == "stripe"
    secret = body["payment"]["client_secret"]
    assert secret and "_secret_" in secret
    (payment,) = payments_of(body["id"])
    assert payment.intent_id == secret.split("_secret_")[0] and payment.status == "open"
    assert payment.idempotency_key.startswith(f"portal-order-{body['id']}-")
    intent = stripe_client(stripe_on).v1.payment_intents.retrieve(payment.intent_id)
    assert intent.amount == 276997 and intent.currency == "eur"
    assert intent.metadata["order_id"] == str(body["id"])
    # a replay of the submission returns the same order and the same intent
    again = api(two_partners.a_user).post("/orders", json=order_body(payment_method="card"),
                                          headers={"Idempotency-Key": "card-1"})
    assert again.status_code == 200 and again.json["payment"]["client_secret"] == secret
    assert len(payments_of(body["id"])) == 1


def test_the_payment_intent_is_created_after_the_order_is_committed(api, two_partners, catalog, stripe_on,
                                                                     monkeypatch):
    seen = {}
    real = payments._client

    def spy():
        client = real()
        create = client.v1.payment_intents.create

        def recording(params, options=None):
            order = db.session.get(Order, int(params["metadata"]["order_id"]))
            seen["committed"] = order is not None and not db.session.new and not db.session.dirty
            seen["key"] = (options or {}).get("idempotency_key")
            return create(params=params, options=options)

        client.v1.payment_intents.create = recording
        return client

    monkeypatch.setattr(payments, "_client", spy)
    body = card_order(api, two_partners.a_user)
    assert seen["committed"] is True
    assert seen["key"] == payments_of(body["id"])[0].idempotency_key


def test_a_stripe_outage_leaves_the_order_pending_and_retryable(app, api, two_partners, catalog, stripe_on):
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    body = card_order(api, two_partners.a_user)
    assert body["status"] == "pending_payment"
    assert body["payment"]["client_secret"] is None and body["payment"]["status"] == "unavailable"
    assert "cannot be reached" in body["payment"]["message"]
    (payment,) = payments_of(body["id"])
    assert payment.intent_id is None and payment.status == "new"
    app.config["STRIPE_API_BASE"] = stripe_on
    retry = api(two_partners.a_user).post(f"/orders/{body['id']}/payment")
    assert retry.status_code == 200 and retry.json["client_secret"]
    (payment,) = payments_of(body["id"])  # the same attempt, with the same idempotency key
    assert payment.intent_id and payment.status == "open"


def test_retrying_payment_while_stripe_is_down_is_a_503(app, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    response = api(two_partners.a_user).post(f"/orders/{body['id']}/payment")
    assert response.status_code == 200 and response.json["client_secret"]  # the intent exists already
    db.session.get(Payment, payments_of(body["id"])[0].id).status = "failed"
    db.session.flush()
    response = api(two_partners.a_user).post(f"/orders/{body['id']}/payment")
    assert response.status_code == 503 and response.json["error"]["code"] == "payment_unavailable"
    assert db.session.get(Order, body["id"]).status == "pending_payment"


def test_paying_with_a_test_card_submits_the_order(client, login, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    login(two_partners.a_user)
    page = text(client.get(f"/orders/{body['id']}/pay"))
    assert "4242 4242 4242 4242" in page and "€2,769.97" in page
    response = client.post(f"/orders/{body['id']}/pay", data=VISA)
    assert response.status_code == 302
    order = db.session.get(Order, body["id"])
    assert order.status == "submitted" and order.paid_at is not None
    (payment,) = payments_of(order.id)
    assert payment.status == "succeeded" and payment.card_last4 == "4242"
    intent = stripe_client(stripe_on).v1.payment_intents.retrieve(payment.intent_id)
    assert intent.status == "succeeded"
    assert "is submitted" in text(client.get(f"/orders/{order.id}"))


def test_a_declined_card_keeps_the_order_pending_and_another_card_pays(client, login, api, two_partners,
                                                                       catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    login(two_partners.a_user)
    response = client.post(f"/orders/{body['id']}/pay", data=DECLINED)
    assert response.status_code == 402 and "Your card was declined." in text(response)
    order = db.session.get(Order, body["id"])
    assert order.status == "pending_payment"
    (failed,) = payments_of(order.id)
    assert failed.status == "failed"
    note = db.session.scalars(select(Notification).where(Notification.user_id == two_partners.a_user.id,
                                                         Notification.kind == "order_payment_failed")).one()
    assert "declined" in note.body
    response = client.post(f"/orders/{body['id']}/pay", data=VISA)
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "submitted"
    assert [p.status for p in payments_of(order.id)] == ["failed", "succeeded"]


def test_card_form_errors_are_shown_next_to_the_fields(client, login, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    login(two_partners.a_user)
    response = client.post(f"/orders/{body['id']}/pay", data={**VISA, "number": "4242 4242 4242 4241",
                                                               "expiry": "01/20", "cvc": "1"})
    assert response.status_code == 400
    page = text(response)
    assert "This card number is not valid." in page and "This card has expired." in page and "3 or 4 digits." in page
    assert 'value="4242 4242 4242 4241"' in page and 'value="1"' not in page.split('name="cvc"')[1][:60]
    assert payments_of(body["id"])[0].status == "open"


def test_cancelling_a_paid_card_order_refunds_it(client, login, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    login(two_partners.a_user)
    client.post(f"/orders/{body['id']}/pay", data=VISA)
    response = api(two_partners.a_user).post(f"/orders/{body['id']}/cancel", json={"reason": "Not needed"})
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    (refund,) = db.session.scalars(select(Refund).where(Refund.order_id == body["id"])).all()
    assert refund.status == "succeeded" and refund.refund_id.startswith("re_") and refund.amount_minor == 276997
    stripe_refunds = stripe_client(stripe_on).v1.refunds.list(params={"payment_intent": refund.payment.intent_id})
    assert [r.amount for r in stripe_refunds.data] == [276997]
    assert "refund" in text(client.get(f"/orders/{body['id']}")).lower()


def test_a_refund_during_an_outage_is_retried_by_the_job(app, client, login, api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    login(two_partners.a_user)
    client.post(f"/orders/{body['id']}/pay", data=VISA)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    assert api(two_partners.manager).post(f"/orders/{body['id']}/cancel", json={}).status_code == 200
    (refund,) = db.session.scalars(select(Refund).where(Refund.order_id == body["id"])).all()
    assert refund.status == "pending" and refund.attempts == 1 and "APIConnectionError" in refund.last_error
    app.config["STRIPE_API_BASE"] = stripe_on
    from orders.tasks import retry_refunds

    assert retry_refunds.apply().get() == 1
    db.session.refresh(refund)
    assert refund.status == "succeeded" and refund.attempts == 2


def test_cancelling_an_unpaid_card_order_cancels_its_intent(api, two_partners, catalog, stripe_on):
    body = card_order(api, two_partners.a_user)
    api(two_partners.a_user).post(f"/orders/{body['id']}/cancel", json={})
    (payment,) = payments_of(body["id"])
    assert payment.status == "canceled"
    assert stripe_client(stripe_on).v1.payment_intents.retrieve(payment.intent_id).status == "canceled"
    assert db.session.scalars(select(Refund)).all() == []


def test_the_card_option_is_offered_only_with_stripe_keys(client, login, two_partners, catalog, app):
    login(two_partners.a_user)
    assert 'value="card"' not in text(client.get("/checkout"))
    app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    try:
        assert 'value="card"' in text(client.get("/checkout"))
    finally:
        app.config["STRIPE_SECRET_KEY"] = None


@pytest.mark.parametrize("number", ["4242424242424242", "4000000000000341"])
def test_luhn_check_accepts_test_cards(number):
    from orders.forms import luhn_ok

    assert luhn_ok(number) and not luhn_ok(number[:-1] + str((int(number[-1]) + 1) % 10))


def test_the_checkout_form_goes_on_to_the_card_page(client, login, two_partners, catalog, stripe_on):
    from catalog.services import carts
    from orders.models import ShipToAddress

    carts.add_line(two_partners.a, two_partners.a_user, "LIC", 1, [])
    address = db.session.scalars(select(ShipToAddress)).first()
    login(two_partners.a_user)
    data = {"po_number": "PO-CARD", "address_id": str(address.id), "payment_method": "card", "token": "t"}
    response = client.post("/checkout/place", data=data)
    order = db.session.scalars(select(Order)).one()
    assert response.headers["Location"].endswith(f"/orders/{order.id}/pay")
    assert re.search(r"Pay .*€99\.99", text(client.get(f"/orders/{order.id}/pay")))
