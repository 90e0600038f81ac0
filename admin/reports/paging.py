"""Sorting and paging of aggregated report rows in SQL (ORDER BY, LIMIT/OFFSET, one count)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, asc, desc, func, select
from sqlalchemy.sql.elements import UnaryExpression

from portal.extensions import db
from portal.listing import Page, page_params

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


def page_window(stmt: Select, args: Any, sort: str, row: Callable[[Any], dict[str, Any]],
                per_page: int = PER_PAGE) -> Page:
    """One page of an ordered aggregate in one statement: the number of rows comes with it
    (`count(*) OVER ()`), so the aggregation runs once, not again for a count."""
    number, size = page_params(args, per_page, MAX_PER_PAGE)
    rows = db.session.execute(stmt.add_columns(func.count().over().label("rows_total"))
                              .limit(size).offset((number - 1) * size)).all()
    if rows:
        total = rows[0].rows_total
    else:  # past the last page (or nothing at all)
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) if number > 1 else 0
    return Page(items=[row(r) for r in rows], page=number, per_page=size, total=int(total or 0), sort=sort)


def sort_rows(rows: list[dict[str, Any]], sort: str | None, keys: dict[str, Callable[[dict[str, Any]], Any]],
              default: str, *, per_currency: Sequence[str] = (),
              tiebreak: Callable[[dict[str, Any]], Any] | None = None) -> tuple[list[dict[str, Any]], str]:
    """Sort aggregated rows by a key ("-key" descending; unknown keys fall back to `default`);
    keys named in `per_currency` (money) sort within each currency, currencies alphabetically."""
    key = (sort or default).strip()
    name = key.lstrip("-")
    if name not in keys:
        key, name = default, default.lstrip("-")
    out = sorted(rows, key=tiebreak) if tiebreak else list(rows)
    out.sort(key=keys[name], reverse=key.startswith("-"))  # stable: ties keep the tiebreak order
    if name in per_currency:
        out.sort(key=lambda r: r["currency"])
    return out, key


def page_list(rows: list[dict[str, Any]], args: Any, sort: str, per_page: int = PER_PAGE) -> Page:
    """One page of rows already aggregated (and sorted) in the database."""
    number, size = page_params(args, per_page, MAX_PER_PAGE)
    start = (number - 1) * size
    return Page(items=rows[start:start + size], page=number, per_page=size, total=len(rows), sort=sort)
