"""Price book entry rows: validated chunk by chunk with `clean_entries`, diffed, applied."""
from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from catalog.imports import PREVIEW_ROWS, ImportStateError
from catalog.imports.columns import ColumnMap
from catalog.imports.problems import Problems
from catalog.models import Option, PriceBook, PriceBookEntry, Product
from catalog.pricing.books import percent_change
from catalog.services import CatalogError
from catalog.services import pricebooks
from portal.extensions import db
from portal.money import Money
from portal.services import audit

Tiers = tuple[tuple[int, int], ...]
LARGE_CHANGE = Decimal(50)
INSERT_BATCH = 5_000


def load_entries(book_id: int) -> dict[str, tuple[int, Tiers]]:
    """A book's entries as code -> (unit price minor, tiers), in one query."""
    stmt = select(PriceBookEntry.code, PriceBookEntry.unit_price_minor, PriceBookEntry.tiers).where(
        PriceBookEntry.price_book_id == book_id)
    return {code: (unit, tuple((int(q), int(p)) for q, p in (tiers or [])))
            for code, unit, tiers in db.session.execute(stmt)}


def fingerprint(entries: dict[str, tuple[int, Tiers]]) -> str:
    """A hash of a book's entries, to notice a change between validation and apply."""
    digest = hashlib.sha256()
    for code in sorted(entries):
        digest.update(f"{code}\x1f{entries[code]!r}\n".encode())
    return digest.hexdigest()


class EntryCheck:
    """Validates entry rows against the book's currency and diffs them against its entries."""

    def __init__(self, book: PriceBook, problems: Problems) -> None:
        self.book_id, self.currency = book.id, book.currency
        self.problems = problems
        self.old = load_entries(book.id)
        self.fingerprint = fingerprint(self.old)
        self.known = set(db.session.scalars(select(Product.sku))) | set(db.session.scalars(select(Option.code)))
        self.seen: dict[str, int] = {}
        self.cmap: ColumnMap | None = None
        self.counts = {"rows": 0, "added": 0, "changed": 0, "unchanged": 0, "large_changes": 0}
        self.added: list[dict[str, Any]] = []
        self.changed: list[tuple[Decimal, int, dict[str, Any]]] = []
        self.unknown: list[str] = []
        self.unknown_count = 0
        self.max_tiers = 0
        self._seq = itertools.count()

    def start(self, cmap: ColumnMap) -> None:
        """Remember where the columns are."""
        self.cmap = cmap

    def check(self, chunk: list[tuple[int, list[str]]]) -> list[Any]:
        """Validate a chunk; returns its cleaned rows for staging (none once a problem is found)."""
        assert self.cmap is not None
        cmap, rows, numbers, tier_numbers, dups = self.cmap, [], [], [], set()
        code_at, price_at = cmap.index["code"], cmap.index["unit_price"]
        for number, cells in chunk:
            self.problems.check_width(number, cells, cmap.width)
            if len(cells) < cmap.width:
                cells = cells + [""] * (cmap.width - len(cells))
            code = cells[code_at]
            if code in self.seen:
                self.problems.add(number, "code", f"{code} is already priced in row {self.seen[code]}.")
                dups.add(len(rows))
            elif code:
                self.seen[code] = number
            tiers, used = [], []
            for n, qty_at, tier_price_at in cmap.tiers:
                qty, tier_price = cells[qty_at], cells[tier_price_at]
                if qty or tier_price:
                    tiers.append({"min_qty": qty, "unit_price": tier_price})
                    used.append(n)
            rows.append({"code": code, "unit_price": cells[price_at], "tiers": tiers})
            numbers.append(number)
            tier_numbers.append(used)
        try:
            cleaned = pricebooks.clean_entries(rows, self.currency)
        except CatalogError as exc:
            self._report(exc.fields, rows, numbers, tier_numbers, dups)
            return []
        if self.problems:
            return []
        for entry in cleaned:
            self._diff(entry)
        return [[e["code"], e["unit_price_minor"], e["tiers"]] for e in cleaned]

    def _report(self, fields: dict[str, str], rows: list[dict[str, Any]], numbers: list[int],
                tier_numbers: list[list[int]], dups: set[int]) -> None:
        for path, message in fields.items():
            parts = path.split(".")
            i = int(parts[1])
            if len(parts) < 3:
                self.problems.add(numbers[i], "", message)
                continue
            column, raw = parts[2], rows[i]
            if column == "code":
                if i not in dups:
                    self.problems.add(numbers[i], "code", message)
            elif column == "unit_price":
                self.problems.add(numbers[i], "unit_price",
                                  _value_message("unit_price", raw["unit_price"], message))
            elif len(parts) == 3:  # tiers as a whole
                self.problems.add(numbers[i], "tier_qty",
                                  "The same tier quantity appears twice in this row.")
            else:
                n, field = tier_numbers[i][int(parts[3])], parts[4]
                value = raw["tiers"][int(parts[3])][field]
                name = f"tier_qty_{n}" if field == "min_qty" else f"tier_price_{n}"
                if not value:
                    other = f"tier_price_{n}" if field == "min_qty" else f"tier_qty_{n}"
                    text = f"{name} is required when {other} is given."
                else:
                    text = _value_message(name, value, message)
                self.problems.add(numbers[i], name, text)

    def _diff(self, entry: dict[str, Any]) -> None:
        code, unit = entry["code"], entry["unit_price_minor"]
        tiers: Tiers = tuple((q, p) for q, p in entry["tiers"])
        self.counts["rows"] += 1
        self.max_tiers = max(self.max_tiers, len(tiers))
        if code not in self.known:
            self.unknown_count += 1
            if len(self.unknown) < 20:
                self.unknown.append(code)
        before = self.old.pop(code, None)
        if before is None:
            self.counts["added"] += 1
            if len(self.added) < PREVIEW_ROWS:
                self.added.append(self._entry(code, unit, tiers))
            return
        if before == (unit, tiers):
            self.counts["unchanged"] += 1
            return
        self.counts["changed"] += 1
        percent = percent_change(Decimal(before[0]), Decimal(unit))
        if percent is not None and abs(percent) >= LARGE_CHANGE:
            self.counts["large_changes"] += 1
        rank = (Decimal("Infinity") if percent is None else abs(percent), -next(self._seq))
        full = len(self.changed) >= PREVIEW_ROWS
        if full and rank <= self.changed[0][:2]:
            return  # not among the largest changes shown: no need to format it
        item = {"code": code, "old": self._money(before[0]), "new": self._money(unit),
                "percent": None if percent is None else str(percent),
                "tiers": _tier_changes(dict(before[1]), dict(tiers), self._money)}
        (heapq.heapreplace if full else heapq.heappush)(self.changed, (*rank, item))

    def _money(self, minor: int) -> str:
        return Money(minor, self.currency).as_str()

    def _entry(self, code: str, unit: int, tiers: Iterable[tuple[int, int]]) -> dict[str, Any]:
        return {"code": code, "price": self._money(unit),
                "tiers": "; ".join(f"{q}+: {self._money(p)}" for q, p in tiers)}

    def summary(self) -> dict[str, Any]:
        """Counts and previews of the diff (added, changed with % change, removed)."""
        removed_codes = sorted(self.old)
        changed = [item for *_, item in sorted(self.changed, key=lambda k: k[:2], reverse=True)]
        return {**self.counts, "removed": len(removed_codes), "currency": self.currency,
                "fingerprint": self.fingerprint, "max_tiers": self.max_tiers,
                "unknown_codes": self.unknown_count, "unknown_sample": self.unknown,
                "preview": {"added": self.added, "changed": changed,
                            "removed": [self._entry(c, *self.old[c]) for c in removed_codes[:PREVIEW_ROWS]]}}


def _value_message(column: str, value: str, message: str) -> str:
    """A clean_entries message about one cell, worded for a spreadsheet user."""
    if not value:
        return f"{column} is required."
    detail = message.split(" ", 1)[1] if " " in message else message
    shown = value if len(value) <= 30 else value[:27] + "..."
    if "decimal number" in detail or "whole number" in detail:
        hint = " Use a dot for decimals." if "," in value and "decimal" in detail else ""
        return f"{column} {detail.rstrip('.')}, not \"{shown}\".{hint}"
    if detail[:1].isupper():
        return f"{column}: {detail.rstrip('.')} (\"{shown}\")."
    return f"{column} {detail.rstrip('.')}."


def _tier_changes(before: dict[int, int], after: dict[int, int], money: Any) -> str:
    parts = []
    for qty in sorted(before.keys() | after.keys()):
        old, new = before.get(qty), after.get(qty)
        if old == new:
            continue
        if old is None:
            parts.append(f"{qty}+: new {money(new)}")
        elif new is None:
            parts.append(f"{qty}+: removed (was {money(old)})")
        else:
            parts.append(f"{qty}+: {money(old)} → {money(new)}")
    return "; ".join(parts)


def apply(actor: Any, book: PriceBook, summary: dict[str, Any], rows: Iterable[list[Any]],
          source: str = "", job_id: int | None = None, filename: str = "") -> dict[str, int]:
    """Replace the book's entries by the validated rows, refusing if the book changed since.

    The unchanged fingerprint proves the diff computed during validation still holds, so the rows
    are streamed into the table in batches instead of being diffed again in memory."""
    if fingerprint(load_entries(book.id)) != summary.get("fingerprint"):
        raise ImportStateError(
            f"Price book {book.name} changed after this file was checked, so the preview is out of "
            "date: nothing was written. Upload the file again to see the new differences.")
    db.session.execute(delete(PriceBookEntry).where(PriceBookEntry.price_book_id == book.id))
    batch: list[dict[str, Any]] = []
    for code, unit, tiers in rows:
        batch.append({"price_book_id": book.id, "code": code, "unit_price_minor": unit, "tiers": tiers})
        if len(batch) == INSERT_BATCH:
            db.session.execute(insert(PriceBookEntry), batch)
            batch = []
    if batch:
        db.session.execute(insert(PriceBookEntry), batch)
    db.session.flush()
    result = {key: int(summary.get(key, 0)) for key in ("added", "changed", "removed", "unchanged")}
    # one entry for the whole file, however many rows it had
    audit.record(actor, "price_book.entries", book, summary=(
        f"Replaced entries of {book.name}{' from ' + source if source else ''}: {result['added']} added, "
        f"{result['changed']} changed, {result['removed']} removed"), after={
        "created": result["added"], "updated": result["changed"], "removed": result["removed"],
        "skipped": result["unchanged"], "file": filename or None, "job_id": job_id})
    return result
