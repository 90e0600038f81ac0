"""Bulk writes for imports and the registry index: COPY on PostgreSQL, executemany elsewhere.

Rows are plain dicts keyed by column name with Python values (JSON columns as Python objects);
everything runs on the session's connection, inside the caller's transaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import JSON

from portal.extensions import db

#: Below this many rows plain statements beat COPY (no staging table to create).
COPY_FROM = 200


def _is_pg() -> bool:
    return db.session().get_bind().dialect.name == "postgresql"


def _raw():
    """The psycopg connection under the session's connection (same transaction)."""
    return db.session.connection().connection.driver_connection


def allocate_ids(table: Table, count: int) -> list[int]:
    """Reserve `count` primary keys for explicit inserts (callers hold the registry lock)."""
    if count <= 0:
        return []
    if _is_pg():
        rows = db.session.execute(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"), {"n": count})
        return [r[0] for r in rows]
    top = db.session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + count))


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """A value in COPY's text format (dates, timestamps and numbers print as PostgreSQL reads them)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _copy(table_name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows in text format, formatted here in batches (much faster than one call per row)."""
    with _raw().cursor() as cursor:
        with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
            batch: list[str] = []
            for row in rows:
                batch.append("\t".join(map(_text, row)))
                if len(batch) >= 5000:
                    copy.write("\n".join(batch) + "\n")
                    batch = []
            if batch:
                copy.write("\n".join(batch) + "\n")


def _converter(table: Table, column: str) -> Any:
    """How a Python value of a column is written by COPY (None: as it is)."""
    column_type = table.c[column].type
    if isinstance(column_type, JSON):
        return json.dumps
    processor = getattr(column_type, "process_bind_param", None)
    return (lambda value: processor(value, None)) if processor is not None else None


def _pg_rows(table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]],
             defaults: Mapping[str, Any]) -> Iterable[list[Any]]:
    converters = [(i, f) for i, c in enumerate(columns) if (f := _converter(table, c)) is not None]
    tail = [v if v is None or (f := _converter(table, c)) is None else f(v) for c, v in defaults.items()]
    for row in rows:
        values = [row[c] for c in columns]
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        yield values + tail


def _defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Python-side defaults of the columns a row does not give (one value for the whole batch)."""
    values = {}
    for column in table.c:
        default = column.default
        if column.name in given or default is None or not getattr(default, "is_scalar", False) and \
                not getattr(default, "is_callable", False):
            continue
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (all with the same keys) as fast as the database allows."""
    if not rows:
        return
    columns = list(rows[0])
    if _is_pg() and len(rows) >= COPY_FROM:
        defaults = _defaults(table, columns)  # COPY skips SQLAlchemy's Python-side defaults: add them
        _copy(table.name, columns + list(defaults), _pg_rows(table, columns, rows, defaults))
    else:
        db.session.execute(insert(table), list(rows))


def _pg_merge(table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]], conflict: str) -> None:
    """COPY into a temporary table, then INSERT ... SELECT ... ON CONFLICT into `table`."""
    staging = f"{table.name}_staging"
    definition = ", ".join(f"{c} {table.c[c].type.compile(dialect=db.session.get_bind().dialect)}" for c in columns)
    cols = ", ".join(columns)
    db.session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ({definition}) ON COMMIT DROP"))
    db.session.execute(text(f"TRUNCATE {staging}"))
    _copy(staging, columns, rows)
    db.session.execute(text(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {staging} {conflict}"))


def add_to_counters(table: Table, counts: Mapping[str, int]) -> None:
    """Add `counts` to the (key, n) counters, creating missing keys."""
    if not counts:
        return
    rows = sorted(counts.items())
    if _is_pg() and len(rows) >= COPY_FROM:
        _pg_merge(table, ("key", "n"), rows, "ON CONFLICT (key) DO UPDATE SET n = "
                                             f"{table.name}.n + EXCLUDED.n")
    else:
        stmt = (postgresql.insert if _is_pg() else sqlite.insert)(table)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={"n": table.c.n + stmt.excluded.n})
        db.session.execute(stmt, [{"key": k, "n": n} for k, n in rows])


def insert_missing(table: Table, rows: Iterable[tuple[Any, ...]], columns: Sequence[str]) -> None:
    """Insert rows whose primary key is not there yet (others are left as they are)."""
    rows = sorted(set(rows))
    if not rows:
        return
    if _is_pg() and len(rows) >= COPY_FROM:
        _pg_merge(table, columns, rows, "ON CONFLICT DO NOTHING")
    else:
        stmt = (postgresql.insert if _is_pg() else sqlite.insert)(table).on_conflict_do_nothing()
        db.session.execute(stmt, [dict(zip(columns, r)) for r in rows])
