"""Plain pricing inputs (price books, contract prices, discounts) and the pricing errors."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

HUNDRED = Decimal(100)


class PricingError(ValueError):
    """A price cannot be computed; the message says why, in words for a person."""

    code = "pricing_error"


class NoPriceBook(PricingError):
    code = "no_price_book"


class MissingPrice(PricingError):
    """A code has neither a price book entry nor a valid contract price."""

    code = "missing_price"

    def __init__(self, message: str, *, price_code: str) -> None:
        super().__init__(message)
        self.price_code = price_code


class InvalidQuantity(PricingError):
    code = "invalid_quantity"


class InvalidPricingData(PricingError):
    code = "invalid_pricing_data"


def as_decimal(value: object, what: str) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused."""
    if isinstance(value, (bool, float)) or value is None:
        raise InvalidPricingData(f"{what} must be a decimal number, not {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise InvalidPricingData(f"{what} must be a decimal number, not {value!r}") from exc
    if not number.is_finite():
        raise InvalidPricingData(f"{what} must be a decimal number, not {value!r}")
    return number


def as_percent(value: object, what: str) -> Decimal:
    """A percentage between 0 and 100 inclusive."""
    number = as_decimal(value, what)
    if number < 0 or number > HUNDRED:
        raise InvalidPricingData(f"{what} must be between 0 and 100, not {number}")
    return number


def covers(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    """Whether a validity window covers a date; both ends inclusive, None means open."""
    return (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)


def format_percent(percent: Decimal) -> str:
    """'10' for 10.00, '12.5' for 12.50: a percentage without trailing zeros."""
    return format(percent.normalize(), "f")


@dataclass(frozen=True, slots=True)
class EntryData:
    """One price book entry: a code's base unit price plus volume tiers (min_qty >= 2)."""

    code: str
    unit_price: Decimal
    tiers: tuple[tuple[int, Decimal], ...] = ()

    def __post_init__(self) -> None:
        price = as_decimal(self.unit_price, f"Unit price of {self.code}")
        if price < 0:
            raise InvalidPricingData(f"Unit price of {self.code} must not be negative")
        tiers: list[tuple[int, Decimal]] = []
        for min_qty, tier_price in self.tiers:
            if not isinstance(min_qty, int) or isinstance(min_qty, bool) or min_qty < 2:
                raise InvalidPricingData(
                    f"Volume tier of {self.code}: min_qty must be a whole number of at least 2 "
                    f"(the base price covers quantity 1), not {min_qty!r}")
            amount = as_decimal(tier_price, f"Volume tier price of {self.code}")
            if amount < 0:
                raise InvalidPricingData(f"Volume tier price of {self.code} must not be negative")
            tiers.append((min_qty, amount))
        if len({q for q, _ in tiers}) != len(tiers):
            raise InvalidPricingData(f"Volume tiers of {self.code} repeat a min_qty")
        object.__setattr__(self, "unit_price", price)
        object.__setattr__(self, "tiers", tuple(sorted(tiers)))


def stored_entry(code: str, unit_price: Decimal, tiers: tuple[tuple[int, Decimal], ...]) -> EntryData:
    """An EntryData from rows the database already holds validated (sorted tiers, no checks):
    a cart loads hundreds of these per request."""
    entry = object.__new__(EntryData)
    object.__setattr__(entry, "code", code)
    object.__setattr__(entry, "unit_price", unit_price)
    object.__setattr__(entry, "tiers", tiers)
    return entry


@dataclass(frozen=True, slots=True)
class PriceBookData:
    """A price book: currency, validity (valid_to inclusive, None = open) and entries by code."""

    id: int
    name: str
    currency: str
    valid_from: date
    valid_to: date | None = None
    entries: Mapping[str, EntryData] = field(default_factory=dict)

    def is_valid_on(self, on: date) -> bool:
        """Whether the book's validity covers the date (both ends inclusive)."""
        return covers(self.valid_from, self.valid_to, on)


@dataclass(frozen=True, slots=True)
class ContractPriceData:
    """A partner's net unit price for a code, optionally time-limited (both ends inclusive)."""

    code: str
    unit_price: Decimal
    valid_from: date | None = None
    valid_to: date | None = None
    currency: str | None = None  # when set, must match the price book's currency

    def __post_init__(self) -> None:
        price = as_decimal(self.unit_price, f"Contract price of {self.code}")
        if price < 0:
            raise InvalidPricingData(f"Contract price of {self.code} must not be negative")
        object.__setattr__(self, "unit_price", price)

    def is_valid_on(self, on: date) -> bool:
        """Whether the contract price applies on the date."""
        return covers(self.valid_from, self.valid_to, on)


@dataclass(frozen=True, slots=True)
class DealDiscount:
    """An approved deal registration's discount for the given product families."""

    opportunity_id: int
    percent: Decimal
    families: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", as_percent(self.percent, "Deal discount"))
        object.__setattr__(self, "families", frozenset(self.families))

    def applies_to(self, family: str) -> bool:
        """Whether a line of this product family gets the deal discount."""
        return family in self.families


@dataclass(frozen=True, slots=True)
class CampaignPriceRule:
    """Optional campaign price rule: percent off promoted SKUs within a date window."""

    campaign_id: int
    name: str
    percent: Decimal
    skus: frozenset[str]
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", as_percent(self.percent, "Campaign discount"))
        object.__setattr__(self, "skus", frozenset(self.skus))

    def applies_to(self, sku: str, on: date) -> bool:
        """Whether a line for this SKU, priced on this date, gets the campaign discount."""
        return sku in self.skus and covers(self.valid_from, self.valid_to, on)
