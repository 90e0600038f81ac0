"""Order services: placing (checkout, credit check, idempotency), the status machine, quick
order and reorder, saved addresses, queries. They take `partner` first, flush, never commit."""
from portal.errors import DomainError, StateConflict, ValidationFailed


class OrderError(ValidationFailed):
    """An order rule was broken (422 with field errors)."""

    code = "order_invalid"


class CreditLimitExceeded(OrderError):
    code = "credit_limit_exceeded"


class IllegalTransition(StateConflict):
    """The order's status does not allow this change (409)."""

    code = "illegal_transition"


class IdempotencyKeyReused(StateConflict):
    code = "idempotency_key_reused"


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request; the order stays pending (503)."""

    status = 503
    code = "payment_unavailable"


class CardDeclined(DomainError):
    """The card was declined; the order stays pending and may be paid with another card."""

    status = 402
    code = "card_declined"
