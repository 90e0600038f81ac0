"""The file formats: expected columns per import kind, and mapping a header row onto them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.imports import MAX_TIERS, ImportFileError

ENTRY_COLUMNS = ("code", "unit_price")
PRODUCT_REQUIRED = ("sku", "name", "family")
PRODUCT_OPTIONAL = ("description", "unit", "active")
TIER = re.compile(r"^tier_(qty|price)_(\d{1,3})$")


@dataclass
class ColumnMap:
    """Where each known column is in the file (0-based), tier pairs by tier number."""

    kind: str
    index: dict[str, int]
    tiers: list[tuple[int, int, int]] = field(default_factory=list)  # (n, qty index, price index)
    width: int = 0

    def has(self, name: str) -> bool:
        """Whether the file has this column."""
        return name in self.index


def normalise(name: str) -> str:
    """A header cell as a column name: case-insensitive, spaces and dashes count as '_'."""
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


def expected(kind: str) -> str:
    """The expected columns in words, for error messages and the upload page."""
    if kind == "products":
        return f"{', '.join(PRODUCT_REQUIRED)} (required), {', '.join(PRODUCT_OPTIONAL)} (optional)"
    return "code, unit_price (required), then optional pairs tier_qty_1, tier_price_1, tier_qty_2, ..."


def map_header(kind: str, header: list[str], where: str = "") -> ColumnMap:
    """Map a header row; missing, unknown, duplicated or unpaired columns are one clear error."""
    names = [normalise(h) for h in header]
    while names and not names[-1]:
        names.pop()
    index: dict[str, int] = {}
    problems: list[str] = []
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        problems.append(f"listed twice: {', '.join(twice)}")
    known = set(ENTRY_COLUMNS) if kind == "price_book_entries" else set(PRODUCT_REQUIRED + PRODUCT_OPTIONAL)
    unknown, tier_cols = [], {}
    for position, name in enumerate(names):
        if not name:
            continue
        match = TIER.match(name) if kind == "price_book_entries" else None
        if name in known:
            index.setdefault(name, position)
        elif match and 1 <= int(match.group(2)) <= MAX_TIERS:
            tier_cols[(match.group(1), int(match.group(2)))] = position
        else:
            unknown.append(header[position].strip())
    required = ENTRY_COLUMNS if kind == "price_book_entries" else PRODUCT_REQUIRED
    missing = [c for c in required if c not in index]
    if missing:
        problems.insert(0, f"missing: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown: {', '.join(unknown)}")
    numbers = sorted({n for _, n in tier_cols})
    unpaired = [f"tier_{'price' if ('qty', n) in tier_cols else 'qty'}_{n}" for n in numbers
                if (("qty", n) in tier_cols) != (("price", n) in tier_cols)]
    if unpaired:
        problems.append(f"each tier needs both columns, add: {', '.join(unpaired)}")
    if problems:
        place = f" in {where}" if where else ""
        raise ImportFileError(f"The columns{place} do not match the {kind.replace('_', ' ')} format "
                              f"({'; '.join(problems)}). Expected: {expected(kind)}.")
    tiers = [(n, tier_cols[("qty", n)], tier_cols[("price", n)]) for n in numbers]
    return ColumnMap(kind, index, tiers, width=len(names))
