"""Row problems: every one counted, the first MAX_STORED_ERRORS kept with row and column."""
from __future__ import annotations

from typing import Any

from catalog.imports import MAX_STORED_ERRORS


class Problems:
    """Problems found in a file, by spreadsheet row number (the header is row 1) and column."""

    def __init__(self, limit: int = MAX_STORED_ERRORS) -> None:
        self.limit = limit
        self.count = 0
        self.rows: set[int] = set()
        self.items: list[dict[str, Any]] = []
        self._pending: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        """Record one problem (kept in row order once the chunk is committed)."""
        self.count += 1
        self.rows.add(row)
        if len(self.items) < self.limit:
            self._pending.append({"row": row, "column": column, "message": message})

    def commit(self) -> None:
        """End of a chunk: keep its problems sorted by row, up to the limit."""
        self._pending.sort(key=lambda item: item["row"])
        self.items.extend(self._pending[:self.limit - len(self.items)])
        self._pending = []

    def __bool__(self) -> bool:
        return self.count > 0

    def check_width(self, row: int, cells: list[str], width: int) -> None:
        """Values beyond the last named column (often an unquoted comma in CSV) are an error."""
        extra = [i for i in range(width, len(cells)) if cells[i]]
        if extra:
            self.add(row, column_letter(extra[0]),
                     f"This row has a value in column {column_letter(extra[0])}, which has no "
                     "column name (in CSV, quote values that contain the separator).")

    def summary_message(self) -> str:
        """The job message for an invalid file."""
        rows = len(self.rows)
        return (f"{self.count:,} problem{'s' if self.count != 1 else ''} in {rows:,} "
                f"row{'s' if rows != 1 else ''}: nothing was written. Fix the file and upload it again.")


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet letter (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
