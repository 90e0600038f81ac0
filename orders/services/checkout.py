"""The checkout's review step: what would be ordered, at which prices, and the credit left,
computed without writing anything."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.services import carts, pricing
from catalog.services.lookup import products_by_sku
from catalog.services.pricing import LineInput
from orders.services import OrderError, addresses
from orders.services.placing import CreditSummary, OrderInput, credit_summary, price_lines
from portal.models import Partner, User
from portal.money import Money


@dataclass(frozen=True)
class PreviewLine:
    sku: str
    name: str
    option_names: list[str]
    quantity: int
    unit_list: Money
    unit_net: Money
    line_total: Money
    waterfall: list[dict[str, Any]]


@dataclass(frozen=True)
class Preview:
    lines: list[PreviewLine]
    total: Money
    credit: CreditSummary
    ship_to: dict[str, str]
    quote_number: str | None = None

    @property
    def exceeds_credit(self) -> bool:
        return (self.total.currency != self.credit.limit.currency
                or self.total.amount_minor > self.credit.available.amount_minor)


def _from_cart(partner: Partner, actor: User, header: OrderInput) -> list[PreviewLine]:
    cart_lines = carts.lines_for(partner, actor)
    if not cart_lines:
        raise OrderError("Your cart is empty.", fields={"lines": "Your cart is empty."})
    try:
        priced = price_lines(partner, [LineInput(l.sku, l.quantity, tuple(l.options)) for l in cart_lines],
                             header.opportunity_id)
    except pricing.PricingFailed as exc:
        raise OrderError("Some lines of your cart can no longer be ordered: fix or remove them in "
                         "your cart first.", code=exc.code, fields=exc.fields) from exc
    infos = products_by_sku({p.sku for p in priced})
    out = []
    for p in priced:
        info = infos.get(p.sku)
        names = {o.code: o.name for g in info.config.groups for o in g.options} if info else {}
        out.append(PreviewLine(p.sku, info.name if info else p.sku, [names.get(c, c) for c in p.options],
                               p.quantity, p.unit_list, p.unit_net, p.line_total,
                               [s.as_dict() for s in p.waterfall]))
    return out


def _from_quote(partner: Partner, quote_id: int) -> tuple[list[PreviewLine], str, str]:
    from orders.quotes.services.queries import frozen_quote
    from orders.services.quoting import steps

    quote = frozen_quote(partner, quote_id)
    if quote.status != "approved":
        raise OrderError(f"Quote {quote.number} is {quote.status.replace('_', ' ')}: only an approved "
                         "quote can be ordered.", code="quote_not_approved", status=409)
    cur = quote.currency
    return [PreviewLine(l.sku, l.name, list(l.option_names), l.quantity, Money(l.unit_list_minor, cur),
                        Money(l.unit_net_minor, cur), Money(l.line_total_minor, cur), steps(l.waterfall, cur))
            for l in quote.lines], quote.number, cur


def preview(partner: Partner, actor: User, header: OrderInput, quote_id: int | None = None) -> Preview:
    """The priced lines (today's prices, or the quote's frozen ones), total and credit."""
    ship_to, _ = addresses.resolve(partner, header.ship_to)
    number = None
    if quote_id:
        lines, number, currency = _from_quote(partner, quote_id)
    else:
        lines = _from_cart(partner, actor, header)
        currency = lines[0].unit_net.currency
    total = Money.zero(currency)
    for line in lines:
        total += line.line_total
    return Preview(lines, total, credit_summary(partner), ship_to, number)
