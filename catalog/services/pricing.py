"""Pricing for a partner: load the inputs in a fixed number of queries, then price purely.

Queries for any number of lines: products with their option groups and options (1) + rules
(1, when a product is configurable) + candidate price books with the tier discounts (1) + the
entries of the codes used with the partner's contract prices for them (1). `list_prices` (the
catalog list) needs the last 2.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
from portal.models import Partner
from portal.money import Money, minor_digits

MAX_QUANTITY = 1_000_000


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


# Deal registrations register how an approved registration becomes a deal discount:
# (partner, opportunity_id) -> DealDiscount, raising a DomainError when it does not apply.
DEAL_LOOKUP: list[Callable[[Partner, int], DealDiscount]] = []


def deal_for(partner: Partner, opportunity_id: int) -> DealDiscount:
    """The deal discount of the partner's approved registration (checked by its feature)."""
    if not DEAL_LOOKUP:
        raise CatalogError("No such approved deal registration of yours.",
                           fields={"opportunity_id": "Not an approved registration of your partner."})
    return DEAL_LOOKUP[0](partner, opportunity_id)


# Campaigns register their price rules: (partner, date, SKUs, cached=) -> {sku: (percent off,
# campaign name)} for the promoted SKUs of the campaigns active for that partner on that date.
# `cached=True` (the catalog list only) lets the provider answer from a copy at most a minute old.
CampaignDiscounts = Callable[..., Mapping[str, tuple[Decimal, str]]]
CAMPAIGN_DISCOUNTS: list[CampaignDiscounts] = []


def campaign_rules(partner: Partner, on: date, skus: Collection[str], *,
                   cached: bool = False) -> dict[str, CampaignPriceRule]:
    """Per promoted SKU, the largest campaign price rule active for the partner on the date."""
    best: dict[str, tuple[Decimal, str]] = {}
    for provider in CAMPAIGN_DISCOUNTS:
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
        inputs = load_inputs(partner, codes, on)
    except PricingError as exc:
        raise PricingFailed(str(exc), code="no_price_book", fields={"lines": str(exc)}) from exc
    rules = campaign_rules(partner, on, products) if campaign is None and CAMPAIGN_DISCOUNTS else {}
    priced: list[LinePrice] = []
    for i, line in enumerate(lines):
        product = products[line.sku]
        try:
            priced.append(price_line(
                line.sku, product.family, int(line.quantity), tuple(line.options), book=inputs.book,
                contract_prices=inputs.contract_prices, tier_discounts=inputs.tier_discounts, on=on,
                deal=deal, quote_discount=quote_discount, campaign=campaign or rules.get(line.sku),
                tier_name=partner.tier))
        except PricingError as exc:
            errors[f"lines.{i}.options" if getattr(exc, "price_code", line.sku) != line.sku
                   else f"lines.{i}.sku"] = str(exc)
    if errors:
        raise PricingFailed("Some lines cannot be priced: see fields.", fields=errors)
    return price_document(priced, inputs.book.currency)


def _check_line(i: int, line: LineInput, product: ProductInfo | None, errors: dict[str, str]) -> None:
    qty = line.quantity
    if isinstance(qty, bool) or not isinstance(qty, int):
        errors[f"lines.{i}.quantity"] = "The quantity must be a whole number."
    elif qty < 1:
        errors[f"lines.{i}.quantity"] = "The quantity must be at least 1."
    elif qty > MAX_QUANTITY:
        errors[f"lines.{i}.quantity"] = f"The quantity must be at most {MAX_QUANTITY:,}."
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
    try:
        inputs = load_inputs(partner, [p.sku for p in products], on)
    except PricingError:
        return {p.sku: None for p in products}
    rules = (campaign_rules(partner, on, [p.sku for p in products], cached=True)
             if CAMPAIGN_DISCOUNTS else {})
    prices: dict[str, Money | None] = {}
    for product in products:
        try:
            prices[product.sku] = price_line(
                product.sku, product.family, 1, (), book=inputs.book,
                contract_prices=inputs.contract_prices, tier_discounts=inputs.tier_discounts,
                on=on, campaign=rules.get(product.sku), tier_name=partner.tier).unit_net
        except PricingError:
            prices[product.sku] = None
    return prices


def lines_from(data: Iterable[Mapping[str, Any]]) -> list[LineInput]:
    """Line inputs from plain dicts (API bodies, cart rows)."""
    return [LineInput(str(d.get("sku") or "").strip(), d.get("quantity"),
                      tuple(str(o) for o in (d.get("options") or []))) for d in data]
