"""The price of a line and of a document, with the waterfall that explains it.

Waterfall design: every amount is per unit. The running price is kept as an exact Decimal; each
step's *exact* value moves it from one cumulative point to the next. Displayed amounts are the
differences between the cumulative points rounded half-up to the currency's minor unit:
`list = q(c0)`, `step_i = q(c_i) - q(c_i-1)`, `net = q(c_n)`. The sum telescopes, so
list + all adjustments == net to the minor unit, every displayed step is within one minor unit
of its exact value, and the price itself is rounded exactly once (net = q(exact final price)).

"List" is the book's base unit price (the min_qty 1 price) summed over the SKU and its options;
volume tiers are shown as their own "volume_tier" steps. A code priced only by a contract price
(no book entry) lists at its contract price, with a zero "contract_price" step.

Order: list -> per code, "contract_price" or "volume_tier" -> "tier_discount" (family percent on
the codes without a contract price) -> "campaign" (optional campaign price rule: percent off the
running line price when the line's SKU is promoted and the date is in the rule's window) ->
"deal_discount" -> "quote_discount" -> "net". Percent steps compound on the running price;
0% steps are left out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from catalog.pricing.books import check_quantity, tier_for_quantity
from catalog.pricing.data import (
    HUNDRED, CampaignPriceRule, ContractPriceData, DealDiscount, InvalidPricingData,
    MissingPrice, PriceBookData, PricingError, as_percent, format_percent,
)
from portal.money import Money, minor_digits

ONE = Decimal(1)
ContractPrices = Mapping[str, ContractPriceData | Sequence[ContractPriceData]]


@dataclass(frozen=True, slots=True)
class WaterfallStep:
    """One per-unit step: "list", an adjustment, or "net"."""

    step: str
    label: str
    amount: Money

    def as_dict(self) -> dict[str, str]:
        """The API shape: amounts as decimal strings."""
        return {"step": self.step, "label": self.label, "amount": self.amount.as_str()}


@dataclass(frozen=True, slots=True)
class ComponentPrice:
    """How one code of a line (the SKU or an option) was priced before line discounts."""

    code: str
    list_price: Decimal  # book base price; the contract price when the book has no entry
    price: Decimal  # contract price, or the book's tier price for the quantity
    contract: bool
    tier_min_qty: int | None  # None for a contract price


@dataclass(frozen=True, slots=True)
class LinePrice:
    """A priced line; `waterfall` explains `unit_net` from `unit_list`, per unit."""

    sku: str
    family: str
    quantity: int
    options: tuple[str, ...]
    currency: str
    unit_list: Money
    unit_net: Money
    line_total: Money
    waterfall: tuple[WaterfallStep, ...]
    components: tuple[ComponentPrice, ...]

    def as_dict(self) -> dict[str, Any]:
        """The API shape of a line (CONTRACT.md, POST /api/v1/pricing)."""
        return {
            "sku": self.sku, "quantity": self.quantity, "options": list(self.options),
            "unit_list": self.unit_list.as_str(), "unit_net": self.unit_net.as_str(),
            "line_total": self.line_total.as_str(),
            "waterfall": [step.as_dict() for step in self.waterfall],
        }


@dataclass(frozen=True, slots=True)
class DocumentPrice:
    """Priced lines of a quote, order or cart; total = sum of line totals."""

    currency: str
    total: Money
    lines: tuple[LinePrice, ...]

    def as_dict(self) -> dict[str, Any]:
        """The API shape of a priced document."""
        return {"currency": self.currency, "total": self.total.as_str(),
                "lines": [line.as_dict() for line in self.lines]}


class _Waterfall:
    """Exact running price plus displayed steps that telescope to the rounded net.

    `point` is the running price rounded half-up to minor units, kept as an integer so each
    step costs one rounding (this runs for every line of every cart)."""

    def __init__(self, currency: str, list_price: Decimal, label: str) -> None:
        self.currency = currency
        self.digits = minor_digits(currency)  # also checks the currency for Money.trusted
        self.exact = list_price
        self.point = self._minor(list_price)
        self.steps = [WaterfallStep("list", label, Money.trusted(self.point, currency))]

    def _minor(self, amount: Decimal) -> int:
        return int(amount.scaleb(self.digits).quantize(ONE, rounding=ROUND_HALF_UP))

    def add(self, step: str, label: str, delta: Decimal) -> None:
        self.exact += delta
        point = self._minor(self.exact)
        self.steps.append(WaterfallStep(step, label, Money.trusted(point - self.point, self.currency)))
        self.point = point

    def discount(self, step: str, label: str, percent: Decimal) -> None:
        self.add(step, label, -(self.exact * percent / HUNDRED))

    def finish(self) -> Money:
        net = Money.trusted(self.point, self.currency)  # the one rounding of the unit price
        self.steps.append(WaterfallStep("net", "Net price", net))
        return net


def valid_contract_price(contract_prices: ContractPrices, code: str,
                         on: date) -> ContractPriceData | None:
    """The contract price for a code valid on a date; among several, the latest valid_from."""
    found = contract_prices.get(code)
    if found is None:
        return None
    candidates = (found,) if isinstance(found, ContractPriceData) else tuple(found)
    valid = [c for c in candidates if c.code == code and c.is_valid_on(on)]
    if not valid:
        return None
    return max(valid, key=lambda c: c.valid_from or date.min)


def _component(code: str, quantity: int, book: PriceBookData,
               contract_prices: ContractPrices, on: date) -> ComponentPrice:
    entry = book.entries.get(code)
    contract = valid_contract_price(contract_prices, code, on)
    if contract is not None:
        if contract.currency is not None and contract.currency != book.currency:
            raise InvalidPricingData(f"Contract price for {code} is in {contract.currency}, "
                                     f"but the price book {book.name!r} is in {book.currency}")
        list_price = entry.unit_price if entry is not None else contract.unit_price
        return ComponentPrice(code, list_price, contract.unit_price, True, None)
    if entry is None:
        raise MissingPrice(f"{code} has no price in price book {book.name!r} and no valid "
                           f"contract price on {on.isoformat()}", price_code=code)
    min_qty, tier_price = tier_for_quantity(entry, quantity)
    return ComponentPrice(code, entry.unit_price, tier_price, False, min_qty)


def _list_label(sku: str, options: Sequence[str]) -> str:
    if not options:
        return "List price"
    return f"List price ({sku} + {len(options)} option{'s' if len(options) > 1 else ''})"


@lru_cache(maxsize=4096)
def _tier_label(tier_name: str | None, percent: Decimal, family: str) -> str:
    who = f"{tier_name.capitalize()} tier" if tier_name else "Tier"
    return f"{who} discount {format_percent(percent)}% ({family})"


def price_line(sku: str, family: str, quantity: int, options: Sequence[str] = (), *,
               book: PriceBookData, contract_prices: ContractPrices | None = None,
               tier_discounts: Mapping[str, Decimal] | None = None, on: date,
               deal: DealDiscount | None = None, quote_discount: Decimal | None = None,
               campaign: CampaignPriceRule | None = None,
               tier_name: str | None = None) -> LinePrice:
    """Price one line per DOMAIN.md: contract/tier price less tier discount, campaign, deal, quote."""
    check_quantity(quantity)
    options = tuple(options)
    codes = (sku, *options)
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise PricingError(f"{', '.join(repeated)} is listed more than once on the line")
    contract_prices = contract_prices or {}
    components = tuple([_component(code, quantity, book, contract_prices, on) for code in codes])
    list_total = components[0].list_price if len(components) == 1 else sum(
        [c.list_price for c in components], Decimal(0))
    wf = _Waterfall(book.currency, list_total, _list_label(sku, options))
    for c in components:  # step 1: contract price, or the book's volume tier for the quantity
        if c.contract:
            wf.add("contract_price", f"Contract price for {c.code}", c.price - c.list_price)
        elif c.tier_min_qty is not None and c.tier_min_qty > 1:
            wf.add("volume_tier", f"Volume price for {c.code} ({c.tier_min_qty}+ units)",
                   c.price - c.list_price)
    tier_percent = as_percent((tier_discounts or {}).get(family, 0), f"Tier discount for {family}")
    discountable = sum([c.price for c in components if not c.contract], Decimal(0))
    if tier_percent and discountable:  # codes with a contract price get no tier discount
        wf.add("tier_discount", _tier_label(tier_name, tier_percent, family),
               -(discountable * tier_percent / HUNDRED))
    if campaign is not None and campaign.percent and campaign.applies_to(sku, on):
        wf.discount("campaign", f"Campaign discount {format_percent(campaign.percent)}% "
                    f"({campaign.name})",
                    campaign.percent)
    if deal is not None and deal.percent and deal.applies_to(family):
        wf.discount("deal_discount", f"Deal discount {format_percent(deal.percent)}% "
                    f"(registration #{deal.opportunity_id})", deal.percent)
    if quote_discount is not None:
        percent = as_percent(quote_discount, "Quote discount")
        if percent:
            wf.discount("quote_discount", f"Quote discount {format_percent(percent)}%", percent)
    net = wf.finish()
    return LinePrice(sku=sku, family=family, quantity=quantity, options=options,
                     currency=book.currency, unit_list=wf.steps[0].amount, unit_net=net,
                     line_total=Money.trusted(net.amount_minor * quantity, net.currency),
                     waterfall=tuple(wf.steps), components=components)


def price_document(lines: Iterable[LinePrice], currency: str | None = None) -> DocumentPrice:
    """Total a document's priced lines; all lines must share one currency."""
    lines = tuple(lines)
    currencies = {line.currency for line in lines} | ({currency} if currency else set())
    if not currencies:
        raise PricingError("A document without lines needs a currency")
    if len(currencies) > 1:
        raise PricingError(f"Lines in different currencies: {', '.join(sorted(currencies))}")
    code = currencies.pop()
    total = Money.zero(code)
    for line in lines:
        total += line.line_total
    return DocumentPrice(code, total, lines)
