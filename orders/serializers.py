"""JSON shapes of orders (validated through the API's response models)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from orders.api_schemas import OrderOut, OrderSummaryOut
from orders.models import Order, Payment
from portal.api.schemas import present
from portal.extensions import db
from portal.money import Money


def payment_of(order: Order, message: str | None = None) -> dict[str, Any] | None:
    """The card payment to complete with Stripe (the latest attempt), or None on account."""
    if order.payment_method != "card":
        return None
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)
                                 .order_by(Payment.attempt.desc())).first()
    if payment is None:
        return {"provider": "stripe", "client_secret": None, "status": "unavailable", "message": message}
    status = "unavailable" if payment.status == "new" else payment.status
    return {"provider": "stripe", "client_secret": payment.client_secret if status != "succeeded" else None,
            "status": status, "message": message or payment.last_error}


def order(o: Order, *, message: str | None = None) -> dict[str, Any]:
    def money(minor: int) -> str:
        return Money(minor, o.currency).as_str()

    data = {
        "id": o.id, "number": o.number, "status": o.status, "partner_id": o.partner_id,
        "po_number": o.po_number, "payment_method": o.payment_method, "currency": o.currency,
        "total": o.total.as_str(), "ship_to": {k: str(v) for k, v in (o.ship_to or {}).items()},
        "requested_date": o.requested_date, "notes": o.notes, "quote_id": o.quote_id,
        "opportunity_id": o.opportunity_id, "tracking": o.tracking, "paid": o.paid_at is not None,
        "created_at": o.created_at,
        "lines": [{"sku": l.sku, "name": l.name, "family": l.family, "quantity": l.quantity,
                   "options": list(l.options), "unit_list": money(l.unit_list_minor),
                   "unit_net": money(l.unit_net_minor), "line_total": money(l.line_total_minor),
                   "waterfall": l.waterfall} for l in o.lines],
        "history": [{"status": h.to_status, "from_status": h.from_status, "at": h.created_at,
                     "by": h.actor_label, "note": h.note} for h in o.history],
        "payment": payment_of(o, message),
    }
    return present(OrderOut, data)


def summary(o: Order) -> dict[str, Any]:
    return present(OrderSummaryOut, {
        "id": o.id, "number": o.number, "status": o.status, "partner_id": o.partner_id,
        "po_number": o.po_number, "payment_method": o.payment_method, "currency": o.currency,
        "total": o.total.as_str(), "created_at": o.created_at})
