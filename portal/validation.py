"""Shared value checks (decimals, amounts, percentages, quantities) used by API schemas, forms and
services; countries, currencies and regions are `portal.choices`."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from portal.money import Money, MoneyError


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a decimal number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("must be a decimal number") from exc
    if not number.is_finite():
        raise ValueError("must be a decimal number")
    return number


def parse_amount(value: object, currency: str, *, allow_negative: bool = False) -> Money:
    number = parse_decimal(value)
    if number < 0 and not allow_negative:
        raise ValueError("must not be negative")
    try:
        return Money.parse(str(number), currency)
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


def parse_percent(value: object) -> Decimal:
    number = parse_decimal(value)
    if number < 0 or number > 100:
        raise ValueError("must be between 0 and 100")
    return number


# --- quantities -----------------------------------------------------------------------------------

MAX_QUANTITY = 1_000_000  # the most of one thing on one line (cart, order, quote, API)
_DIGITS = re.compile(r"\d{1,9}", re.ASCII)

NOT_WHOLE = "not_whole"
BELOW_ONE = "below_one"
ABOVE_MAX = "above_max"


class QuantityError(ValueError):
    """Why a value is not a quantity: `reason` is NOT_WHOLE, BELOW_ONE or ABOVE_MAX. Each caller
    says it in its own words (a field message, an engine error)."""

    def __init__(self, reason: str, value: object) -> None:
        super().__init__(f"{value!r} is not a quantity ({reason})")
        self.reason = reason
        self.value = value


def parse_quantity(value: object, *, strings: bool = True) -> int:
    """A whole quantity from 1 to MAX_QUANTITY, or QuantityError. An int is one; with `strings`,
    so is a string of (ASCII) digits, around which spaces are ignored; a bool never is."""
    if strings and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuantityError(NOT_WHOLE, value)
    if value < 1:
        raise QuantityError(BELOW_ONE, value)
    if value > MAX_QUANTITY:
        raise QuantityError(ABOVE_MAX, value)
    return value
