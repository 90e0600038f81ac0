"""Bounded field types shared by every API schema: what a value may be before a service sees it.

An id that no row can have, a quantity or percentage out of range, a money amount whose minor
units no column can hold, a string longer than its column or a list longer than any real use is
a 422 naming the field (structure errors stay 400), never a database error. The bounds are also
in the generated OpenAPI description, so clients (and schemathesis) know them.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictInt, WithJsonSchema

from portal.converters import ID_MAX

MINOR_MAX = 2**31 - 1  # money columns hold minor units in a 32-bit INTEGER
AMOUNT_MAX = Decimal(MINOR_MAX) / 100  # 21,474,836.47: fits every 2-decimal currency's columns
QUANTITY_MAX = 1_000_000
MAX_ITEMS = 200  # lines, entries, options, prices in one body
NAME_MAX = 200  # names and titles (String(200) columns)
CODE_MAX = 64  # SKUs, option codes, families
TEXT_MAX = 5000  # notes, descriptions, reasons

Id = Annotated[int, Field(ge=1, le=ID_MAX, description="an id (1 to 2,147,483,647)")]
StrictId = Annotated[StrictInt, Field(ge=1, le=ID_MAX, description="an id (1 to 2,147,483,647)")]


def _amount(value: Any) -> Any:
    """A decimal amount small enough that its minor units fit the columns; the service checks
    the currency's decimal places and whether it may be negative."""
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a decimal amount such as \"1234.50\"")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("must be a decimal amount such as \"1234.50\"") from None
    if not number.is_finite():
        raise ValueError("must be a decimal amount such as \"1234.50\"")
    if abs(number) > AMOUNT_MAX:
        raise ValueError(f"must be at most {AMOUNT_MAX:,}")
    return value


def _percent(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a percentage between 0 and 100, such as \"12.5\"")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("must be a percentage between 0 and 100, such as \"12.5\"") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueError("must be a percentage between 0 and 100, such as \"12.5\"")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("has at most 2 decimal places")
    return value


def _quantity(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise ValueError(f"must be a whole number from 1 to {QUANTITY_MAX:,}")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"must be a whole number from 1 to {QUANTITY_MAX:,}") from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= QUANTITY_MAX:
        raise ValueError(f"must be a whole number from 1 to {QUANTITY_MAX:,}")
    return value


# Money: a decimal string with the currency's minor digits ("1234.50", JPY "1234"); numbers
# are accepted too. The value is passed on as sent, the service turns it into Money.
Amount = Annotated[Any, AfterValidator(_amount), WithJsonSchema({
    "type": "string", "pattern": r"^-?[0-9]{1,8}(\.[0-9]{1,2})?$",
    "description": "a decimal amount in the currency, at most 21,474,836.47"})]
Percent = Annotated[Any, AfterValidator(_percent), WithJsonSchema({
    "type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
    "description": "a percentage from 0 to 100 (\"12.5\")"})]
Quantity = Annotated[Any, AfterValidator(_quantity), WithJsonSchema({
    "type": "integer", "minimum": 1, "maximum": QUANTITY_MAX})]
Days = Annotated[int, Field(ge=0, le=3650)]
SmallInt = Annotated[int, Field(ge=0, le=1000)]


def text(max_length: int = TEXT_MAX) -> Any:
    """A string of at most `max_length` characters (the column's length)."""
    return Annotated[str, Field(max_length=max_length)]


def items(kind: Any, max_items: int = MAX_ITEMS) -> Any:
    """A list of at most `max_items` items."""
    return Annotated[list[kind], Field(max_length=max_items)]


Name = text(NAME_MAX)
Code = text(CODE_MAX)
Text = text(TEXT_MAX)
