"""Quote services: create and revise quotes, the approval workflow, expiry, and reads.

Services take `partner` first (staff decisions take the quote, which carries its partner), flush
but never commit, and never read the request or `current_user`. Other features call them from
here, e.g. `orders.quotes.services.accept_quote(partner, actor, quote_id)`.
"""
from orders.quotes.services.common import (
    QuoteConflict, QuoteError, QuoteForbidden, QuoteNotFound, can_decide, get_any_quote, get_quote,
)
from orders.quotes.services.drafting import QuoteInput, create_quote, create_quote_from_cart, update_quote
from orders.quotes.services.expiry import expire_quotes, warn_expiring
from orders.quotes.services.queries import FrozenQuote, QuoteLineSnapshot, frozen_quote
from orders.quotes.services.workflow import (
    accept_quote, approve_quote, decline_quote, reject_quote, submit_quote,
)

__all__ = [
    "QuoteError", "QuoteConflict", "QuoteNotFound", "QuoteForbidden", "QuoteInput",
    "create_quote", "create_quote_from_cart", "update_quote", "submit_quote", "approve_quote",
    "reject_quote", "decline_quote", "accept_quote", "expire_quotes", "warn_expiring",
    "frozen_quote", "FrozenQuote", "QuoteLineSnapshot", "get_quote", "get_any_quote", "can_decide",
]
