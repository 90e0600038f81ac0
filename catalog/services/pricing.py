"""Pricing for a partner: load the inputs in a fixed number of queries, then price purely.

`Pricer` is the one entry point: `Pricer.load(...)` reads a partner's inputs on a date once,
`pricer.line(...)` prices a line purely (`catalog.pricing.price_line`). `price_lines` (orders,
quotes, the API), `list_prices` (the catalog list) and `configurations.price_all` (cart,
configurator) are thin adapters over it, each with its own error handling.

Queries for any number of lines: products with their option groups and options (1) + rules
(1, when a product is configurable) + candidate price books with the tier discounts (1) + the
entries of the codes used with the partner's contract prices for them (1), then the campaign
price rules (`registry().campaign_discounts`: one query, none from the catalog list's copy).
`list_prices` (the catalog list) needs the 2 pricing queries.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, Numeric, String, bindparam, cast, literal, null, or_, select, union_all

from catalog.configurator import validate
from catalog.models import ContractPrice, PriceBook, PriceBookEntry, Product, TierDiscount
from catalog.pricing import (
    CampaignPriceRule, ContractPriceData, DealDiscount, DocumentPrice, LinePrice, PriceBookData,
    PricingError, price_document, price_line, select_price_book,
)
from catalog.services import CatalogError
from catalog.services.lookup import (
    NO_OPTIONS, ProductInfo, built_once, core_execute, in_param, products_by_sku,
)
from catalog.pricing.data import EntryData
from catalog.services.pricebooks import entry_from_row
from portal.extension_points import registry
from portal.models import Partner
from portal.money import Money, minor_digits
from portal.validation import ABOVE_MAX, BELOW_ONE, MAX_QUANTITY, NOT_WHOLE, QuantityError, parse_quantity

# What a service says of a quantity that is not one (`portal.validation.parse_quantity`).
QUANTITY_MESSAGES = {
    NOT_WHOLE: "The quantity must be a whole number.",
    BELOW_ONE: "The quantity must be at least 1.",
    ABOVE_MAX: f"The quantity must be at most {MAX_QUANTITY:,}.",
}


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: Any
    options: Sequence[str] = ()


@dataclass
class PricingInputs:
    book: PriceBookData
    contract_prices: dict[str, list[ContractPriceData]]
    tier_discounts: dict[str, Decimal]


class PricingFailed(CatalogError):
    code = "pricing_failed"


def deal_for(partner: Partner, opportunity_id: int) -> DealDiscount:
    """The deal discount of the partner's approved registration, from the registrations feature
    (`registry().deal_discounts`, which checks it); without that feature there is none."""
    lookup = registry().deal_discounts
    if lookup is None:
        raise CatalogError("No such approved deal registration of yours.",
                           fields={"opportunity_id": "Not an approved registration of your partner."})
    return lookup(partner, opportunity_id)


def has_campaign_rules() -> bool:
    """Whether a feature prices campaigns (`registry().campaign_discounts`)."""
    return bool(registry().campaign_discounts)


def campaign_rules(partner: Partner, on: date, skus: Collection[str], *,
                   cached: bool = False) -> dict[str, CampaignPriceRule]:
    """Per promoted SKU, the largest campaign price rule active for the partner on the date."""
    best: dict[str, tuple[Decimal, str]] = {}
    for provider in registry().campaign_discounts:
        for sku, (percent, name) in provider(partner, on, skus, cached=cached).items():
            if sku not in best or percent > best[sku][0]:
                best[sku] = (Decimal(percent), name)
    return {sku: CampaignPriceRule(0, name, percent, frozenset((sku,)))
            for sku, (percent, name) in best.items()}


def today() -> date:
    return date.today()


def _books_stmt(partner: Partner, on: date):
    return select(PriceBook.id, PriceBook.name, PriceBook.currency, PriceBook.valid_from,
                  PriceBook.valid_to).where(
        or_(PriceBook.id == partner.price_book_id,
            (PriceBook.currency == partner.currency) & (PriceBook.valid_from <= on)
            & (PriceBook.valid_to.is_(None) | (PriceBook.valid_to >= on))))


def candidate_books(partner: Partner, on: date) -> list[PriceBookData]:
    """Books that may apply (the assigned one, and the currency's books valid on the date)."""
    return [PriceBookData(*row) for row in core_execute(_books_stmt(partner, on))]


def book_for(partner: Partner, on: date) -> PriceBookData:
    """The partner's price book on a date (entries not loaded); NoPriceBook if none."""
    return select_price_book(candidate_books(partner, on), partner.currency, on, partner.price_book_id)


def _books_and_discounts_stmt(dialect: str):
    on = bindparam("on", type_=Date)
    books = select(PriceBook.id, PriceBook.name, PriceBook.currency, PriceBook.valid_from,
                   PriceBook.valid_to, cast(null(), String(64)), cast(null(), Numeric(5, 2))).where(
        or_(PriceBook.id == bindparam("book_id", type_=Integer),
            (PriceBook.currency == bindparam("currency", type_=String)) & (PriceBook.valid_from <= on)
            & (PriceBook.valid_to.is_(None) | (PriceBook.valid_to >= on))))
    discounts = select(cast(null(), Integer), cast(null(), String(200)), cast(null(), String(3)),
                       cast(null(), Date), cast(null(), Date), TierDiscount.family,
                       TierDiscount.percent).where(TierDiscount.tier == bindparam("tier", type_=String))
    return union_all(books, discounts)


def _books_and_discounts(partner: Partner, on: date) -> tuple[list[PriceBookData], dict[str, Decimal]]:
    """Candidate books and the partner tier's discounts in one round trip (UNION ALL)."""
    found: list[PriceBookData] = []
    percents: dict[str, Decimal] = {}
    rows = core_execute(built_once("books_and_discounts", _books_and_discounts_stmt), {
        "book_id": partner.price_book_id, "currency": partner.currency, "on": on, "tier": partner.tier})
    for book_id, name, currency, start, end, family, percent in rows.all():
        if book_id is not None:
            found.append(PriceBookData(book_id, name, currency, start, end))
        else:
            percents[family] = Decimal(percent)
    return found, percents


def _entries_and_contracts_stmt(dialect: str):
    entries = select(literal("e"), PriceBookEntry.code, PriceBookEntry.unit_price_minor,
                     PriceBookEntry.tiers, cast(null(), Date), cast(null(), Date)).where(
        PriceBookEntry.price_book_id == bindparam("book_id", type_=Integer),
        in_param(PriceBookEntry.code, "codes", dialect))
    # A Core statement run on the connection (`core_execute`): the tenant safety net does not see
    # it, so the partner filter on the contract prices (a tenant table) is explicit, here.
    contract = select(literal("c"), ContractPrice.code, ContractPrice.unit_price_minor,
                      cast(null(), PriceBookEntry.tiers.type), ContractPrice.valid_from,
                      ContractPrice.valid_to).where(
        ContractPrice.partner_id == bindparam("partner_id", type_=Integer),
        ContractPrice.currency == bindparam("currency", type_=String),
        in_param(ContractPrice.code, "codes", dialect))
    return union_all(entries, contract)


def load_inputs(partner: Partner, codes: Iterable[str], on: date) -> PricingInputs:
    """The partner's book (with only `codes`' entries), contract prices and tier discounts on a
    date, in 2 round trips: books with discounts, then entries with contract prices."""
    books, discounts = _books_and_discounts(partner, on)
    meta = select_price_book(books, partner.currency, on, partner.price_book_id)
    currency = meta.currency
    shift = -minor_digits(currency)
    book_entries: dict[str, EntryData] = {}
    contracts: dict[str, list[ContractPriceData]] = {}
    rows = core_execute(built_once("entries_and_contracts", _entries_and_contracts_stmt), {
        "book_id": meta.id, "codes": list(set(codes)), "partner_id": partner.id, "currency": currency})
    for kind, code, unit, tiers, start, end in rows.all():
        if kind == "e":
            book_entries[code] = entry_from_row(code, unit, tiers, currency)
        else:
            contracts.setdefault(code, []).append(
                ContractPriceData(code, Decimal(unit).scaleb(shift), start, end))
    book = PriceBookData(meta.id, meta.name, currency, meta.valid_from, meta.valid_to, book_entries)
    return PricingInputs(book, contracts, discounts)


@dataclass(frozen=True)
class Pricer:
    """A partner's prices on a date: the inputs read once (`load`), then any number of lines
    priced purely (`line`), with the same deal, quote discount and campaign for every line."""

    inputs: PricingInputs
    on: date
    tier: str | None
    rules: Mapping[str, CampaignPriceRule]
    deal: DealDiscount | None = None
    quote_discount: Decimal | None = None
    campaign: CampaignPriceRule | None = None

    @classmethod
    def load(cls, partner: Partner, codes: Iterable[str], on: date, *, skus: Collection[str] = (),
             cached: bool = False, deal: DealDiscount | None = None,
             quote_discount: Decimal | None = None,
             campaign: CampaignPriceRule | None = None) -> Pricer:
        """The partner's book, contract prices and tier discounts for `codes` (2 queries; raises
        PricingError when no book applies), then, unless a `campaign` is given, the campaign
        rules of `skus` (`cached`: the catalog list may use a copy at most a minute old)."""
        inputs = load_inputs(partner, codes, on)
        rules = (campaign_rules(partner, on, skus, cached=cached)
                 if campaign is None and has_campaign_rules() else {})
        return cls(inputs, on, partner.tier, rules, deal, quote_discount, campaign)

    @property
    def currency(self) -> str:
        return self.inputs.book.currency

    def line(self, sku: str, family: str, quantity: int, options: Sequence[str] = ()) -> LinePrice:
        """One line's price and waterfall; PricingError when it cannot be priced."""
        return price_line(
            sku, family, quantity, tuple(options), book=self.inputs.book,
            contract_prices=self.inputs.contract_prices, tier_discounts=self.inputs.tier_discounts,
            on=self.on, deal=self.deal, quote_discount=self.quote_discount,
            campaign=self.campaign or self.rules.get(sku), tier_name=self.tier)


def price_lines(partner: Partner, lines: Sequence[LineInput], *, on: date | None = None,
                deal: DealDiscount | None = None, quote_discount: Decimal | None = None,
                campaign: CampaignPriceRule | None = None) -> DocumentPrice:
    """Validate and price lines for `partner`; every bad line is reported (`lines.N.field`)."""
    on = on or today()
    errors: dict[str, str] = {}
    products = products_by_sku({str(line.sku) for line in lines})
    if not lines:
        errors["lines"] = "Add at least one line."
    for i, line in enumerate(lines):
        _check_line(i, line, products.get(str(line.sku)), errors)
    if errors:
        raise PricingFailed("Some lines cannot be priced: see fields.", fields=errors)
    codes = {c for line in lines for c in (line.sku, *line.options)}
    try:
        pricer = Pricer.load(partner, codes, on, skus=products, deal=deal,
                             quote_discount=quote_discount, campaign=campaign)
    except PricingError as exc:
        raise PricingFailed(str(exc), code="no_price_book", fields={"lines": str(exc)}) from exc
    priced: list[LinePrice] = []
    for i, line in enumerate(lines):
        try:
            priced.append(pricer.line(line.sku, products[line.sku].family, int(line.quantity), line.options))
        except PricingError as exc:
            errors[f"lines.{i}.options" if getattr(exc, "price_code", line.sku) != line.sku
                   else f"lines.{i}.sku"] = str(exc)
    if errors:
        raise PricingFailed("Some lines cannot be priced: see fields.", fields=errors)
    return price_document(priced, pricer.currency)


def _check_line(i: int, line: LineInput, product: ProductInfo | None, errors: dict[str, str]) -> None:
    try:
        parse_quantity(line.quantity, strings=False)  # API bodies and forms have parsed it already
    except QuantityError as exc:
        errors[f"lines.{i}.quantity"] = QUANTITY_MESSAGES[exc.reason]
    if product is None:
        errors[f"lines.{i}.sku"] = f"Unknown SKU {line.sku}."
        return
    if not product.active:
        errors[f"lines.{i}.sku"] = f"{product.sku} ({product.name}) is no longer available."
        return
    if product.config is NO_OPTIONS and not line.options:
        return  # nothing to configure
    result = validate(product.config, list(line.options))
    if not result.valid:
        errors[f"lines.{i}.options"] = " ".join(p if p.endswith(".") else p + "." for p in result.problems)


def list_prices(partner: Partner, products: Sequence[Product], on: date | None = None) -> dict[str, Money | None]:
    """Net unit price for quantity 1 without options, per SKU (None when it has no price)."""
    on = on or today()
    skus = [p.sku for p in products]
    try:
        pricer = Pricer.load(partner, skus, on, skus=skus, cached=True)
    except PricingError:
        return {p.sku: None for p in products}
    prices: dict[str, Money | None] = {}
    for product in products:
        try:
            prices[product.sku] = pricer.line(product.sku, product.family, 1).unit_net
        except PricingError:
            prices[product.sku] = None
    return prices


def lines_from(data: Iterable[Mapping[str, Any]]) -> list[LineInput]:
    """Line inputs from plain dicts (API bodies, cart rows)."""
    return [LineInput(str(d.get("sku") or "").strip(), d.get("quantity"),
                      tuple(str(o) for o in (d.get("options") or []))) for d in data]
