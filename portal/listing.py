"""Sorting, filtering and pagination shared by HTML tables and API lists."""
from __future__ import annotations

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


def page_params(args: Any, default_per_page: int, max_per_page: int) -> tuple[int, int]:
    """`?page=&per_page=`: positive integers; per_page is capped at `max_per_page`."""
    try:
        page = int(args.get("page", 1) or 1)
        per_page = int(args.get("per_page", default_per_page) or default_per_page)
    except (TypeError, ValueError) as exc:
        raise Malformed("page and per_page must be whole numbers.",
                        fields={"page": "must be a whole number"}) from exc
    if page < 1 or per_page < 1:
        raise Malformed("page and per_page must be at least 1.",
                        fields={"page" if page < 1 else "per_page": "must be at least 1"})
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
