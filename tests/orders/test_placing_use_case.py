"""The one placing use case (orders.services.checkout.place): its dry run is the preview and
writes nothing; placing it is idempotent per key."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.services.pricing import lines_from
from orders.models import IdempotencyKey, Order
from orders.services import OrderError, checkout
from portal.extensions import db
from tests.orders.conftest import LIC_LINE, SERVER_LINE


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def request(**changes) -> checkout.PlaceRequest:
    fields = {"data": {"po_number": "PO-1", "payment_method": "on_account"}, "source": "api",
              "lines": lines_from([SERVER_LINE, LIC_LINE]), "idempotency": checkout.Idempotency("api", "k", "digest")}
    fields.update(changes)
    return checkout.PlaceRequest(**fields)


def test_the_dry_run_is_the_preview_of_what_placing_orders(two_partners, catalog):
    a, user = two_partners.a, two_partners.a_user
    preview = checkout.place(a, user, request(), dry_run=True)
    assert isinstance(preview, checkout.Preview)
    assert preview.total.as_str() == "2769.97" and [l.sku for l in preview.lines] == ["SRV", "LIC"]
    assert preview.ship_to["city"] == "Berlin" and not preview.exceeds_credit
    assert count(Order) == 0 and count(IdempotencyKey) == 0  # nothing written
    placed = checkout.place(a, user, request())
    assert placed.created and placed.order.total_minor == preview.total.amount_minor
    again = checkout.place(a, user, request())
    assert (again.order.id, again.created) == (placed.order.id, False)
    assert count(Order) == 1


def test_the_dry_run_checks_like_placing(two_partners, catalog):
    a, user = two_partners.a, two_partners.a_user
    with pytest.raises(OrderError) as refused:
        checkout.place(a, user, request(data={"payment_method": "on_account"}), dry_run=True)
    assert refused.value.fields == {"po_number": "Your purchase order number is required."}
    with pytest.raises(OrderError, match="Your cart is empty."):
        checkout.place(a, user, request(lines=None, source="cart"), dry_run=True)
    with pytest.raises(ValueError):
        checkout.place(a, user, request(idempotency=None))  # placing needs its idempotency key
