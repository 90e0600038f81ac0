"""Staff pages of price books: list with status, create, edit, entries, one-entry edits, diff."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from catalog.forms import EntryForm, PriceBookForm, show_entry_errors
from catalog.models import Option, PriceBook, PriceBookEntry, Product
from catalog.services import price_rules
from catalog.services import pricebooks as book_service
from catalog.staff_views import CATALOG_EDITORS, CATALOG_READERS, bp, can_edit_catalog
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import apply_domain_error, form_data
from portal.listing import apply_sort, page_params, paginate
from portal.money import Money
from portal.permissions import roles_required

FIELDS = ("name", "currency", "valid_from", "valid_to")
SORTS = {"name": PriceBook.name, "currency": PriceBook.currency, "valid_from": PriceBook.valid_from,
         "valid_to": PriceBook.valid_to}
# Single-entry edits rewrite the whole book through replace_entries; bigger books use the import.
ENTRY_EDIT_LIMIT = 2000
DIFF_ROWS = 1000
TIER_BLANK_ROWS = 3

NAV = (NavItem("Price books", "catalog_staff.price_books", "tags", CATALOG_READERS, 65, menu="Products"),)


def book_status(book: PriceBook, today: date, in_force_ids: set[int]) -> str:
    """future, expired, in force (the currency's book today) or superseded (valid, but a later
    book of the same currency wins; it still applies to partners assigned to it)."""
    if book.valid_from > today:
        return "future"
    if book.valid_to is not None and book.valid_to < today:
        return "expired"
    return "in force" if book.id in in_force_ids else "superseded"


def in_force_ids(currencies: Iterable[str], today: date) -> set[int]:
    return {b.id for b in (book_service.book_in_force(c, today) for c in set(currencies)) if b is not None}


def _entry_counts(book_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(select(PriceBookEntry.price_book_id, func.count()).where(
        PriceBookEntry.price_book_id.in_(book_ids)).group_by(PriceBookEntry.price_book_id)).all())


@bp.get("/price-books")
def price_books():
    args = request.args
    stmt = select(PriceBook)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(PriceBook.name.ilike(f"%{q}%"))
    currency = (args.get("currency") or "").strip().upper()
    if currency:
        stmt = stmt.where(PriceBook.currency == currency)
    stmt, sort = apply_sort(stmt, args.get("sort") or "-valid_from", SORTS, "-valid_from", tiebreak=PriceBook.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    today = date.today()
    current = in_force_ids((b.currency for b in result.items), today)
    currencies = db.session.scalars(select(PriceBook.currency).distinct().order_by(PriceBook.currency)).all()
    return render_template(
        "admin/catalog/price_books.html", page=result, today=today, currencies=currencies,
        counts=_entry_counts([b.id for b in result.items]), can_edit=can_edit_catalog(),
        statuses={b.id: book_status(b, today, current) for b in result.items},
        precedence=price_rules.precedence(result.items, today),
        assigned=price_rules.assigned_counts(b.id for b in result.items))


def _book_form(book: PriceBook | None = None) -> PriceBookForm:
    form = PriceBookForm()
    if book is not None and request.method == "GET":
        form.name.data, form.currency.data = book.name, book.currency
        form.valid_from.data = book.valid_from.isoformat()
        form.valid_to.data = book.valid_to.isoformat() if book.valid_to else ""
    return form


def _save_book(form: PriceBookForm, book: PriceBook | None) -> tuple[PriceBook | None, int]:
    data = form_data(form, FIELDS)
    data["valid_to"] = data["valid_to"] or None
    try:
        if book is None:
            book = book_service.create_price_book(current_user, data)
        else:
            book_service.update_price_book(current_user, book, data)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None, exc.status
    db.session.commit()
    return book, 200


@bp.route("/price-books/new", methods=["GET", "POST"])
@roles_required(*CATALOG_EDITORS)
def new_price_book():
    form = _book_form()
    status = 200
    if form.validate_on_submit():
        book, status = _save_book(form, None)
        if book is not None:
            flash(f"Price book {book.name} is created: add entries or import them.", "success")
            return redirect(url_for("catalog_staff.price_book_detail", book_id=book.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/catalog/price_book_form.html", form=form, book=None), status


@bp.route("/price-books/<id:book_id>/edit", methods=["GET", "POST"])
@roles_required(*CATALOG_EDITORS)
def edit_price_book(book_id: int):
    book = get_or_404(PriceBook, book_id)
    form = _book_form(book)
    status = 200
    if form.validate_on_submit():
        saved, status = _save_book(form, book)
        if saved is not None:
            flash(f"Price book {book.name} is updated.", "success")
            return redirect(url_for("catalog_staff.price_book_detail", book_id=book.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/catalog/price_book_form.html", form=form, book=book), status


def _names(codes: list[str]) -> dict[str, str]:
    """What each code is: a product's name, or an option's name and product."""
    names = {sku: name for sku, name in db.session.execute(
        select(Product.sku, Product.name).where(Product.sku.in_(codes)))}
    options: dict[str, tuple[str, list[str]]] = {}
    for code, name, sku in db.session.execute(select(Option.code, Option.name, Product.sku).join(
            Product, Option.product_id == Product.id).where(Option.code.in_(codes)).order_by(Product.sku)):
        options.setdefault(code, (name, []))[1].append(sku)
    for code, (name, skus) in options.items():
        names.setdefault(code, f"{name} (option of {', '.join(skus)})")
    return names


def _tiers(tiers: list[list[int]], currency: str) -> list[tuple[int, Money]]:
    return [(int(q), Money(int(p), currency)) for q, p in tiers or []]


@bp.get("/price-books/<id:book_id>")
def price_book_detail(book_id: int):
    book = get_or_404(PriceBook, book_id)
    stmt = select(PriceBookEntry).where(PriceBookEntry.price_book_id == book.id)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(PriceBookEntry.code.ilike(f"%{q}%"))
    page, per_page = page_params(request.args, 50, 200)
    result = paginate(stmt.order_by(PriceBookEntry.code), page, per_page)
    today = date.today()
    rows = [(e, Money(e.unit_price_minor, book.currency), _tiers(e.tiers, book.currency)) for e in result.items]
    count = book_service.entry_count(book)
    return render_template(
        "admin/catalog/price_book_detail.html", book=book, page=result, rows=rows, entry_count=count,
        names=_names([e.code for e in result.items]), can_edit=can_edit_catalog(),
        status=book_status(book, today, in_force_ids([book.currency], today)),
        can_edit_entries=count <= ENTRY_EDIT_LIMIT)


def _stored_rows(book: PriceBook, skip: str | None = None) -> list[dict[str, Any]]:
    """The book's entries as replace_entries rows (major-unit strings), leaving out `skip`."""
    stmt = select(PriceBookEntry).where(PriceBookEntry.price_book_id == book.id).order_by(PriceBookEntry.code)
    return [_entry_row(e, book.currency) for e in db.session.scalars(stmt) if e.code != skip]


def _entry_row(entry: PriceBookEntry, currency: str) -> dict[str, Any]:
    def text(minor: int) -> str:
        return Money(int(minor), currency).as_str()

    return {"code": entry.code, "unit_price": text(entry.unit_price_minor),
            "tiers": [{"min_qty": str(q), "unit_price": text(p)} for q, p in entry.tiers or []]}


def _editable_book(book_id: int) -> PriceBook:
    book = get_or_404(PriceBook, book_id)
    if book_service.entry_count(book) > ENTRY_EDIT_LIMIT:
        abort(409)
    return book


@bp.route("/price-books/<id:book_id>/entry", methods=["GET", "POST"])
@roles_required(*CATALOG_EDITORS)
def edit_entry(book_id: int):
    book = _editable_book(book_id)
    code = (request.args.get("code") or "").strip()
    entry = db.session.scalar(select(PriceBookEntry).where(
        PriceBookEntry.price_book_id == book.id, PriceBookEntry.code == code)) if code else None
    if request.method == "GET":
        form = EntryForm(data=_entry_row(entry, book.currency) if entry is not None else {"code": code})
    else:
        form = EntryForm()
    for _ in range(max(0, TIER_BLANK_ROWS - sum(1 for t in form.tiers if t.form.blank()))):
        form.tiers.append_entry()
    status = 200
    if form.validate_on_submit():
        row, tier_rows = form.payload()
        rows = _stored_rows(book, skip=entry.code if entry is not None else None)
        new_code = str(row["code"] or "").strip()
        try:
            if any(r["code"] == new_code for r in rows):
                raise DomainError(f"{new_code} is already priced in this book.",
                                  fields={f"entries.{len(rows)}.code": "Already priced in this book: edit that entry."})
            book_service.replace_entries(current_user, book, rows + [row])
        except DomainError as exc:
            db.session.rollback()
            show_entry_errors(form, exc, len(rows), tier_rows)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{new_code} is saved in {book.name}.", "success")
            return redirect(url_for("catalog_staff.price_book_detail", book_id=book.id, q=new_code))
    elif request.method == "POST":
        status = 400
    return render_template("admin/catalog/entry_form.html", form=form, book=book, entry=entry), status


@bp.post("/price-books/<id:book_id>/entry/remove")
@roles_required(*CATALOG_EDITORS)
def remove_entry(book_id: int):
    book = _editable_book(book_id)
    code = (request.form.get("code") or "").strip()
    rows = _stored_rows(book)
    kept = [r for r in rows if r["code"] != code]
    if len(kept) == len(rows):
        abort(404)
    book_service.replace_entries(current_user, book, kept)
    db.session.commit()
    flash(f"{code} is removed from {book.name}.", "success")
    return redirect(url_for("catalog_staff.price_book_detail", book_id=book.id))


def _compared_on(book: PriceBook, today: date) -> date:
    """A future book is compared with today's book; any other with the book it replaced."""
    return today if book.valid_from > today else book.valid_from - timedelta(days=1)


@bp.get("/price-books/<id:book_id>/diff")
def price_book_diff(book_id: int):
    book = get_or_404(PriceBook, book_id)
    on = _compared_on(book, date.today())
    current, diff = book_service.diff_against_current(book, on)

    def money(value: Decimal | None) -> Money | None:
        return None if value is None else Money.from_decimal(value, book.currency)

    return render_template("admin/catalog/price_book_diff.html", book=book, current=current, diff=diff, on=on,
                           money=money, limit=DIFF_ROWS, can_import=can_edit_catalog())
