"""Sorting and paging of aggregated report rows in SQL (ORDER BY, LIMIT/OFFSET, one count)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, asc, desc
from sqlalchemy.sql.elements import UnaryExpression

from portal.listing import Page, page_params, paginate

PER_PAGE, MAX_PER_PAGE = 25, 200


def ordered(stmt: Select, sort: str | None, sorts: dict[str, Sequence[Any]], default: str,
            tiebreak: Sequence[Any] = ()) -> tuple[Select, str]:
    """Order by the columns of the sort key (`-key` descending on its last column, which carries
    the figure; earlier columns, such as the currency, stay ascending so amounts sort per currency).
    `tiebreak` columns follow (ascending unless given as `desc(...)`)."""
    key = (sort or default).strip()
    name = key.lstrip("-")
    if name not in sorts:
        key, name = default, default.lstrip("-")
    columns = list(sorts[name])
    direction = desc if key.startswith("-") else asc
    clauses = [asc(c) for c in columns[:-1]] + [direction(columns[-1])]
    ties = [c if isinstance(c, UnaryExpression) else asc(c) for c in tiebreak]
    return stmt.order_by(*clauses, *ties), key


def page_of(stmt: Select, args: Any, sort: str, row: Callable[[Any], dict[str, Any]],
            per_page: int = PER_PAGE) -> Page:
    """One page of an ordered statement, each row turned into a dict by `row`."""
    number, size = page_params(args, per_page, MAX_PER_PAGE)
    page = paginate(stmt, number, size, scalars=False, sort=sort)
    page.items = [row(r) for r in page.items]
    return page


def page_list(rows: list[dict[str, Any]], args: Any, sort: str, per_page: int = PER_PAGE) -> Page:
    """One page of rows already aggregated (and sorted) in the database."""
    number, size = page_params(args, per_page, MAX_PER_PAGE)
    start = (number - 1) * size
    return Page(items=rows[start:start + size], page=number, per_page=size, total=len(rows), sort=sort)
