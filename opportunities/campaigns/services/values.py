"""Reading input values (dates, amounts, percentages, texts) with errors collected per field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.money import Money, MoneyError, minor_digits
from portal.validation import parse_decimal

MAX_MINOR = 2_000_000_000  # the amount columns are 32-bit integers of minor units


def text(data: dict[str, Any], key: str, errors: dict[str, str], *, required: bool, max_len: int) -> str:
    value = data.get(key)
    result = "" if value is None else str(value).strip()
    if required and not result:
        errors[key] = "This field is required."
    elif len(result) > max_len:
        errors[key] = f"At most {max_len:,} characters."
    return result


def day(value: Any, key: str, errors: dict[str, str]) -> date | None:
    """A date from a date or a 'YYYY-MM-DD' string; None (with an error) otherwise."""
    if isinstance(value, date):
        return value
    if value is None or str(value).strip() == "":
        errors[key] = "This field is required."
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = "Use a date in the form YYYY-MM-DD."
        return None


def dates_in_order(starts: date | None, ends: date | None, errors: dict[str, str], what: str,
                   start_key: str = "starts_on", end_key: str = "ends_on") -> None:
    if starts and ends and ends < starts:
        errors[end_key] = f"The {what} ends ({ends.isoformat()}) before it starts ({starts.isoformat()})."


def amount(value: Any, currency: str, key: str, errors: dict[str, str], *, positive: bool) -> Money | None:
    """A non-negative (or positive) amount with at most the currency's minor digits."""
    if isinstance(value, Money):
        money = value
    else:
        try:
            number = parse_decimal(value)
        except ValueError:
            errors[key] = "Enter an amount such as 1500.00."
            return None
        try:
            money = Money.parse(format(number, "f"), currency)
        except MoneyError as exc:
            errors[key] = str(exc)
            return None
    if money.amount_minor > MAX_MINOR:
        errors[key] = f"At most {money_text(MAX_MINOR, currency)} {currency}."
        return None
    if money.amount_minor < 0 or (positive and money.amount_minor == 0):
        errors[key] = "The amount must be more than zero." if positive else "The amount must not be negative."
        return None
    return money


def percent(value: Any, key: str, errors: dict[str, str]) -> Decimal | None:
    """A percentage strictly between 0 and 100 with at most 2 decimals; blank is None."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = parse_decimal(value)
    except ValueError:
        errors[key] = "Enter a percentage such as 10 or 12.5."
        return None
    if not (0 < number < 100):
        errors[key] = "The percentage must be more than 0 and less than 100."
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        errors[key] = "At most 2 decimal places."
        return None
    return number


def money_text(minor: int, currency: str) -> str:
    """An amount in minor units as the API's decimal string."""
    return f"{Decimal(minor).scaleb(-minor_digits(currency)):.{minor_digits(currency)}f}"


def percent_text(value: Decimal | None) -> str | None:
    """'12.5' (no trailing zeros), None stays None."""
    if value is None:
        return None
    return format(value.normalize(), "f")
