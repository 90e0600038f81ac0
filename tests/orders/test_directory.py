"""What quotes and registrations may ask of orders (portal.extension_points.OrderDirectory and
QuoteOrdering), provided by the orders feature."""
from __future__ import annotations

from orders.models import Order
from portal.extension_points import registry
from portal.extensions import db
from tests.orders.conftest import order_body


def test_the_order_directory_answers_only_for_the_partners_own_orders(app, api, two_partners, catalog):
    order_id = api(two_partners.a_user).post("/orders", json=order_body(), headers={"Idempotency-Key": "d"}).json["id"]
    orders = registry(app).order_directory
    assert orders.order_state(two_partners.a, order_id) == "submitted"
    assert orders.order_state(two_partners.b, order_id) is None  # another partner's reads like none
    for impossible in (True, str(order_id), float(order_id), 0, -1, 2**31, None):
        assert orders.order_state(two_partners.a, impossible) is None
    assert orders.order_state(two_partners.a, order_id + 1000) is None
    db.session.get(Order, order_id).status = "cancelled"
    assert orders.order_state(two_partners.a, order_id) == "cancelled"
    assert orders.orders_table() is Order.__table__


def test_an_approved_quote_is_ordered_at_the_checkout(app):
    class Quote:
        id = 42

    with app.test_request_context():
        assert registry(app).quote_ordering.order_form_url(Quote()) == "/checkout?quote_id=42"
