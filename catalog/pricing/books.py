"""Price book selection, volume tiers, and the diff between two books' entries."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from catalog.pricing.data import (
    HUNDRED, EntryData, InvalidQuantity, NoPriceBook, PriceBookData,
)
from portal.validation import ABOVE_MAX, QuantityError, parse_quantity


def select_price_book(books: Iterable[PriceBookData], currency: str, on: date,
                      assigned_id: int | None = None) -> PriceBookData:
    """The price book that applies to a partner with this currency (and assigned book) on a date.

    Rules (DOMAIN.md "Price books"):
    - The partner's assigned book wins when it is valid on the date, whatever its currency.
    - An assigned book that is not valid on the date (expired, not yet started) or not among
      `books` is skipped: the partner falls back to the standard rule below rather than being
      unable to price anything. The caller can compare `result.id` with `assigned_id` to warn.
    - Otherwise: the books in `currency` whose validity covers the date; `valid_from` and
      `valid_to` are both inclusive (`valid_to` is the last day the book applies). Among several,
      the latest `valid_from` wins; on a tie, the highest id (the most recently created).
    - Nothing found: `NoPriceBook`, never a zero price.
    """
    books = list(books)
    if assigned_id is not None:
        for book in books:
            if book.id == assigned_id and book.is_valid_on(on):
                return book
    candidates = [b for b in books if b.currency == currency and b.is_valid_on(on)]
    if not candidates:
        raise NoPriceBook(f"No price book in {currency} is valid on {on.isoformat()}")
    return max(candidates, key=lambda b: (b.valid_from, b.id))


def check_quantity(quantity: object) -> int:
    """The quantity if it is a whole number of at least 1, else InvalidQuantity. The engine prices
    any such quantity: the upper bound (MAX_QUANTITY) is the services' rule, not a pricing one."""
    try:
        return parse_quantity(quantity, strings=False)
    except QuantityError as exc:
        if exc.reason == ABOVE_MAX:
            return quantity  # type: ignore[return-value] - a whole number above the services' bound
        raise InvalidQuantity(f"Quantity must be a whole number of at least 1, not {quantity!r}") from None


def tier_for_quantity(entry: EntryData, quantity: int) -> tuple[int, Decimal]:
    """(min_qty, unit price) of the tier used: largest min_qty <= quantity; base is min_qty 1."""
    check_quantity(quantity)
    chosen = (1, entry.unit_price)
    for min_qty, price in entry.tiers:  # sorted ascending by min_qty
        if min_qty <= quantity:
            chosen = (min_qty, price)
    return chosen


def unit_for_quantity(entry: EntryData, quantity: int) -> Decimal:
    """The entry's unit price for a quantity (volume tier or base price)."""
    return tier_for_quantity(entry, quantity)[1]


@dataclass(frozen=True, slots=True)
class TierChange:
    """A volume tier added (old None), removed (new None) or repriced."""

    min_qty: int
    old_unit: Decimal | None
    new_unit: Decimal | None


@dataclass(frozen=True, slots=True)
class EntryChange:
    """An entry present in both books whose base price or tiers differ."""

    code: str
    old_unit: Decimal
    new_unit: Decimal
    percent_change: Decimal | None  # of the base price, 1 decimal half-up; None if old was 0
    tier_changes: tuple[TierChange, ...]


@dataclass(frozen=True, slots=True)
class BookDiff:
    """Entries added, removed and changed from an old book to a new one, sorted by code."""

    added: tuple[EntryData, ...]
    removed: tuple[EntryData, ...]
    changed: tuple[EntryChange, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        """Whether the two books price everything identically."""
        return not (self.added or self.removed or self.changed)


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """Change from old to new in percent, rounded half-up to 1 decimal; None when old is 0."""
    if old == 0:
        return None
    return ((new - old) * HUNDRED / old).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _by_code(entries: Mapping[str, EntryData] | Iterable[EntryData]) -> dict[str, EntryData]:
    values = entries.values() if isinstance(entries, Mapping) else entries
    return {entry.code: entry for entry in values}


def _tier_changes(old: EntryData, new: EntryData) -> tuple[TierChange, ...]:
    old_tiers, new_tiers = dict(old.tiers), dict(new.tiers)
    changes = []
    for min_qty in sorted(old_tiers.keys() | new_tiers.keys()):
        before, after = old_tiers.get(min_qty), new_tiers.get(min_qty)
        if before is None or after is None or before != after:  # Decimal compares by value
            changes.append(TierChange(min_qty, before, after))
    return tuple(changes)


def diff_books(old_entries: Mapping[str, EntryData] | Iterable[EntryData],
               new_entries: Mapping[str, EntryData] | Iterable[EntryData]) -> BookDiff:
    """Compare two books' entries (future book preview, import preview)."""
    old, new = _by_code(old_entries), _by_code(new_entries)
    added = tuple(new[c] for c in sorted(new.keys() - old.keys()))
    removed = tuple(old[c] for c in sorted(old.keys() - new.keys()))
    changed, unchanged = [], 0
    for code in sorted(old.keys() & new.keys()):
        before, after = old[code], new[code]
        tiers = _tier_changes(before, after)
        if before.unit_price == after.unit_price and not tiers:
            unchanged += 1
            continue
        changed.append(EntryChange(code, before.unit_price, after.unit_price,
                                   percent_change(before.unit_price, after.unit_price), tiers))
    return BookDiff(added, removed, tuple(changed), unchanged)
