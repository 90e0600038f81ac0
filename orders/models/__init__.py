"""Order models: orders with frozen lines and their status history, saved ship-to addresses,
idempotency keys, card payments, refunds and processed Stripe events."""
from orders.models.orders import (
    CANCELLABLE_BY_PARTNER, CANCELLABLE_BY_STAFF, ORDER_STATUSES, PAYMENT_METHODS, Order,
    OrderLine, OrderStatusChange,
)
from orders.models.payments import IdempotencyKey, Payment, Refund, StripeEvent
from orders.models.addresses import ShipToAddress

__all__ = [
    "CANCELLABLE_BY_PARTNER", "CANCELLABLE_BY_STAFF", "ORDER_STATUSES", "PAYMENT_METHODS",
    "IdempotencyKey", "Order", "OrderLine", "OrderStatusChange", "Payment", "Refund",
    "ShipToAddress", "StripeEvent",
]
