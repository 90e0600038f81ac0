"""Rules between price books and between prices: one start date per currency, volume prices that
never rise with quantity, contract prices only for codes that exist. See docs/catalog.md."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from catalog.models import Option, PriceBook, Product
from catalog.services.lookup import in_list
from portal.extensions import db
from portal.models import Partner
from portal.money import Money


def same_start(currency: str, valid_from: date, exclude_id: int | None = None) -> PriceBook | None:
    """Another book of the currency that starts on the same day (the precedence between two such
    books would be arbitrary, so the second one is refused)."""
    stmt = select(PriceBook).where(PriceBook.currency == currency, PriceBook.valid_from == valid_from)
    if exclude_id is not None:
        stmt = stmt.where(PriceBook.id != exclude_id)
    return db.session.scalar(stmt.order_by(PriceBook.id).limit(1))


def same_start_message(other: PriceBook) -> str:
    return (f"Price book \"{other.name}\" (#{other.id}) already starts on {other.valid_from.isoformat()} "
            f"in {other.currency}: choose another start date, or change that book instead.")


def tier_problems(unit_minor: int, tiers: Sequence[tuple[int, int, int]], currency: str) -> dict[int, str]:
    """Volume prices `(position, min_qty, unit_minor)` that rise with quantity: above the base unit
    price, or above the price of a tier with a lower min_qty. Returns position -> message; equal
    prices are allowed."""
    def text(minor: int) -> str:
        return Money(minor, currency).as_str()

    problems: dict[int, str] = {}
    previous_qty, previous_price = 1, unit_minor
    for position, qty, price in sorted(tiers, key=lambda t: t[1]):
        if price > unit_minor:
            problems[position] = (f"unit_price {text(price)} must not be above the base unit price "
                                  f"{text(unit_minor)}: volume prices may not rise with quantity.")
        elif price > previous_price:
            problems[position] = (f"unit_price {text(price)} must not be above the price for {previous_qty}+ "
                                  f"({text(previous_price)}): volume prices may not rise with quantity.")
        else:
            previous_qty, previous_price = qty, price
    return problems


@dataclass(frozen=True)
class CodeCheck:
    """Which of some codes are a product SKU or an option code, exactly as written."""

    known: frozenset[str]
    spelled: dict[str, str]  # lower-cased code -> the existing code, for a hint on a case mistake

    def message(self, code: str) -> str | None:
        if code in self.known:
            return None
        hint = self.spelled.get(code.lower())
        if hint:
            return f"No product or option has the code {code}; did you mean {hint}?"
        return f"No product or option has the code {code}."


def check_codes(codes: Iterable[str]) -> CodeCheck:
    """Look the codes up in two queries (SKUs, option codes), whatever their number."""
    codes = {c for c in codes if c}
    if not codes:
        return CodeCheck(frozenset(), {})
    lowered = {c.lower() for c in codes}
    found: set[str] = set()
    for column in (Product.sku, Option.code):
        found.update(db.session.scalars(select(column).where(in_list(func.lower(column), lowered)).distinct()))
    return CodeCheck(frozenset(found & codes), {c.lower(): c for c in sorted(found)})


def precedence(books: Sequence[PriceBook], today: date) -> dict[int, str]:
    """For each book, in words, where it stands among the books of its currency: which book it
    replaces or is replaced by, and from when (the latest start on or before a day wins)."""
    currencies = {b.currency for b in books}
    if not currencies:
        return {}
    rows = db.session.execute(select(PriceBook.id, PriceBook.name, PriceBook.currency, PriceBook.valid_from,
                                     PriceBook.valid_to).where(PriceBook.currency.in_(currencies))).all()

    def valid(row, on: date) -> bool:
        return row.valid_from <= on and (row.valid_to is None or on <= row.valid_to)

    def winner(currency: str, on: date, exclude: int | None = None):
        found = [r for r in rows if r.currency == currency and r.id != exclude and valid(r, on)]
        return max(found, key=lambda r: r.valid_from) if found else None

    notes: dict[int, str] = {}
    for book in books:
        current = winner(book.currency, today)
        later = sorted((r for r in rows if r.currency == book.currency and r.valid_from > max(today, book.valid_from)
                        and (book.valid_to is None or r.valid_from <= book.valid_to)), key=lambda r: r.valid_from)
        if book.valid_to is not None and book.valid_to < today:
            notes[book.id] = f"Ended on {book.valid_to.isoformat()}."
        elif book.valid_from > today:
            before = winner(book.currency, book.valid_from, exclude=book.id)
            notes[book.id] = (f"Replaces \"{before.name}\" from {book.valid_from.isoformat()}." if before
                              else f"The {book.currency} book from {book.valid_from.isoformat()}.")
        elif current is not None and current.id == book.id:
            notes[book.id] = (f"Applies to {book.currency} partners today; \"{later[0].name}\" takes over on "
                              f"{later[0].valid_from.isoformat()}." if later else
                              f"Applies to {book.currency} partners today.")
        elif current is not None:
            notes[book.id] = (f"Replaced by \"{current.name}\" since {current.valid_from.isoformat()}; "
                              "applies only to partners assigned to it.")
    return notes


def assigned_counts(book_ids: Iterable[int]) -> dict[int, int]:
    """How many partners are assigned each book (their book whenever it is valid)."""
    ids = list(book_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Partner.price_book_id, func.count()).where(
        Partner.price_book_id.in_(ids)).group_by(Partner.price_book_id)).all())
