"""Creating a quote (from lines or from the cart) and changing it: a draft is edited in place;
a quote that left draft gets a new revision, a draft again that needs approval again."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.pricing import DealDiscount, DocumentPrice
from catalog.services import carts
from orders.quotes import rules
from orders.quotes.models import STATUS_LABELS, Quote, QuoteRevision
from orders.quotes.numbering import next_number
from orders.quotes.services.common import (
    QuoteConflict, QuoteError, get_quote, record_event, sync_header, text_field, today,
)
from orders.quotes.services.lines import (
    LineInput, check_deal, deal_snapshot, freeze, inputs_of, price,
)
from portal.errors import DomainError, Malformed
from portal.extensions import db
from portal.models import Partner, User

KEEP: Any = type("Keep", (), {"__repr__": lambda self: "KEEP"})()  # "leave as it is" on updates
TITLE_MAX, TEXT_MAX = 200, 4000


@dataclass(frozen=True)
class QuoteInput:
    """What a partner sends for a quote; on updates, KEEP leaves a field as it is."""

    lines: Sequence[LineInput] | None = KEEP
    opportunity_id: Any = KEEP
    requested_discount_percent: Any = KEEP
    justification: Any = KEEP
    title: Any = KEEP
    change_note: Any = None


@dataclass(frozen=True)
class _Checked:
    title: str
    justification: str
    percent: Decimal
    opportunity_id: int | None
    deal: DealDiscount | None
    document: DocumentPrice


def _pick(value: Any, current: Any) -> Any:
    return current if value is KEEP else value


def _check(partner: Partner, data: QuoteInput, base: QuoteRevision | None, on: date) -> _Checked:
    """Validate every field and price the lines; all problems are reported together (422)."""
    errors: dict[str, str] = {}
    title = text_field(_pick(data.title, base.title if base else ""), "title", "The reference",
                       TITLE_MAX, errors)
    justification = text_field(_pick(data.justification, base.justification if base else ""),
                               "justification", "The justification", TEXT_MAX, errors)
    text_field(data.change_note, "change_note", "The note", TEXT_MAX, errors)
    percent = Decimal(0)
    try:
        percent = rules.parse_percent(
            _pick(data.requested_discount_percent, base.requested_discount_percent if base else None),
            what="The requested discount")
    except rules.PercentError as exc:
        if exc.malformed:
            raise Malformed(str(exc), fields={"requested_discount_percent": str(exc)}) from None
        errors["requested_discount_percent"] = str(exc)
    opportunity = _pick(data.opportunity_id, base.opportunity_id if base else None)
    deal = check_deal(partner, opportunity, errors)
    lines = inputs_of(base) if data.lines is KEEP and base is not None else list(data.lines or [])
    document = None
    try:
        document = price(partner, lines, deal=deal, percent=percent, on=on)
    except DomainError as exc:
        errors.update(exc.fields or {"lines": exc.message})
    if errors or document is None:
        raise QuoteError("The quote cannot be saved: see the fields.", fields=errors)
    return _Checked(title, justification, percent, int(opportunity) if deal else None, deal, document)


def _fill(rev: QuoteRevision, checked: _Checked, on: date) -> None:
    rev.title = checked.title
    rev.justification = checked.justification
    rev.requested_discount_percent = checked.percent
    rev.opportunity_id = checked.opportunity_id
    rev.deal = deal_snapshot(checked.deal)
    freeze(rev, checked.document, on)


def create_quote(partner: Partner, actor: User, data: QuoteInput, on: date | None = None) -> Quote:
    """A draft quote with a new number, its lines priced today (with the requested discount)."""
    on = on or today()
    checked = _check(partner, data, None, on)
    quote = Quote(partner_id=partner.id, number=next_number(on), status="draft", revision=1,
                  currency=checked.document.currency, created_by_id=actor.id)
    rev = QuoteRevision(partner_id=partner.id, number=1, created_by_id=actor.id,
                        currency=checked.document.currency, priced_on=on)
    quote.revisions.append(rev)
    db.session.add(quote)
    _fill(rev, checked, on)
    sync_header(quote)
    db.session.flush()
    record_event(quote, "created", actor, f"{len(rev.lines)} line(s), total {rev.total.format()}")
    db.session.flush()
    return quote


def create_quote_from_cart(partner: Partner, actor: User, data: QuoteInput, *,
                           empty_cart: bool = True, on: date | None = None) -> Quote:
    """A draft quote from the user's cart lines that can be ordered; optionally empties the cart."""
    priced = carts.price_cart(partner, actor, on)
    lines = [LineInput(i.line.sku, i.line.quantity, tuple(i.line.options))
             for i in priced.items if i.problem is None]
    if not lines:
        message = ("Your cart is empty." if not priced.items else
                   "No line of your cart can be quoted: see the problems in the cart.")
        raise QuoteError(message, fields={"lines": message})
    quote = create_quote(partner, actor, replace(data, lines=lines), on)
    if empty_cart:
        carts.clear_cart(partner, actor)
    return quote


def _unchanged(rev: QuoteRevision, checked: _Checked) -> bool:
    old = [(line.sku, tuple(line.options), line.quantity) for line in rev.lines]
    new = [(line.sku, tuple(line.options), line.quantity) for line in checked.document.lines]
    return (old == new and rev.title == checked.title and rev.justification == checked.justification
            and rev.requested_discount_percent == checked.percent
            and rev.opportunity_id == checked.opportunity_id)


def update_quote(partner: Partner, actor: User, quote_id: int, data: QuoteInput,
                 on: date | None = None) -> Quote:
    """Edit a draft in place, or make a new revision of a pending, approved, rejected or expired
    quote (a draft again: it must be submitted, and approved, again)."""
    on = on or today()
    quote = get_quote(partner, quote_id, lock=True)
    if not (rules.allowed("edit", quote.status) or rules.allowed("revise", quote.status)):
        raise QuoteConflict(rules.refusal("revise", quote.status, quote.number),
                            fields={"status": quote.status})
    base = quote.current
    checked = _check(partner, data, base, on)
    note = str(data.change_note or "").strip()
    if quote.status == "draft":
        _fill(base, checked, on)
        sync_header(quote)
        record_event(quote, "edited", actor, note)
    else:
        if quote.status in ("pending_approval", "approved") and _unchanged(base, checked):
            raise QuoteError(f"Nothing was changed: {quote.number} stays "
                             f"{STATUS_LABELS[quote.status].lower()}.", code="quote_unchanged")
        previous = quote.status
        rev = QuoteRevision(partner_id=partner.id, number=base.number + 1, created_by_id=actor.id,
                            currency=checked.document.currency, priced_on=on, change_note=note)
        quote.revisions.append(rev)
        _fill(rev, checked, on)
        quote.status, quote.submitted_at, quote.expiry_warned_for = "draft", None, None
        sync_header(quote)
        record_event(quote, "revised", actor,
                     f"Revision {rev.number} replaces revision {base.number} "
                     f"({STATUS_LABELS[previous].lower()}). {note}".strip())
    db.session.flush()
    return quote
