"""Exports in exactly the formats the imports accept (CSV with BOM, or .xlsx), written by the
shared formula-safe writer (`portal.exports`)."""
from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from catalog.imports.columns import ENTRY_COLUMNS, PRODUCT_OPTIONAL, PRODUCT_REQUIRED
from catalog.models import PriceBook, PriceBookEntry, Product
from portal import exports
from portal.extensions import db
from portal.money import Money

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def entry_table(book: PriceBook) -> tuple[list[str], list[list[Any]]]:
    """A book's entries as a header and rows: code, unit_price, tier_qty_N, tier_price_N, ..."""
    stmt = select(PriceBookEntry.code, PriceBookEntry.unit_price_minor, PriceBookEntry.tiers).where(
        PriceBookEntry.price_book_id == book.id)
    entries = sorted(db.session.execute(stmt).all(), key=lambda e: e.code)
    width = max((len(e.tiers or []) for e in entries), default=0)
    header = list(ENTRY_COLUMNS)
    for n in range(1, width + 1):
        header += [f"tier_qty_{n}", f"tier_price_{n}"]

    def amount(minor: int) -> Decimal:
        return Money(minor, book.currency).amount

    rows = []
    for code, unit, tiers in entries:
        row: list[Any] = [code, amount(unit)]
        for qty, price in sorted(tiers or []):
            row += [int(qty), amount(price)]
        rows.append(row + [None] * (len(header) - len(row)))
    return header, rows


def product_table() -> tuple[list[str], list[list[Any]]]:
    """Every product as sku, name, family, description, unit, active (yes/no)."""
    header = list(PRODUCT_REQUIRED + PRODUCT_OPTIONAL)
    stmt = select(Product.sku, Product.name, Product.family, Product.description, Product.unit,
                  Product.active).order_by(Product.sku)
    rows = [[sku, name, family, description or "", unit, "yes" if active else "no"]
            for sku, name, family, description, unit, active in db.session.execute(stmt)]
    return header, rows


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text (UTF-8 with BOM, so Excel opens it correctly) in chunks, for a streamed response."""
    buffer = io.StringIO()
    writer = exports.csv_writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow([_text(v) for v in row])
        if i % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(header: list[str], rows: Iterable[list[Any]], title: str) -> bytes:
    """An .xlsx workbook with one sheet: the header in row 1, then the rows."""
    return exports.xlsx_bytes(header, rows, title)
