"""Quick order and reorder: lines of SKU and quantity (pasted, CSV or Excel) checked line by
line; the good ones go into the cart, priced at today's prices like every cart line."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from catalog.services import carts
from catalog.services.configurations import parse_quantity
from catalog.services.lookup import products_by_sku
from orders.models import Order
from orders.services import OrderError
from portal.models import Partner, User

MAX_LINES = 500
MAX_BYTES = 2 * 1024 * 1024
HEADER_WORDS = {"sku", "code", "product", "item", "qty", "quantity", "menge", "artikel"}
SPLIT = re.compile(r"\s+")


@dataclass
class QuickLine:
    """A line as read: its number in the input, SKU, quantity, options, and any problem."""

    number: int
    sku: str
    quantity: int | None
    options: tuple[str, ...] = ()
    problem: str | None = None
    name: str = ""


@dataclass
class QuickResult:
    lines: list[QuickLine] = field(default_factory=list)

    @property
    def good(self) -> list[QuickLine]:
        return [line for line in self.lines if line.problem is None]

    @property
    def bad(self) -> list[QuickLine]:
        return [line for line in self.lines if line.problem is not None]


def _cells_from_text(text: str) -> Iterable[tuple[int, list[str]]]:
    """Lines of text: cells separated by tab, semicolon or comma, else by spaces."""
    for number, row in enumerate(text.splitlines(), start=1):
        row = row.strip()
        if re.search(r"[\t;,]", row):
            yield number, [c.strip().strip('"') for c in next(csv.reader([row], delimiter=_delimiter(row)))]
        else:
            yield number, [c for c in SPLIT.split(row) if c]


def _delimiter(row: str) -> str:
    return max(("\t", ";", ","), key=row.count)


def _cells_from_xlsx(data: bytes) -> Iterable[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise OrderError("This file is not a readable Excel workbook (.xlsx).",
                         fields={"file": "Not a readable .xlsx file."}) from exc
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = []
        for value in row:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            cells.append("" if value is None else str(value).strip())
        yield number, cells
        if number > MAX_LINES + 1:
            break
    book.close()


def read_upload(filename: str, data: bytes) -> Iterable[tuple[int, list[str]]]:
    """Rows of cells from an uploaded .csv/.txt or .xlsx file."""
    if len(data) > MAX_BYTES:
        raise OrderError("The file is larger than 2 MB.", fields={"file": "At most 2 MB."})
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _cells_from_xlsx(data)
    if name.endswith(".xls"):
        raise OrderError("Old .xls files are not supported: save as .xlsx or CSV.",
                         fields={"file": "Use .xlsx or .csv."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrderError("The file is not UTF-8 text: save it as CSV UTF-8 or .xlsx.",
                         fields={"file": "Not UTF-8 text."}) from None
    return _cells_from_text(text)


def read_text(text: str) -> Iterable[tuple[int, list[str]]]:
    return _cells_from_text(text or "")


def check(rows: Iterable[tuple[int, list[str]]]) -> QuickResult:
    """Every line checked: known and orderable SKU, whole quantity (1 when left out)."""
    result = QuickResult()
    for number, cells in rows:
        while cells and not cells[-1]:
            cells = cells[:-1]
        if not any(cells):
            continue
        if not result.lines and number == 1 and cells[0].strip().lower() in HEADER_WORDS:
            continue  # a header row
        if len(result.lines) >= MAX_LINES:
            raise OrderError(f"At most {MAX_LINES} lines at once.", fields={"lines": f"At most {MAX_LINES}."})
        sku = cells[0].strip()
        raw_qty = cells[1].strip() if len(cells) > 1 and cells[1].strip() else "1"
        quantity, problem = parse_quantity(int(raw_qty) if re.fullmatch(r"-\d{1,9}", raw_qty) else raw_qty)
        options = tuple(o for o in re.split(r"[\s|+]+", cells[2]) if o) if len(cells) > 2 else ()
        line = QuickLine(number, sku, quantity, options)
        if problem:
            line.problem = f"Quantity {raw_qty!r}: {problem}"
        result.lines.append(line)
    if not result.lines:
        raise OrderError("No lines found: give one SKU and quantity per line.",
                         fields={"lines": "Nothing to order."})
    products = products_by_sku({line.sku for line in result.lines})
    for line in result.lines:
        product = products.get(line.sku)
        if product is None:
            line.problem = line.problem or f"Unknown SKU {line.sku}."
        elif not product.active:
            line.problem = line.problem or f"{product.sku} ({product.name}) is no longer available."
        else:
            line.name = product.name
    return result


def add_to_cart(partner: Partner, user: User, lines: Sequence[QuickLine]) -> QuickResult:
    """Add checked lines to the user's cart; a line the cart refuses keeps its reason."""
    result = QuickResult()
    added = carts.add_lines(partner, user, [(line.sku, line.quantity, list(line.options)) for line in lines])
    for line, outcome in zip(lines, added):
        if isinstance(outcome, carts.InvalidConfiguration):
            line.problem = " ".join(outcome.checked.errors.values()) + " Configure it on its product page."
        elif isinstance(outcome, carts.CartError):
            line.problem = " ".join(outcome.fields.values()) or outcome.message
        result.lines.append(line)
    return result


def reorder(partner: Partner, user: User, order: Order) -> QuickResult:
    """Put a past order's lines into the cart again: they are priced at today's prices."""
    lines = [QuickLine(line.position + 1, line.sku, line.quantity, tuple(line.options), name=line.name)
             for line in order.lines]
    products = products_by_sku({line.sku for line in lines})
    for line in lines:
        product = products.get(line.sku)
        if product is None or not product.active:
            line.problem = f"{line.name} ({line.sku}) is no longer available."
    good = add_to_cart(partner, user, [line for line in lines if line.problem is None])
    return QuickResult(good.lines + [line for line in lines if line.problem is not None])
