"""The `id` route converter: only ids that can exist match, so `/orders/99999999999` is a 404
without a query (every id column is a 32-bit integer; PostgreSQL refuses anything larger)."""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

ID_MAX = 2**31 - 1  # the largest value of an INTEGER primary key


# 1 .. 2147483647 without leading zeros, as a pattern: the bound must be in the pattern, not only in
# `to_python`, because Werkzeug checks the method before converting. A PATCH to `/partners/0` would
# otherwise find the GET rule for the path and answer 405 instead of 404.
ID_PATTERN = (
    r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
    r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
)


class IdConverter(IntegerConverter):
    """`<id:order_id>`: a positive 32-bit integer (1 .. 2**31-1); anything else does not match."""

    regex = ID_PATTERN

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=ID_MAX)


def parse_id(text: Any) -> int | None:
    """An id typed into a form or a filter: the int when it can exist, else None (never a value
    the database would refuse)."""
    value = str(text or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def init_app(app: Any) -> None:
    app.url_map.converters["id"] = IdConverter
