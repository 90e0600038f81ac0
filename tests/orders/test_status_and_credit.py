"""The status machine (DOMAIN.md), its timeline and notifications; the credit limit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from orders.models import Order
from orders.services import IllegalTransition, placing, status
from portal.extensions import db
from portal.models import Notification, OutboxEmail
from tests.orders.conftest import LIC_LINE, order_body


def place(api, user, key="k", **changes):
    response = api(user).post("/orders", json=order_body(**changes), headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_staff_walk_an_order_to_closed_and_every_step_is_logged(api, two_partners, catalog):
    order_id = place(api, two_partners.a_user)
    staff = api(two_partners.manager)
    for target, extra in (("confirmed", {}), ("shipped", {"tracking": "DHL 123"}), ("invoiced", {}), ("closed", {})):
        response = staff.post(f"/orders/{order_id}/status", json={"status": target, **extra})
        assert response.status_code == 200, response.json
        assert response.json["status"] == target
    body = staff.get(f"/orders/{order_id}").json
    assert body["tracking"] == "DHL 123" and body["paid"] is True  # closing settles an on-account order
    assert [(h["from_status"], h["status"]) for h in body["history"]] == [
        (None, "submitted"), ("submitted", "confirmed"), ("confirmed", "shipped"), ("shipped", "invoiced"),
        ("invoiced", "closed")]
    assert body["history"][1]["by"] == two_partners.manager.email
    titles = [n.title for n in db.session.scalars(select(Notification).where(
        Notification.user_id == two_partners.a_user.id).order_by(Notification.id))]
    assert titles[0].endswith("received") and titles[-1].endswith("closed") and len(titles) == 5
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == two_partners.a_user.email,
                                                       OutboxEmail.subject.like("%shipped%"))) is not None


@pytest.mark.parametrize("walk, target", [
    ([], "shipped"), ([], "closed"), (["confirmed"], "invoiced"), (["confirmed", "shipped"], "confirmed"),
    (["confirmed", "shipped"], "cancelled"), (["confirmed", "shipped", "invoiced", "closed"], "cancelled"),
    ([], "pending_payment"), ([], "submitted"),
])
def test_illegal_transitions_are_409_and_change_nothing(api, two_partners, catalog, walk, target):
    order_id = place(api, two_partners.a_user)
    staff = api(two_partners.admin)
    for step in walk:
        staff.post(f"/orders/{order_id}/status", json={"status": step})
    before = db.session.get(Order, order_id).status
    response = staff.post(f"/orders/{order_id}/status", json={"status": target})
    assert response.status_code == 409 and response.json["error"]["code"] == "illegal_transition"
    assert order_id and response.json["error"]["message"].startswith("Order SO-")
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == before


def test_an_unknown_status_is_422(api, two_partners, catalog):
    order_id = place(api, two_partners.a_user)
    response = api(two_partners.admin).post(f"/orders/{order_id}/status", json={"status": "lost"})
    assert response.status_code == 422
    assert api(two_partners.admin).post("/orders/999999/status", json={"status": "confirmed"}).status_code == 404


def test_the_partner_cancels_before_confirmed_only(api, two_partners, catalog):
    client = api(two_partners.a_user)
    first = place(api, two_partners.a_user, "1")
    response = client.post(f"/orders/{first}/cancel", json={"reason": "Wrong PO"})
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert response.json["history"][-1]["note"] == "Wrong PO"
    assert client.post(f"/orders/{first}/cancel", json={}).status_code == 409
    second = place(api, two_partners.a_user, "2")
    api(two_partners.admin).post(f"/orders/{second}/status", json={"status": "confirmed"})
    refused = client.post(f"/orders/{second}/cancel", json={})
    assert refused.status_code == 409 and "only before it is confirmed" in refused.json["error"]["message"]


def test_staff_cancel_before_shipped(api, two_partners, catalog):
    order_id = place(api, two_partners.a_user)
    staff = api(two_partners.manager)
    staff.post(f"/orders/{order_id}/status", json={"status": "confirmed"})
    response = staff.post(f"/orders/{order_id}/cancel", json={"reason": "Out of stock"})
    assert response.status_code == 200 and response.json["status"] == "cancelled"


def test_the_credit_limit_counts_open_on_account_orders(api, two_partners, catalog):
    partner = two_partners.a  # limit 10,000.00 EUR
    client = api(two_partners.a_user)
    big = {"sku": "LIC", "quantity": 50}  # 4,999.50
    place(api, two_partners.a_user, "1", lines=[big])
    place(api, two_partners.a_user, "2", lines=[big])
    assert placing.credit_summary(partner).available.as_str() == "1.00"
    response = client.post("/orders", json=order_body(lines=[LIC_LINE]), headers={"Idempotency-Key": "3"})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "credit_limit_exceeded"
    assert "€10,000.00" in error["message"] and "€9,999.00" in error["message"] and "€1.00 is left" in error["message"]
    assert db.session.query(Order).count() == 2
    # a cancelled order and a settled (closed) one no longer count
    first = db.session.scalars(select(Order).order_by(Order.id)).first()
    client.post(f"/orders/{first.id}/cancel", json={})
    assert client.post("/orders", json=order_body(lines=[LIC_LINE]), headers={"Idempotency-Key": "4"}).status_code == 201


def test_service_refuses_a_second_cancel(two_partners, catalog, api):
    order_id = place(api, two_partners.a_user)
    status.cancel_for_partner(two_partners.a, two_partners.a_user, order_id)
    with pytest.raises(IllegalTransition):
        status.cancel_for_partner(two_partners.a, two_partners.a_user, order_id)
