"""Price books and entries, tier discounts, contract prices; diffs between books."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from catalog.models import ContractPrice, PriceBook, PriceBookEntry, TierDiscount
from catalog.pricing import BookDiff, EntryData, diff_books
from catalog.pricing.data import stored_entry
from catalog.services import CatalogError, price_rules
from catalog.services.lookup import in_list
from catalog.services.price_values import (
    clean_entries,
    parse_day,
    require_list,
    to_minor,
)
from portal.choices import check_currency
from portal.extension_points import registry
from portal.extensions import db
from portal.models import PARTNER_TIERS, Partner
from portal.money import minor_digits
from portal.services import audit
from portal.validation import parse_percent


def clean_book(data: Mapping[str, Any], book: PriceBook | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if book is None or "name" in data:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 200:
            errors["name"] = "A name of 1-200 characters is required."
        out["name"] = name
    if book is None or "currency" in data:
        try:
            out["currency"] = check_currency(str(data.get("currency") or ""))
        except ValueError as exc:
            errors["currency"] = str(exc)
    if book is None or "valid_from" in data:
        out["valid_from"] = parse_day(data.get("valid_from"), "valid_from", errors, required=True)
    if book is None or "valid_to" in data:
        out["valid_to"] = parse_day(data.get("valid_to"), "valid_to", errors)
    start = out.get("valid_from") or (book.valid_from if book else None)
    end = out["valid_to"] if "valid_to" in out else (book.valid_to if book else None)
    if start and end and end < start and "valid_to" not in errors:
        errors["valid_to"] = "valid_to must not be before valid_from."
    currency = out.get("currency") or (book.currency if book else None)
    if start and currency and not errors:
        other = price_rules.same_start(currency, start, book.id if book else None)
        if other is not None:
            message = price_rules.same_start_message(other)
            raise CatalogError(message, fields={"valid_from": message}, code="price_book_same_start")
    if errors:
        raise CatalogError("The price book could not be saved: check the fields.", fields=errors)
    return out


def create_price_book(actor: Any, data: Mapping[str, Any]) -> PriceBook:
    values = clean_book(data)
    entries = clean_entries(data.get("entries") or [], values["currency"])
    book = PriceBook(**values)
    with _one_book_per_start(book.currency, book.valid_from):
        db.session.add(book)
    _insert_entries(book, entries)
    audit.record(actor, "price_book.create", book, summary=f"Created price book {book.name} "
                 f"({book.currency}, from {book.valid_from}) with {len(entries)} entries")
    return book


def update_price_book(actor: Any, book: PriceBook, data: Mapping[str, Any]) -> PriceBook:
    fields = ("name", "currency", "valid_from", "valid_to")
    before = audit.snapshot(book, fields)
    values = clean_book(data, book)
    if "currency" in values and values["currency"] != book.currency and entry_count(book):
        raise CatalogError("A price book with entries cannot change currency.",
                           fields={"currency": "Create a new price book for another currency."})
    with _one_book_per_start(values.get("currency", book.currency), values.get("valid_from", book.valid_from)):
        for key, value in values.items():
            setattr(book, key, value)
    audit.record(actor, "price_book.update", book, before=before, after=audit.snapshot(book, fields),
                 summary=f"Updated price book {book.name}")
    return book


@contextmanager
def _one_book_per_start(currency: str, start: date) -> Iterator[None]:
    """Make the book's changes and flush them in a savepoint: a book of the same currency and
    start saved at the same moment by someone else trips the unique constraint, which becomes the
    same 422. (The changes go inside: `begin_nested` flushes what is pending before the savepoint.)"""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        other = price_rules.same_start(currency, start)
        message = (price_rules.same_start_message(other) if other is not None else
                   f"Another price book in {currency} starts on {start.isoformat()}: choose another date.")
        raise CatalogError(message, fields={"valid_from": message}, code="price_book_same_start") from None


def replace_entries(actor: Any, book: PriceBook, rows: Sequence[Mapping[str, Any]]) -> BookDiff:
    """Replace all entries at once (validated first; nothing changes when a row is bad)."""
    entries = clean_entries(rows, book.currency)
    return apply_entries(actor, book, entries)


def apply_entries(actor: Any, book: PriceBook, entries: list[dict[str, Any]]) -> BookDiff:
    """Write already-validated entries in place of the book's; returns the diff."""
    change = diff_books(entry_data(book), [to_entry_data(e, book.currency) for e in entries])
    db.session.execute(delete(PriceBookEntry).where(PriceBookEntry.price_book_id == book.id))
    _insert_entries(book, entries)
    audit.record(actor, "price_book.entries", book, summary=(
        f"Replaced entries of {book.name}: {len(change.added)} added, {len(change.changed)} changed, "
        f"{len(change.removed)} removed"))
    return change


def _insert_entries(book: PriceBook, entries: list[dict[str, Any]]) -> None:
    rows = [{"price_book_id": book.id, **e} for e in entries]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(PriceBookEntry), rows[start:start + 5000])
    db.session.flush()


def entry_count(book: PriceBook) -> int:
    return db.session.scalar(select(func.count()).where(PriceBookEntry.price_book_id == book.id)) or 0


def entry_from_row(code: str, unit_minor: int, tiers: Sequence[Sequence[int]] | None,
                   currency: str) -> EntryData:
    """An entry held in minor units (stored, or already cleaned) as pricing data in major units."""
    shift = -minor_digits(currency)
    return stored_entry(code, Decimal(unit_minor).scaleb(shift),
                        tuple((int(q), Decimal(p).scaleb(shift)) for q, p in sorted(tiers or ())))


def to_entry_data(entry: Mapping[str, Any], currency: str) -> EntryData:
    """A cleaned entry (see `clean_entries`) as pricing data."""
    return entry_from_row(entry["code"], entry["unit_price_minor"], entry.get("tiers"), currency)


def entry_data(book: Any, codes: Iterable[str] | None = None) -> dict[str, EntryData]:
    """The book's entries (all, or only `codes`) as pricing data, in one query; `book` is a
    PriceBook or PriceBookData (only its id and currency are used)."""
    stmt = select(PriceBookEntry.code, PriceBookEntry.unit_price_minor, PriceBookEntry.tiers).where(
        PriceBookEntry.price_book_id == book.id)
    if codes is not None:
        stmt = stmt.where(in_list(PriceBookEntry.code, set(codes)))
    return {code: entry_from_row(code, unit, tiers, book.currency)
            for code, unit, tiers in db.session.execute(stmt)}


def book_in_force(currency: str, on: date) -> PriceBook | None:
    """The currency's book valid on `on` (latest valid_from), ignoring partner assignments."""
    return db.session.scalar(select(PriceBook).where(
        PriceBook.currency == currency, PriceBook.valid_from <= on,
        (PriceBook.valid_to.is_(None)) | (PriceBook.valid_to >= on),
    ).order_by(PriceBook.valid_from.desc(), PriceBook.id.desc()).limit(1))


def diff_against_current(book: PriceBook, on: date) -> tuple[PriceBook | None, BookDiff]:
    """A prepared (future) book against the book of its currency in force on `on`."""
    current = book_in_force(book.currency, on)
    if current is not None and current.id == book.id:
        current = None
    old = entry_data(current) if current is not None else {}
    return current, diff_books(old, entry_data(book))


def set_tier_discounts(actor: Any, rows: Sequence[Mapping[str, Any]]) -> list[TierDiscount]:
    """Replace every tier discount (all-or-nothing)."""
    errors: dict[str, str] = {}
    clean: dict[tuple[str, str], Decimal] = {}
    require_list(rows, "discounts")
    for i, row in enumerate(rows):
        path = f"discounts.{i}"
        if not isinstance(row, Mapping):
            errors[path] = "Must be an object."
            continue
        tier = str(row.get("tier") or "").strip().lower()
        family = str(row.get("family") or "").strip().lower()
        if tier not in PARTNER_TIERS:
            errors[f"{path}.tier"] = f"tier must be one of: {', '.join(PARTNER_TIERS)}"
        if not family or len(family) > 64:
            errors[f"{path}.family"] = "A product family is required."
        try:
            percent = parse_percent(row.get("percent"))
        except ValueError as exc:
            errors[f"{path}.percent"] = f"percent {exc}"
            continue
        if (tier, family) in clean:
            errors[path] = f"{tier}/{family} is listed twice."
        clean[(tier, family)] = percent
    if errors:
        raise CatalogError("The tier discounts were not saved: check the rows.", fields=errors)
    db.session.execute(delete(TierDiscount))
    items = [TierDiscount(tier=t, family=f, percent=p) for (t, f), p in sorted(clean.items())]
    db.session.add_all(items)
    db.session.flush()
    audit.record(actor, "tier_discounts.replace", None, summary=f"Set {len(items)} tier discounts",
                 after={f"{t}/{f}": str(p) for (t, f), p in sorted(clean.items())})
    return items


def set_contract_prices(partner: Partner, actor: Any, rows: Sequence[Mapping[str, Any]]) -> list[ContractPrice]:
    """Replace all of a partner's contract prices (in the partner's currency; all-or-nothing)."""
    errors: dict[str, str] = {}
    items: list[ContractPrice] = []
    require_list(rows, "prices")
    for i, row in enumerate(rows):
        path = f"prices.{i}"
        if not isinstance(row, Mapping):
            errors[path] = "Must be an object."
            continue
        code = str(row.get("code") or "").strip()
        if not code or len(code) > 64:
            errors[f"{path}.code"] = "A code (SKU or option code) is required."
        try:
            unit = to_minor(row.get("unit_price"), partner.currency)
        except ValueError as exc:
            errors[f"{path}.unit_price"] = f"unit_price {exc}"
            continue
        start = parse_day(row.get("valid_from"), f"{path}.valid_from", errors)
        end = parse_day(row.get("valid_to"), f"{path}.valid_to", errors)
        if start and end and end < start:
            errors[f"{path}.valid_to"] = "valid_to must not be before valid_from."
        items.append(ContractPrice(partner_id=partner.id, code=code, unit_price_minor=unit,
                                   currency=partner.currency, valid_from=start, valid_to=end))
    written = {i: str(row.get("code") or "").strip() for i, row in enumerate(rows) if isinstance(row, Mapping)}
    codes = price_rules.check_codes(c for c in written.values() if len(c) <= 64)
    for i, code in written.items():
        problem = codes.message(code) if code and len(code) <= 64 else None
        if problem and f"prices.{i}.code" not in errors:
            errors[f"prices.{i}.code"] = problem
    if errors:
        raise CatalogError("The contract prices were not saved: check the rows.", fields=errors)
    db.session.execute(delete(ContractPrice).where(ContractPrice.partner_id == partner.id))
    db.session.add_all(items)
    db.session.flush()
    audit.record(actor, "contract_prices.replace", partner, partner_id=partner.id,
                 summary=f"Set {len(items)} contract prices for {partner.name}")
    return items


def contract_prices_of(partner: Partner, codes: Iterable[str] | None = None) -> list[ContractPrice]:
    stmt = ContractPrice.for_partner(partner).order_by(ContractPrice.code, ContractPrice.valid_from)
    if codes is not None:
        stmt = stmt.where(ContractPrice.code.in_(list(set(codes))))
    return list(db.session.scalars(stmt))


def _check_price_book(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        book = db.session.get(PriceBook, int(value))
    except (TypeError, ValueError):
        book = None
    if book is None:
        raise ValueError("no such price book")
    return book.id


def init_app(app: Flask) -> None:
    """A partner's `price_book_id` is checked here (portal's partner service asks the registry)."""
    registry(app).partner_fields["price_book_id"] = _check_price_book
