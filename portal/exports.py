"""The one writer for every CSV and Excel export: no cell can become a spreadsheet formula.

A text cell that begins with `=`, `+`, `-`, `@`, a tab, CR or LF would run as a formula (or
start one, `=HYPERLINK(...)`, `@SUM(...)`, `-2+3`) when a spreadsheet opens the file. In CSV such
a cell gets a leading apostrophe (`'=HYPERLINK(...)`); in Excel it is written as a text cell with
the apostrophe prefix flag (Excel's own way to store a typed `'`), so it shows and round-trips as
written and stays text when edited. Real numbers (int, Decimal, float) and text that is exactly a
plain number (`-12.50`, a money amount) are written unchanged, so negatives stay numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; longer Decimals are written as text


class _Writes(Protocol):
    def write(self, text: str, /) -> Any: ...


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read this text as (the start of) a formula."""
    return text.startswith(FORMULA_START) and PLAIN_NUMBER.fullmatch(text) is None


def _needs_prefix(text: str) -> bool:
    # also text that already starts with apostrophes before a formula character, so that
    # `restore_cell` gives back exactly what was written
    return is_formula_like(text.lstrip("'"))


def safe_cell(value: Any) -> Any:
    """The value to write to CSV: text that looks like a formula gets a leading apostrophe;
    anything else (numbers, dates, None) is returned as it is."""
    if isinstance(value, str) and _needs_prefix(value):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The inverse of `safe_cell` for a CSV cell read back by an import of our own export."""
    if text.startswith("'") and _needs_prefix(text[1:]):
        return text[1:]
    return text


class SafeCsvWriter:
    """`csv.writer` with the same `writerow` / `writerows`, every cell passed through `safe_cell`."""

    def __init__(self, out: _Writes, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writes, **options: Any) -> SafeCsvWriter:
    """A CSV writer for an export (the options are `csv.writer`'s: `lineterminator`, `delimiter`...)."""
    return SafeCsvWriter(out, **options)


def csv_text(header: Sequence[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True,
             lineterminator: str = "\r\n") -> str:
    """A whole CSV file as text; with a byte-order mark by default so spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """What to append to a write-only sheet for one value: formula-like text becomes a text cell
    flagged with Excel's apostrophe prefix; over-long Decimals become text; the rest is unchanged."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal) and len(value.as_tuple().digits) > EXCEL_DIGITS:
        return format(value, "f")
    if isinstance(value, str) and is_formula_like(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
        return cell
    return value


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Iterable[Any]], title: str) -> bytes:
    """An .xlsx workbook with one sheet: the header in bold in row 1 (frozen), then the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
