"""What every quote service shares: errors, loading a quote, the history, settings, input checks."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from orders.quotes import rules
from orders.quotes.models import Quote, QuoteEvent
from portal.db import id_in_range, load_owned
from portal.errors import Forbidden, NotFound, StateConflict, ValidationFailed
from portal.extensions import db
from portal.models import Partner, User


class QuoteError(ValidationFailed):
    """A quote rule was broken (422 with field errors)."""

    code = "quote_invalid"


class QuoteConflict(StateConflict):
    """The action is not allowed in the quote's current status (409)."""

    code = "quote_state_conflict"


class QuoteNotFound(NotFound):
    """No such quote for this partner (another partner's quote leaks nothing)."""

    code = "quote_not_found"


class QuoteForbidden(Forbidden):
    """The user may not decide on this quote (e.g. a manager of another partner)."""

    code = "quote_forbidden"


def today() -> date:
    """Today's date (the one place tests may move the clock)."""
    return date.today()


def setting(name: str) -> Any:
    return current_app.config[name]


def self_approval_limit(partner: Partner) -> Decimal:
    """The partner tier's self-approval limit (setting QUOTE_SELF_APPROVAL_LIMITS)."""
    return rules.self_approval_limit(setting("QUOTE_SELF_APPROVAL_LIMITS"), partner.tier)


def get_quote(partner: Partner, quote_id: int, *, lock: bool = False) -> Quote:
    """The partner's quote; another partner's or an unknown id is QuoteNotFound (404). With
    `lock`, the row is locked and read afresh first (`_load`), then checked like any other."""
    if lock and id_in_range(quote_id):
        _load(quote_id, lock)
    return load_owned(Quote, quote_id, partner, error=QuoteNotFound, message="This quote does not exist.")


def get_any_quote(quote_id: int, *, lock: bool = False) -> Quote:
    """Any partner's quote (staff); QuoteNotFound when there is none."""
    quote = _load(quote_id, lock)
    if quote is None:
        raise QuoteNotFound("This quote does not exist.")
    return quote


def _load(quote_id: int, lock: bool) -> Quote | None:
    stmt = select(Quote).where(Quote.id == quote_id)
    if lock:  # decisions on one quote are serialised (two managers approving at once)
        stmt = stmt.with_for_update(of=Quote).execution_options(populate_existing=True)
    return db.session.scalars(stmt).first()


def require(quote: Quote, action: str) -> None:
    """409 unless `action` is allowed in the quote's status."""
    if not rules.allowed(action, quote.status):
        raise QuoteConflict(rules.refusal(action, quote.status, quote.number),
                            fields={"status": quote.status})


def can_decide(user: Any, quote: Quote) -> bool:
    """Admins decide on every quote; a partner manager on its own partners' quotes."""
    if not (user and getattr(user, "is_authenticated", True)):
        return False
    if user.role == "admin":
        return True
    return user.role == "partner_manager" and quote.partner.manager_id == user.id


def record_event(quote: Quote, action: str, actor: User | None, note: str = "") -> QuoteEvent:
    """Append to the quote's history."""
    event = QuoteEvent(partner_id=quote.partner_id, quote_id=quote.id, revision=quote.revision,
                       action=action, actor_id=actor.id if actor else None,
                       actor_label=(actor.name if actor else "system"), note=note)
    quote.events.append(event)
    return event


def text_field(value: Any, name: str, label: str, limit: int, errors: dict[str, str], *,
               required: bool = False) -> str:
    """A trimmed text input, checked for presence and length (errors collected by field)."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors[name] = f"{label} is required."
    elif len(text) > limit:
        errors[name] = f"{label} is at most {limit:,} characters."
    return text



def sync_header(quote: Quote) -> None:
    """Mirror the current revision on the quote (what lists sort and filter by)."""
    rev = quote.current
    quote.revision = rev.number
    quote.title = rev.title
    quote.currency = rev.currency
    quote.total_minor = rev.total_minor
    quote.opportunity_id = rev.opportunity_id
    quote.requested_discount_percent = rev.requested_discount_percent
    quote.approved_discount_percent = rev.approved_discount_percent
    quote.valid_until = rev.valid_until
