"""Reads: quote lists, the approval queue, a partner's quote history, the margin effect of an
extra discount, revisions, and the frozen lines that ordering turns into an order."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select

from orders.quotes.models import Quote, QuoteRevision
from orders.quotes.services.common import QuoteNotFound, get_quote
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money

OPEN_STATUSES = ("draft", "pending_approval", "approved")


def _search(stmt: Select, q: str | None) -> Select:
    text = (q or "").strip()
    if text:
        stmt = stmt.where(or_(Quote.number.ilike(f"%{text}%"), Quote.title.ilike(f"%{text}%")))
    return stmt


def partner_quotes(partner: Partner, *, status: str | None = None, q: str | None = None) -> Select:
    """The partner's quotes (a select to sort and paginate)."""
    stmt = Quote.for_partner(partner)
    if status == "open":
        stmt = stmt.where(Quote.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Quote.status == status)
    return _search(stmt, q)


def staff_quotes(*, status: str | None = None, partner_id: int | None = None,
                 manager: User | None = None, q: str | None = None) -> Select:
    """Every partner's quotes for staff; `manager` limits them to that manager's partners."""
    stmt = select(Quote).join(Partner, Partner.id == Quote.partner_id)
    if status == "open":
        stmt = stmt.where(Quote.status.in_(OPEN_STATUSES))
    elif status:
        stmt = stmt.where(Quote.status == status)
    if partner_id:
        stmt = stmt.where(Quote.partner_id == partner_id)
    if manager is not None:
        stmt = stmt.where(Partner.manager_id == manager.id)
    return _search(stmt, q)


def approval_queue(actor: User, *, everyone: bool = False) -> Select:
    """Quotes waiting for approval: a manager's own partners' (all of them for admins, or with
    `everyone`), oldest first."""
    mine = None if (actor.role == "admin" or everyone) else actor
    return staff_quotes(status="pending_approval", manager=mine)


def pending_count(actor: User) -> int:
    """How many quotes wait for this manager (every pending quote for an admin)."""
    stmt = approval_queue(actor).with_only_columns(func.count(Quote.id)).order_by(None)
    return db.session.scalar(stmt) or 0


def open_quotes(partner: Partner, limit: int = 5) -> tuple[int, list[Quote]]:
    """The partner's open quotes: how many, and the most recently changed few."""
    stmt = partner_quotes(partner, status="open")
    count = db.session.scalar(stmt.with_only_columns(func.count(Quote.id)).order_by(None)) or 0
    recent = list(db.session.scalars(stmt.order_by(Quote.updated_at.desc(), Quote.id.desc()).limit(limit)))
    return count, recent


@dataclass(frozen=True)
class PartnerHistory:
    """What a manager weighs before approving: how this partner's quotes went."""

    by_status: dict[str, int]
    decided: int
    approved: int
    average_approved_percent: Decimal | None
    accepted_value: list[Money]
    recent: list[Quote]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def approval_rate(self) -> int | None:
        return round(100 * self.approved / self.decided) if self.decided else None


def partner_history(partner: Partner, exclude: Quote | None = None, recent: int = 8) -> PartnerHistory:
    """Counts by status, manager decisions, the average approved extra discount, accepted value."""
    base = Quote.for_partner(partner)
    if exclude is not None:
        base = base.where(Quote.id != exclude.id)
    sub = base.subquery()
    by_status = dict(db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all())
    decisions = db.session.execute(
        select(QuoteRevision.decision, func.count(), func.avg(QuoteRevision.approved_discount_percent))
        .where(QuoteRevision.partner_id == partner.id, QuoteRevision.decision.in_(("approved", "rejected")),
               QuoteRevision.quote_id != (exclude.id if exclude else -1))
        .group_by(QuoteRevision.decision)).all()
    counts = {d: (n, avg) for d, n, avg in decisions}
    approved, average = counts.get("approved", (0, None))
    accepted = db.session.execute(
        select(sub.c.currency, func.sum(sub.c.total_minor)).where(sub.c.status == "accepted")
        .group_by(sub.c.currency)).all()
    latest = list(db.session.scalars(base.order_by(Quote.created_at.desc(), Quote.id.desc()).limit(recent)))
    return PartnerHistory(
        by_status=by_status, decided=sum(n for n, _ in counts.values()), approved=approved,
        average_approved_percent=(Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP)
                                  if average is not None else None),
        accepted_value=[Money(int(total), currency) for currency, total in accepted],
        recent=latest)


@dataclass(frozen=True)
class MarginEffect:
    """What the extra discount gives away, from the frozen lines (no costs are known here)."""

    list_total: Money
    before_discount: Money  # net after tier, contract and deal pricing, before the extra discount
    discount: Money  # the extra discount's amount (positive)
    after_discount: Money

    @staticmethod
    def _off(part: Money, whole: Money) -> Decimal:
        if not whole.amount_minor:
            return Decimal(0)
        share = Decimal(100) * (whole.amount_minor - part.amount_minor) / whole.amount_minor
        return share.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def off_list_before(self) -> Decimal:
        return self._off(self.before_discount, self.list_total)

    @property
    def off_list_after(self) -> Decimal:
        return self._off(self.after_discount, self.list_total)


def margin_effect(rev: QuoteRevision) -> MarginEffect:
    """List value, net before and after the quote's extra discount, and the difference."""
    currency = rev.currency
    extra = sum(-line.step_minor("quote_discount") * line.quantity for line in rev.lines)
    return MarginEffect(Money(rev.list_total_minor, currency), Money(rev.total_minor + extra, currency),
                        Money(extra, currency), Money(rev.total_minor, currency))


def revision(quote: Quote, number: int) -> QuoteRevision:
    """One revision of a quote (QuoteNotFound for a number it does not have)."""
    for rev in quote.revisions:
        if rev.number == number:
            return rev
    raise QuoteNotFound(f"{quote.number} has no revision {number}.")


@dataclass(frozen=True)
class QuoteLineSnapshot:
    """A quote line as ordering needs it: frozen prices in minor units and the waterfall."""

    sku: str
    name: str
    family: str
    options: tuple[str, ...]
    option_names: tuple[str, ...]
    quantity: int
    unit_list_minor: int
    unit_net_minor: int
    line_total_minor: int
    waterfall: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class FrozenQuote:
    id: int
    number: str
    revision: int
    status: str
    currency: str
    total: Money
    opportunity_id: int | None
    approved_discount_percent: Decimal | None
    valid_until: Any
    lines: tuple[QuoteLineSnapshot, ...]


def frozen_quote(partner: Partner, quote_id: int) -> FrozenQuote:
    """The partner's quote with its current revision's frozen lines (for placing the order)."""
    quote = get_quote(partner, quote_id)
    rev = quote.current
    lines = tuple(QuoteLineSnapshot(
        line.sku, line.name, line.family, tuple(line.options), tuple(line.option_names), line.quantity,
        line.unit_list_minor, line.unit_net_minor, line.line_total_minor,
        tuple(dict(step) for step in line.waterfall)) for line in rev.lines)
    return FrozenQuote(quote.id, quote.number, rev.number, quote.status, rev.currency, rev.total,
                       rev.opportunity_id, rev.approved_discount_percent, rev.valid_until, lines)
