"""What the other features may know of orders (`portal.extension_points.OrderDirectory` and
`QuoteOrdering`): whether an id is one of a partner's orders and its status, the orders table for
reports that join it, and where a partner orders an approved quote. Registered by `orders.init_app`."""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Table

from orders.models import Order
from portal.db import load_owned
from portal.errors import NotFound
from portal.models import Partner


def order_state(partner: Partner, order_id: Any) -> str | None:
    """The status of the partner's order `order_id`; None when there is no such order of the
    partner (another partner's reads like a missing one, and so does an id no order can have)."""
    try:
        return load_owned(Order, order_id, partner).status
    except NotFound:
        return None


def orders_table() -> Table:
    """The orders table (read only), for the reports that join it."""
    return Order.__table__


class Directory:
    """The OrderDirectory the orders feature provides."""

    def order_state(self, partner: Partner, order_id: Any) -> str | None:
        return order_state(partner, order_id)

    def orders_table(self) -> Table:
        return orders_table()


class QuoteOrdering:
    """Quotes -> orders: an approved quote is ordered through the checkout."""

    def order_form_url(self, quote: Any) -> str | None:
        return url_for("orders.checkout_form", quote_id=quote.id)
