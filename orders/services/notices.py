"""Who hears about an order, and what they are told (in-app and by e-mail after commit)."""
from __future__ import annotations

from orders.models import Order
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import Partner, User
from portal.services.notifications import manager_of, notify, partner_users

ORDER_RECEIVED = NotificationKind("order_received", "Order received")
ORDER_STATUS = NotificationKind("order_status", "Order status changed")
PAYMENT_FAILED = NotificationKind("order_payment_failed", "Card payment failed")
NOTIFICATION_KINDS = (ORDER_RECEIVED, ORDER_STATUS, PAYMENT_FAILED)  # registered by the feature's init_app

LABELS = {
    "pending_payment": "waiting for card payment", "submitted": "submitted",
    "confirmed": "confirmed", "shipped": "shipped", "invoiced": "invoiced", "closed": "closed",
    "cancelled": "cancelled",
}


def link(order: Order) -> str:
    return f"/orders/{order.id}"


def _partner_side(order: Order) -> list[User]:
    """The user who placed the order and the partner's admins."""
    partner = db.session.get(Partner, order.partner_id)
    users = partner_users(partner, roles=("partner_admin",))
    placer = db.session.get(User, order.placed_by_id) if order.placed_by_id else None
    return ([placer] if placer is not None else []) + users


def order_placed(order: Order) -> None:
    """The partner gets a receipt; its manager learns of a new order."""
    partner = db.session.get(Partner, order.partner_id)
    state = ("It waits for your card payment." if order.status == "pending_payment"
             else "We will confirm it shortly.")
    notify(_partner_side(order), ORDER_RECEIVED, f"Order {order.number} received",
           f"Your order {order.number} (PO {order.po_number}) for {order.total.format()} is "
           f"received. {state}", link(order))
    if order.status == "submitted":
        notify(manager_of(partner), ORDER_RECEIVED, f"New order {order.number} from {partner.name}",
               f"{partner.name} placed order {order.number} for {order.total.format()}.",
               f"/admin/orders/{order.id}")


def status_changed(order: Order, previous: str, note: str = "") -> None:
    body = f"Order {order.number} (PO {order.po_number}) is now {LABELS[order.status]}."
    if order.status == "shipped" and order.tracking:
        body += f" Tracking: {order.tracking}."
    if note:
        body += f" {note}"
    notify(_partner_side(order), ORDER_STATUS, f"Order {order.number} {LABELS[order.status]}",
           body, link(order))
    if previous == "pending_payment" and order.status == "submitted":
        partner = db.session.get(Partner, order.partner_id)
        notify(manager_of(partner), ORDER_RECEIVED,
               f"New order {order.number} from {partner.name}",
               f"{partner.name} paid order {order.number} ({order.total.format()}) by card.",
               f"/admin/orders/{order.id}")


def payment_failed(order: Order, message: str) -> None:
    notify(_partner_side(order), PAYMENT_FAILED, f"Card payment for order {order.number} failed",
           f"{message} The order is kept; pay it with another card from the order page.",
           link(order))
