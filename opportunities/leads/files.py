"""Reading a lead file (CSV or .xlsx) into a header and numbered rows of text."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

from opportunities.leads.services import LeadError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
BINARY = {b"\xd0\xcf\x11\xe0": "an old Excel (.xls) file", b"%PDF": "a PDF document",
          b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"\x1f\x8b": "a gzip archive"}


class LeadFileError(LeadError):
    """The file as a whole cannot be used (shown above the upload form)."""

    code = "invalid_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"file": message})


def normalise_header(name: str) -> str:
    """"Contact e-mail" -> "contact_e_mail"; case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


def read_rows(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank data rows as (row number, cells); row 1 is the header."""
    ext = Path(filename or "").suffix.lower()
    if len(data) > MAX_BYTES:
        raise LeadFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")
    if not data.strip():
        raise LeadFileError("The file is empty.")
    if ext == ".xls":
        raise LeadFileError("Old Excel (.xls) files are not supported: save it as .xlsx or CSV UTF-8.")
    if ext == ".xlsx":
        rows = _xlsx_rows(data)
    elif ext == ".csv":
        rows = _csv_rows(data)
    else:
        raise LeadFileError("Upload a .csv or .xlsx file.")
    numbered = [(n, cells) for n, cells in enumerate(rows, start=1)]
    if not numbered or not any(numbered[0][1]):
        raise LeadFileError("Row 1 must hold the column names.")
    body = [(n, cells) for n, cells in numbered[1:] if any(cells)]
    if len(body) > MAX_ROWS:
        raise LeadFileError(f"The file has more than {MAX_ROWS:,} leads: split it into several files.")
    if not body:
        raise LeadFileError("The file has column names but no leads.")
    return numbered[0][1], body


def _csv_rows(data: bytes) -> list[list[str]]:
    if data.startswith(b"PK\x03\x04"):
        raise LeadFileError("This is an Excel workbook, not a CSV file: upload it as .xlsx.")
    for magic, what in BINARY.items():
        if data.startswith(magic):
            raise LeadFileError(f"This is not a CSV file: it looks like {what}.")
    if b"\x00" in data[:4096]:
        raise LeadFileError("This is not a UTF-8 CSV file (it holds binary or UTF-16 data): "
                            "save it as 'CSV UTF-8'.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise LeadFileError(f"The file is not UTF-8 encoded (line {line}): save it as 'CSV UTF-8'.") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                             delimiter=delimiter)]
    except csv.Error as exc:
        raise LeadFileError(f"The file cannot be read as CSV: {exc}.") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise LeadFileError("This is not an Excel workbook (.xlsx): if it is CSV, name it .csv.")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - an untrusted file can break openpyxl in many ways
        raise LeadFileError("The Excel file cannot be opened: save it again as .xlsx.") from None
    try:
        sheet = next((s for s in book.worksheets if s.title.strip().lower() == "leads"),
                     book.worksheets[0] if book.worksheets else None)
        if sheet is None:
            raise LeadFileError("The workbook has no worksheet.")
        rows, filled = [], 0
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in values]
            filled += any(cells)
            if filled > MAX_ROWS + 1:
                raise LeadFileError(f"The file has more than {MAX_ROWS:,} leads: split it into "
                                    "several files.")
            rows.append(cells)
        return rows
    except LeadFileError:
        raise
    except Exception:  # noqa: BLE001
        raise LeadFileError("The Excel file is damaged and cannot be read.") from None
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
