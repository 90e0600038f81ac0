"""The `id` route converter: only ids that can exist match, so `/orders/99999999999` is a 404
without a query (every id column is a 32-bit integer; PostgreSQL refuses anything larger)."""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

ID_MAX = 2**31 - 1  # the largest value of an INTEGER primary key


class IdConverter(IntegerConverter):
    """`<id:order_id>`: a positive 32-bit integer (1 .. 2**31-1); anything else does not match."""

    regex = r"\d{1,10}"

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
