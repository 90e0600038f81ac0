"""SQL building blocks the reports share, portable between PostgreSQL and SQLite: the UTC month of a
timestamp, the seconds between two timestamps, and percentiles computed in the database."""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import Float, Integer, String, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class month_of(FunctionElement):  # noqa: N801 - used like a SQL function
    """`YYYY-MM` of a UTC timestamp column."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(column, **kw)})"


@compiles(month_of, "postgresql")
def _month_pg(element: month_of, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"to_char(({compiler.process(column, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


class seconds_between(FunctionElement):  # noqa: N801
    """Seconds from the second timestamp to the first (a float)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) AS DOUBLE PRECISION)"


def percentile_columns(rank: ColumnElement, size: ColumnElement, value: ColumnElement,
                       percent: int) -> ColumnElement:
    """The `percent` percentile of `value` in a group, interpolated linearly between the two
    closest ranks (as PostgreSQL's percentile_cont). `rank` (1-based) and `size` come from window
    functions over the group; the result is an aggregate over the group's rows."""
    p = Fraction(percent, 100)
    position = (literal(p.numerator) * (size - 1)) // literal(p.denominator)  # 0-based, floored
    remainder = (literal(p.numerator) * (size - 1)) % literal(p.denominator)
    low = func.max(case((rank == position + 1, value)))
    high = func.max(case((rank == position + 2, value)))
    weight = func.max(remainder) * 1.0 / p.denominator
    return low + (func.coalesce(high, low) - low) * weight


def percentiles(source: Any, value: str, groups: Sequence[str], percents: Sequence[int]) -> Any:
    """A select over `source` (a subquery with a `value` column and `groups` columns): one row per
    group with `n`, `mean` and `p<percent>` for each percent, all computed in the database."""
    group_cols = [source.c[g] for g in groups]
    ranked = select(
        *group_cols, source.c[value].label("value"),
        func.row_number().over(partition_by=group_cols or None, order_by=source.c[value]).label("rank"),
        func.count().over(partition_by=group_cols or None).label("size"),
    ).subquery("ranked")
    keys = [ranked.c[g] for g in groups]
    columns = [func.count().cast(Integer).label("n"), func.avg(ranked.c.value).label("mean")]
    columns += [percentile_columns(ranked.c.rank, ranked.c.size, ranked.c.value, p).label(f"p{p}")
                for p in percents]
    stmt = select(*keys, *columns).select_from(ranked)
    return stmt.group_by(*keys) if keys else stmt
