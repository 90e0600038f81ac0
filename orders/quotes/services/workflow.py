"""The approval workflow: submit (self-approval within the tier's limit), approve or reject
(partner managers and admins), accept or decline (the partner)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from orders.quotes import rules
from orders.quotes.models import Quote, QuoteRevision
from orders.quotes.services import notices
from orders.quotes.services.common import (
    QuoteConflict, QuoteError, QuoteForbidden, can_decide, get_any_quote, get_quote, record_event,
    require, self_approval_limit, setting, sync_header, text_field, today,
)
from orders.quotes.services.lines import (
    check_deal, deal_from_snapshot, deal_snapshot, freeze, inputs_of, price,
)
from portal.db import utcnow
from portal.errors import DomainError, Malformed
from portal.extension_points import registry
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit

REASON_MAX = 2000


def _approve(quote: Quote, percent: Decimal, actor: User | None, on: date, comment: str) -> None:
    rev = quote.current
    rev.approved_discount_percent = percent
    rev.decision = "approved" if actor is not None else "auto_approved"
    rev.decided_at = utcnow()
    rev.decided_by_id = actor.id if actor is not None else None
    rev.decision_comment = comment
    rev.valid_until = rules.valid_until(on, int(setting("QUOTE_VALIDITY_DAYS")))
    quote.status = "approved"
    sync_header(quote)


def submit_quote(partner: Partner, actor: User, quote_id: int, on: date | None = None) -> Quote:
    """Price the draft again today and submit it: within the tier's self-approval limit it is
    approved at once (prices frozen, valid for QUOTE_VALIDITY_DAYS); above, it waits for the
    partner manager."""
    on = on or today()
    quote = get_quote(partner, quote_id, lock=True)
    require(quote, "submit")
    rev = quote.current
    errors: dict[str, str] = {}
    deal = check_deal(partner, rev.opportunity_id, errors)  # still approved and not expired?
    if errors:
        raise QuoteError("The linked deal registration no longer applies: change the quote.",
                         fields=errors)
    try:
        document = price(partner, inputs_of(rev), deal=deal, percent=rev.requested_discount_percent, on=on)
    except DomainError as exc:
        raise QuoteError(f"The quote cannot be priced today: {exc.message}", fields=exc.fields) from exc
    freeze(rev, document, on)
    rev.deal = deal_snapshot(deal)
    rev.submitted_at, rev.submitted_by_id = utcnow(), actor.id
    quote.submitted_at = rev.submitted_at
    sync_header(quote)
    limit = self_approval_limit(partner)
    requested = rev.requested_discount_percent
    record_event(quote, "submitted", actor, f"Total {rev.total.format()}")
    if rules.within_limit(requested, limit):
        _approve(quote, requested, None, on, f"Within the {partner.tier} tier's self-approval limit "
                                             f"of {rules.format_percent(limit)}%.")
        record_event(quote, "approved", None, quote.current.decision_comment)
    else:
        quote.status = "pending_approval"
        notices.waiting_for_approval(quote)
    db.session.flush()
    return quote


def _decision_percent(rev: QuoteRevision, value: Any) -> Decimal:
    requested = rev.requested_discount_percent
    if value is None or (isinstance(value, str) and not value.strip()):
        return requested
    try:
        percent = rules.parse_percent(value, what="The approved discount")
    except rules.PercentError as exc:
        error = Malformed if exc.malformed else QuoteError
        raise error(str(exc), fields={"discount_percent": str(exc)}) from None
    if percent > requested:
        message = (f"The approved discount cannot be more than the "
                   f"{rules.format_percent(requested)}% requested.")
        raise QuoteError(message, fields={"discount_percent": message})
    return percent


def _decider(actor: User, quote_id: int) -> Quote:
    quote = get_any_quote(quote_id, lock=True)
    if not can_decide(actor, quote):
        raise QuoteForbidden(f"Only {quote.partner.name}'s partner manager or an administrator "
                             "can decide on this quote.")
    return quote


def approve_quote(actor: User, quote_id: int, discount_percent: Any = None, comment: Any = None,
                  on: date | None = None) -> Quote:
    """Approve a pending quote, at the requested extra discount or a lower one, with a comment."""
    on = on or today()
    quote = _decider(actor, quote_id)
    require(quote, "approve")
    rev = quote.current
    errors: dict[str, str] = {}
    note = text_field(comment, "comment", "The comment", REASON_MAX, errors)
    if errors:
        raise QuoteError("The comment is too long.", fields=errors)
    percent = _decision_percent(rev, discount_percent)
    if percent != rev.requested_discount_percent:  # same deal, same pricing date, lower percent
        try:
            document = price(quote.partner, inputs_of(rev), deal=deal_from_snapshot(rev.deal),
                             percent=percent, on=rev.priced_on)
        except DomainError as exc:
            raise QuoteError(f"The quote cannot be priced at {rules.format_percent(percent)}%: "
                             f"{exc.message} Approve the requested discount or reject the quote.",
                             fields=exc.fields) from exc
        freeze(rev, document, rev.priced_on)
    _approve(quote, percent, actor, on, note)
    summary = (f"Approved {quote.reference} at {rules.format_percent(percent)}% "
               f"(requested {rules.format_percent(rev.requested_discount_percent)}%)")
    record_event(quote, "approved", actor, f"{summary}. {note}".strip())
    audit.record(actor, "quote.approve", quote, summary=summary)
    notices.approved(quote)
    db.session.flush()
    return quote


def reject_quote(actor: User, quote_id: int, reason: Any, on: date | None = None) -> Quote:
    """Reject a pending quote; the reason is required and shown to the partner."""
    quote = _decider(actor, quote_id)
    require(quote, "reject")
    errors: dict[str, str] = {}
    text = text_field(reason, "reason", "A reason", REASON_MAX, errors, required=True)
    if errors:
        raise QuoteError(errors["reason"], fields=errors)
    rev = quote.current
    rev.decision, rev.decided_at, rev.decided_by_id = "rejected", utcnow(), actor.id
    rev.decision_comment = text
    quote.status = "rejected"
    record_event(quote, "rejected", actor, text)
    audit.record(actor, "quote.reject", quote, summary=f"Rejected {quote.reference}: {text}")
    notices.rejected(quote)
    db.session.flush()
    return quote


def decline_quote(partner: Partner, actor: User, quote_id: int, reason: Any) -> Quote:
    """The partner declines its quote (a draft, a pending or an approved one) with a reason."""
    quote = get_quote(partner, quote_id, lock=True)
    require(quote, "decline")
    errors: dict[str, str] = {}
    text = text_field(reason, "reason", "A reason", REASON_MAX, errors, required=True)
    if errors:
        raise QuoteError(errors["reason"], fields=errors)
    quote.status, quote.closed_at, quote.closed_by_id = "declined", utcnow(), actor.id
    quote.decline_reason = text
    record_event(quote, "declined", actor, text)
    db.session.flush()
    return quote


def _partners_order(partner: Partner, order_id: Any) -> bool:
    """Whether `order_id` is one of the partner's orders (another partner's reads like a missing
    one), asked of the ordering feature (`registry().order_directory`); none without ordering."""
    orders = registry().order_directory
    return orders is not None and orders.order_state(partner, order_id) is not None


def accept_quote(partner: Partner, actor: User, quote_id: int, *, order_id: int | None = None,
                 on: date | None = None) -> Quote:
    """Accept an approved quote that has not expired (the ordering feature then places the order
    at the quote's frozen prices and passes its id); records who accepted and when."""
    on = on or today()
    quote = get_quote(partner, quote_id, lock=True)
    require(quote, "accept")
    if rules.is_expired(quote.valid_until, on):
        raise QuoteConflict(f"{quote.number} expired on {quote.valid_until.isoformat()}: it can no "
                            "longer be accepted. Revise it to get a new approval.",
                            code="quote_expired", fields={"valid_until": quote.valid_until.isoformat()})
    if order_id is not None and not _partners_order(partner, order_id):
        raise QuoteError("Some fields are invalid: see fields.",
                         fields={"order_id": "No such order of your partner."})
    quote.status, quote.closed_at, quote.closed_by_id = "accepted", utcnow(), actor.id
    quote.order_id = order_id
    record_event(quote, "accepted", actor, f"Order #{order_id}" if order_id else "")
    db.session.flush()
    return quote
