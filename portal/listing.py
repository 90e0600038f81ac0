"""Sorting, filtering and pagination shared by HTML tables and API lists."""
from __future__ import annotations

import re
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from portal.errors import Malformed
from portal.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    sort: str = ""

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        """The API list body: {"items", "page", "per_page", "total"}."""
        return {"items": items, "page": self.page, "per_page": self.per_page, "total": self.total}


PAGE_MAX = 1_000_000  # far beyond any real list, and (page - 1) * per_page stays small
ID_MAX = 2**31 - 1  # the largest INTEGER id (portal.converters.ID_MAX)
# A whole number, also written as JSON Schema counts integers: "60.0" is the integer 60.
_WHOLE = re.compile(r"\+?([0-9]+)(?:\.0*)?")


def _whole(args: Any, name: str) -> int | None:
    """The query parameter `name` as a non-negative whole number; None when absent or empty."""
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    match = _WHOLE.fullmatch(str(raw).strip())
    if match is None:
        raise Malformed(f"{name} must be a whole number.", fields={name: "must be a whole number"})
    text = match.group(1).lstrip("0") or "0"
    return int(text) if len(text) <= 12 else 10**12  # beyond every bound below either way


def int_arg(args: Any, name: str, *, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """A bounded integer query parameter (an id by default): absent is None; anything else
    outside `minimum`..`maximum`, or not a whole number, is a 400 naming the parameter."""
    value = _whole(args, name)
    if value is not None and not minimum <= value <= maximum:
        raise Malformed(f"{name} must be between {minimum} and {maximum}.",
                        fields={name: f"must be between {minimum} and {maximum}"})
    return value


def page_params(args: Any, default_per_page: int, max_per_page: int) -> tuple[int, int]:
    """`?page=&per_page=`: page is 1..PAGE_MAX, per_page at least 1; a per_page above
    `max_per_page` is served as `max_per_page` (the documented cap). Anything else is a 400."""
    page = int_arg(args, "page", maximum=PAGE_MAX) or 1
    per_page = _whole(args, "per_page")
    if per_page is None:
        per_page = default_per_page
    elif per_page < 1:
        raise Malformed("per_page must be at least 1.", fields={"per_page": "must be at least 1"})
    return page, min(per_page, max_per_page)


def apply_sort(stmt: Select, sort: str | None, columns: dict[str, Any], default: str,
               tiebreak: Any = None) -> tuple[Select, str]:
    """Order by `sort` ("name" ascending, "-name" descending) if it names a known column."""
    key = (sort or default).strip()
    name = key.lstrip("-")
    if name not in columns:
        key, name = default, default.lstrip("-")
    column = columns[name]
    ordered = column.desc() if key.startswith("-") else column.asc()
    stmt = stmt.order_by(ordered)
    if tiebreak is not None:
        stmt = stmt.order_by(tiebreak)
    return stmt, key


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = True, sort: str = "") -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total, sort=sort)
