"""Money: integer minor units plus an ISO 4217 code; Decimal maths, half-up rounding."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies


class MoneyError(ValueError):
    """Invalid amount or currency, or arithmetic across currencies."""


@lru_cache(maxsize=None)
def known_currencies() -> frozenset[str]:
    return frozenset(c for c in list_currencies() if len(c) == 3 and c.isalpha() and c.isupper())


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code in known_currencies()


@lru_cache(maxsize=None)
def minor_digits(currency: str) -> int:
    if not is_currency(currency):
        raise MoneyError(f"Unknown currency {currency!r}")
    return get_currency_precision(currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round once, half-up, to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-minor_digits(currency)), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=None)
def _display_pattern(currency: str, locale: str) -> tuple[str, str]:
    """Babel's text around the number for a currency and locale, found once: (prefix, suffix)."""
    sample = format_currency(Decimal("1234"), currency, locale=locale)
    digits = [i for i, ch in enumerate(sample) if ch.isdigit()]
    return sample[:digits[0]], sample[digits[-1] + 1:]


MINOR_MAX = 2**31 - 1  # the largest amount an input may give, in minor units


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise MoneyError("amount_minor must be an integer")
        minor_digits(self.currency)

    @classmethod
    def trusted(cls, amount_minor: int, currency: str) -> Money:
        """Money from an int and a currency the caller has already checked (hot pricing loops
        build thousands per cart); skips the checks of the normal constructor."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount_minor", amount_minor)
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def from_decimal(cls, amount: Decimal | int | str, currency: str) -> Money:
        """From a major-unit amount; rounds half-up to the minor unit."""
        try:
            value = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise MoneyError(f"{amount!r} is not a number") from exc
        if not value.is_finite():
            raise MoneyError(f"{amount!r} is not a number")
        digits = minor_digits(currency)
        return cls(int(quantize(value, currency).scaleb(digits)), currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal string with at most the currency's minor digits ("1234.50")."""
        try:
            value = Decimal(str(text).strip())
        except (InvalidOperation, ValueError) as exc:
            raise MoneyError(f"{text!r} is not a decimal amount") from exc
        if not value.is_finite():
            raise MoneyError(f"{text!r} is not a decimal amount")
        digits = minor_digits(currency)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            raise MoneyError(f"{currency} amounts have at most {digits} decimal places")
        minor = int(value.scaleb(digits))
        if abs(minor) > MINOR_MAX:  # money columns hold minor units in a 32-bit INTEGER
            limit = Money(MINOR_MAX, currency).as_str()
            raise MoneyError(f"{currency} amounts are at most {limit}")
        return cls(minor, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-minor_digits(self.currency))

    def as_str(self) -> str:
        """Decimal string with exactly the currency's minor digits (the API format)."""
        digits = minor_digits(self.currency)
        return f"{self.amount:.{digits}f}"

    def format(self, locale: str = "en_US") -> str:
        """For display, e.g. "€1,234.50" (the same text as Babel's format_currency, cached)."""
        if locale != "en_US":
            return format_currency(self.amount, self.currency, locale=locale)
        prefix, suffix = _display_pattern(self.currency, locale)
        text = f"{prefix}{abs(self.amount):,.{minor_digits(self.currency)}f}{suffix}"
        return f"-{text}" if self.amount_minor < 0 else text

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money")
        if other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __mul__(self, qty: int) -> Money:
        if not isinstance(qty, int) or isinstance(qty, bool):
            raise TypeError("Money multiplies by an integer quantity only")
        return Money(self.amount_minor * qty, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount_minor <= other.amount_minor

    def __str__(self) -> str:
        return f"{self.as_str()} {self.currency}"
