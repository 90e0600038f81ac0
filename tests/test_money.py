"""Money: integer minor units, currency digits, half-up rounding, no mixed currencies."""
from __future__ import annotations

from decimal import Decimal

import pytest

from portal.money import Money, MoneyError, minor_digits


def test_minor_digits_follow_iso_4217():
    assert (minor_digits("EUR"), minor_digits("JPY"), minor_digits("BHD")) == (2, 0, 3)
    with pytest.raises(MoneyError):
        minor_digits("XYZ")


def test_parse_and_format():
    assert Money.parse("1234.5", "EUR") == Money(123450, "EUR")
    assert Money.parse("1234", "JPY").as_str() == "1234"
    assert Money(5, "BHD").as_str() == "0.005"
    assert Money(123450, "EUR").as_str() == "1234.50"
    with pytest.raises(MoneyError):
        Money.parse("1.001", "EUR")
    with pytest.raises(MoneyError):
        Money.parse("1.5", "JPY")
    with pytest.raises(MoneyError):
        Money.parse("abc", "EUR")
    with pytest.raises(MoneyError):
        Money.parse("NaN", "EUR")


def test_from_decimal_rounds_half_up_once():
    assert Money.from_decimal(Decimal("0.005"), "EUR") == Money(1, "EUR")
    assert Money.from_decimal(Decimal("0.0049"), "EUR") == Money(0, "EUR")
    assert Money.from_decimal(Decimal("-0.005"), "EUR") == Money(-1, "EUR")
    assert Money.from_decimal(Decimal("99.5"), "JPY") == Money(100, "JPY")


def test_arithmetic_and_currency_mixing():
    assert Money(100, "EUR") + Money(50, "EUR") == Money(150, "EUR")
    assert Money(100, "EUR") * 3 == Money(300, "EUR")
    assert Money(100, "EUR") - Money(150, "EUR") == Money(-50, "EUR")
    with pytest.raises(MoneyError):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(TypeError):
        Money(1, "EUR") * 1.5
    with pytest.raises(MoneyError):
        Money(1.0, "EUR")  # type: ignore[arg-type]


def test_display_format_matches_babel_for_every_currency():
    from babel.numbers import format_currency

    from portal.money import known_currencies

    for currency in sorted(known_currencies()):
        for minor in (0, 5, -5, 123456, -9876543):
            money = Money(minor, currency)
            assert money.format() == format_currency(money.amount, currency, locale="en_US"), (currency, minor)
