"""Price book entry and product imports from CSV / Excel: read, validate, diff, apply, export.

Limits (shown on the upload page): files up to 25 MB, up to 200,000 data rows, UTF-8 CSV (with or
without BOM) or .xlsx. Only the first 1,000 problems are stored; all are counted.
"""
from __future__ import annotations

from catalog.services import CatalogError
from portal.errors import StateConflict

KINDS = {"price_book_entries": "Price book entries", "products": "Products"}
EXTENSIONS = ("csv", "xlsx")
MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 200_000
MAX_TIERS = 20
MAX_STORED_ERRORS = 1_000
PREVIEW_ROWS = 500
CHUNK_ROWS = 5_000
ACTIVE_STATUSES = ("queued", "validating", "applying")


class ImportFileError(CatalogError):
    """The file as a whole cannot be imported (format, encoding, size, header)."""

    code = "import_file_invalid"


class ImportStateError(StateConflict):
    """The job is not in a state that allows this action (e.g. applied twice)."""

    code = "import_state"


def limits_text() -> str:
    """The import limits in words, for pages and messages."""
    return (f"{MAX_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} data rows per file; "
            f"CSV in UTF-8 (with or without BOM) or Excel .xlsx")
