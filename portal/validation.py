"""Shared value checks (countries, currencies, amounts) used by API schemas and forms."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry

from portal.money import Money, MoneyError, is_currency


@lru_cache(maxsize=None)
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


def check_country(value: str) -> str:
    code = (value or "").strip().upper()
    if code not in country_codes():
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code


def check_currency(value: str) -> str:
    code = (value or "").strip().upper()
    if not is_currency(code):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


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
