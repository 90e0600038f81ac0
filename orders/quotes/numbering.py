"""Quote numbers: "Q-<year>-<sequence>", unique and never reused, even under concurrent creation.

A counter row per year is incremented with `UPDATE ... RETURNING`, which takes the row lock: a
second transaction creating a quote waits until the first commits and then reads its value, so
two quotes never get the same number. The counter only moves forward (quotes are never deleted);
a transaction that rolls back gives its number back before anyone has seen it. The unique
constraint on `quotes.number` is the last line of defence.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from orders.quotes.models import QuoteNumberCounter
from portal.extensions import db

PREFIX = "Q"


def format_number(year: int, sequence: int) -> str:
    """Q-2026-00042 (the sequence grows past five digits when it must)."""
    return f"{PREFIX}-{year}-{sequence:05d}"


def next_number(on: date) -> str:
    """Take the next number of `on`'s year (locks the counter row until the transaction ends)."""
    session = db.session()
    session.flush()
    connection = session.connection()
    table = QuoteNumberCounter.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(insert(table).values(year=on.year, last=0).on_conflict_do_nothing(
        index_elements=["year"]))
    sequence = connection.execute(
        update(table).where(table.c.year == on.year).values(last=table.c.last + 1)
        .returning(table.c.last)).scalar_one()
    return format_number(on.year, sequence)
