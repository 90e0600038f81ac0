"""An approved quote becomes an order at its frozen prices (the quotes feature accepts it)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orders.models import Order
from orders.quotes.services.common import get_quote
from orders.quotes.services.queries import frozen_quote
from orders.quotes.services.workflow import accept_quote
from orders.services import OrderError
from orders.services.placing import AlreadyOrdered, FrozenLine, OrderInput, place_order
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money


def steps(waterfall: Iterable[Mapping[str, Any]], currency: str) -> list[dict[str, str]]:
    """A quote's waterfall steps in the order's shape: amounts as decimal strings."""
    out = []
    for step in waterfall:
        amount = step.get("amount")
        if amount is None and step.get("amount_minor") is not None:
            amount = Money(int(step["amount_minor"]), currency).as_str()
        out.append({"step": str(step.get("step", "")), "label": str(step.get("label", "")),
                    "amount": str(amount if amount is not None else "")})
    return out


def order_from_quote(partner: Partner, actor: User, quote_id: int, header: OrderInput) -> Order:
    """Place the partner's approved, unexpired quote as an order at the quote's prices; the
    quote is marked accepted with the order's id (both in this transaction). The quote's row is
    locked first, so of concurrent orders of one quote the later ones find it ordered."""
    locked = get_quote(partner, quote_id, lock=True)
    if locked.status == "accepted" and locked.order_id is not None:
        order = db.session.get(Order, locked.order_id)
        raise AlreadyOrdered(f"Quote {locked.number} was already ordered as order "
                             f"{order.number if order else locked.order_id}; it was not ordered twice.",
                             order_id=locked.order_id)
    quote = frozen_quote(partner, quote_id)
    if quote.status != "approved":
        raise OrderError(f"Quote {quote.number} is {quote.status.replace('_', ' ')}: only an "
                         "approved quote can be ordered.", code="quote_not_approved", status=409,
                         fields={"quote_id": "Not an approved quote."})
    header.quote_id = quote.id
    header.opportunity_id = quote.opportunity_id
    header.source = "quote"
    lines = [FrozenLine(line.sku, line.family, line.quantity, tuple(line.options),
                        line.unit_list_minor, line.unit_net_minor,
                        steps(line.waterfall, quote.currency), line.name)
             for line in quote.lines]
    order = place_order(partner, actor, header, lines, quote.currency)
    accept_quote(partner, actor, quote.id, order_id=order.id)
    return order
