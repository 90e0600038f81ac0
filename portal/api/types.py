"""Bounded field types shared by every API schema: what a value may be before a service sees it.

An id that no row can have, a quantity or percentage out of range, a money amount whose minor
units no column can hold, a string longer than its column or a list longer than any real use is
a 422 naming the field (structure errors stay 400), never a database error. The bounds are also
in the generated OpenAPI description, so clients (and schemathesis) know them.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, WithJsonSchema

from portal.converters import ID_MAX
from portal.validation import MAX_QUANTITY

MINOR_MAX = 2**31 - 1  # money columns hold minor units in a 32-bit INTEGER
AMOUNT_MAX = Decimal(MINOR_MAX) / 100  # 21,474,836.47: fits every 2-decimal currency's columns
MAX_ITEMS = 200  # lines, entries, options, prices in one body
NAME_MAX = 200  # names and titles (String(200) columns)
CODE_MAX = 64  # SKUs, option codes, families
TEXT_MAX = 5000  # notes, descriptions, reasons

Id = Annotated[int, Field(ge=1, le=ID_MAX, description="an id (1 to 2,147,483,647)")]


def _json_integer(value: Any) -> Any:
    """A JSON integer, as JSON Schema counts them: 12 and 12.0, never "12" or true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# StrictInt refuses "12" and true; 12.0 is the integer 12 in JSON and is taken as one.
StrictId = Annotated[StrictInt, BeforeValidator(_json_integer), Field(ge=1, le=ID_MAX), WithJsonSchema(
    {"type": "integer", "minimum": 1, "maximum": ID_MAX, "description": "an id (1 to 2,147,483,647)"})]


NUMBER_TEXT_MAX = 30  # an amount, percentage or quantity as typed


def as_number(value: Any) -> Decimal | None:
    """`value` as a finite Decimal, or None when it is not a number at all: then it is passed on
    as sent and the service names the field with its own message (400 for a wrong type, 422 for a
    bad value), next to the other fields' errors."""
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        return None
    if isinstance(value, str) and len(value) > NUMBER_TEXT_MAX:
        raise ValueError(f"must be a number of at most {NUMBER_TEXT_MAX} characters")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# These are outer bounds: a value within them goes to the service, which checks the exact rule
# (decimal places, sign, 0-100, 1-1,000,000) and reports every field at once with its own
# message. A value beyond them is refused here, on the field, before any service or column sees it.
def _amount(value: Any) -> Any:
    """A decimal amount small enough that its minor units fit the columns; the service checks
    the currency's decimal places and whether it may be negative."""
    number = as_number(value)
    if number is not None and abs(number) > AMOUNT_MAX:
        raise ValueError(f"must be at most {AMOUNT_MAX:,}")
    return value


PERCENT_OUTER = 1000  # beyond this no percentage is a typo the service should explain


def _percent(value: Any) -> Any:
    number = as_number(value)
    if number is not None and abs(number) > PERCENT_OUTER:
        raise ValueError("must be a percentage between 0 and 100, such as \"12.5\"")
    return value


def _quantity(value: Any) -> Any:
    """Only the outer bound: the service parses the quantity (`portal.validation.parse_quantity`)."""
    number = as_number(value)
    if number is not None and abs(number) > MAX_QUANTITY:
        raise ValueError(f"must be a whole number from 1 to {MAX_QUANTITY:,}")
    return value


# Money: a decimal string with the currency's minor digits ("1234.50", JPY "1234"); numbers
# are accepted too. The value is passed on as sent, the service turns it into Money.
Amount = Annotated[Any, AfterValidator(_amount), WithJsonSchema({
    "type": "string", "pattern": r"^-?[0-9]{1,8}(\.[0-9]{1,2})?$", "maxLength": NUMBER_TEXT_MAX,
    "description": "a decimal amount in the currency, at most 21,474,836.47"})]
Percent = Annotated[Any, AfterValidator(_percent), WithJsonSchema({
    "type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$", "maxLength": NUMBER_TEXT_MAX,
    "description": "a percentage from 0 to 100 (\"12.5\")"})]
Quantity = Annotated[Any, AfterValidator(_quantity), WithJsonSchema({
    "type": "integer", "minimum": 1, "maximum": MAX_QUANTITY})]
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
