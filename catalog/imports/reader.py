"""Reading CSV and .xlsx files as a header plus a stream of rows of text (row 1 is the header)."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalog.imports import MAX_ROWS, ImportFileError
from catalog.imports.files import not_utf8_message
from portal import exports

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SHEET_NAMES = {"price_book_entries": ("entries", "price book", "prices"), "products": ("products",)}


@dataclass
class Table:
    """A header row, an estimate of the data rows, and the rows as (row number, cells)."""

    header: list[str]
    estimated_rows: int
    rows: Iterator[tuple[int, list[str]]]
    where: str = ""


def cell_text(value: Any) -> str:
    """One cell as text: numbers as typed in Excel (15 significant digits), dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = format(value, ".15g")
        return str(Decimal(text).normalize()) if "e" in text else text
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


@contextmanager
def open_table(path: Path, ext: str, kind: str) -> Iterator[Table]:
    """Open a stored job file; file-level problems raise ImportFileError."""
    if ext == "xlsx":
        with _open_xlsx(path, kind) as table:
            yield table
    else:
        with _open_csv(path) as table:
            yield table


def _limited(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    count = 0
    for number, cells in rows:
        if not any(cells):
            continue  # blank rows are skipped, but still counted in the row numbers
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} data rows: split it into "
                                  "several files.")
        yield number, cells


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    size = path.stat().st_size
    with path.open("r", encoding="utf-8-sig", newline="", errors="strict") as handle:
        try:
            sample = handle.read(64 * 1024)
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_utf8_message(exc.object[exc.start:exc.start + 1], None)) from exc
        if not sample.strip():
            raise ImportFileError("The file is empty.")
        first = sample.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first.count) if first.strip() else ","
        lines = max(1, sample.count("\n"))
        estimate = max(1, size * lines // max(1, len(sample.encode())) - 1)
        handle.seek(0)  # the utf-8-sig decoder skips the BOM again
        reader = csv.reader(handle, delimiter=delimiter)
        header = _next_header(reader)
        yield Table(header, estimate, _limited(_csv_rows(reader)),
                    where=f"CSV file ({DELIMITERS[delimiter]} separated)")


def _next_header(reader: Any) -> list[str]:
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                raise ImportFileError("Row 1 is empty: the first row must hold the column names.")
            return [c.strip() for c in cells]
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8_message(exc.object[exc.start:exc.start + 1], 1)) from exc
    except csv.Error as exc:
        raise ImportFileError(f"Row 1 cannot be read as CSV: {exc}.") from exc
    raise ImportFileError("The file is empty.")


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_utf8_message(exc.object[exc.start:exc.start + 1], None)
                                  + f" The problem is after row {number}.") from exc
        except csv.Error as exc:
            raise ImportFileError(f"Row {number + 1} cannot be read as CSV: {exc}.") from exc
        number += 1
        yield number, [exports.restore_cell(c.strip()) for c in cells]  # our exports' apostrophes


@contextmanager
def _open_xlsx(path: Path, kind: str) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - an untrusted file may break openpyxl in many ways
        raise ImportFileError("The Excel file cannot be opened: it is damaged or not an .xlsx "
                              "workbook. Save it again from Excel as Excel Workbook (.xlsx).") from exc
    try:
        sheets = book.worksheets
        if not sheets:
            raise ImportFileError("The workbook has no worksheet.")
        wanted = SHEET_NAMES.get(kind, ())
        sheet = next((s for s in sheets if s.title.strip().lower() in wanted), sheets[0])
        estimate = max(1, (sheet.max_row or 2) - 1)
        sheet.reset_dimensions()  # read every row, whatever the file claims its size is
        rows = (list(r) for r in sheet.iter_rows(values_only=True))
        numbered = ((n, [cell_text(v) for v in cells]) for n, cells in enumerate(rows, start=1))
        try:
            first = next(numbered, None)
        except Exception as exc:  # noqa: BLE001 - any XML problem inside the sheet
            raise ImportFileError(f"Sheet '{sheet.title}' cannot be read: the file is damaged.") from exc
        if first is None or not any(first[1]):
            raise ImportFileError(f"Sheet '{sheet.title}' has no column names in row 1: the first "
                                  "row of the first sheet must hold the column names.")
        yield Table(first[1], estimate, _limited(_guarded(numbered, sheet.title)),
                    where=f"sheet '{sheet.title}'")
    finally:
        book.close()


def _guarded(rows: Iterator[tuple[int, list[str]]], title: str) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            item = next(rows)
        except StopIteration:
            return
        except ImportFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any XML problem inside the sheet
            raise ImportFileError(f"Sheet '{title}' cannot be read after row {number}: "
                                  "the file is damaged.") from exc
        number = item[0]
        yield item
