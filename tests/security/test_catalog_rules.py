"""Issue 14, catalog rules: one price book per currency and start date (API, HTML, races), contract
prices only for codes that exist, volume prices that never rise with quantity (API, HTML, import)."""
from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from catalog.models import ImportJob, PriceBook, PriceBookEntry
from catalog.services import pricebooks
from catalog.services import products as product_service
from portal.extensions import db
from tests.admin.test_catalog_admin import field_errors, value_of
from tests.conftest import TEST_DB_URL

TODAY = date.today()


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path))
    return tmp_path


def book_body(name: str, start: date, currency: str = "EUR", **extra):
    return {"name": name, "currency": currency, "valid_from": start.isoformat(), **extra}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- 1. price books of one currency may not start on the same day ----------------------------

def test_the_api_refuses_a_second_book_starting_the_same_day(two_partners, api):
    ops = api(two_partners.ops)
    first = ops.post("/price-books", book_body("EUR 2027", date(2027, 1, 1)))
    assert first.status_code == 201, first.json
    r = ops.post("/price-books", book_body("EUR 2027 bis", date(2027, 1, 1),
                                           entries=[{"code": "X", "unit_price": "1.00"}]))
    assert r.status_code == 422
    error = r.json["error"]
    assert error["code"] == "price_book_same_start"
    assert f'"EUR 2027" (#{first.json["id"]})' in error["fields"]["valid_from"]
    assert count(PriceBook) == 1 and count(PriceBookEntry) == 0  # nothing half-written
    # another currency, or another day, is fine: the latest start wins, without a tie
    assert ops.post("/price-books", book_body("USD 2027", date(2027, 1, 1), currency="USD")).status_code == 201
    assert ops.post("/price-books", book_body("EUR 2027 H2", date(2027, 7, 1))).status_code == 201


@pytest.mark.postgres_only
@pytest.mark.skipif(not TEST_DB_URL.startswith("postgresql"), reason="two real transactions: PostgreSQL")
def test_two_books_created_at_the_same_moment_one_is_a_422_never_a_500(app):
    """The second transaction passed the pre-check before the first committed: the unique index
    makes it wait, then it gets the same 422 as a late request, and writes nothing."""
    from portal.errors import DomainError
    from tests.orders.committed import make_app, restore_celery

    other = make_app(TEST_DB_URL, SQLALCHEMY_ENGINE_OPTIONS={})
    restore_celery(app)
    start, flushed, release = date(2031, 3, 1), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with other.app_context():
            pricebooks.create_price_book(None, book_body("NOK first", start, currency="NOK"))
            flushed.set()  # inserted, not yet committed
            release.wait(10)
            db.session.commit()

    def second() -> None:
        with other.app_context():
            flushed.wait(10)
            try:
                pricebooks.create_price_book(None, book_body("NOK second", start, currency="NOK",
                                                             entries=[{"code": "X", "unit_price": "1.00"}]))
            except DomainError as exc:
                outcome["error"] = exc
            db.session.rollback()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        flushed.wait(10)
        threading.Timer(0.5, release.set).start()  # the second waits on the index meanwhile
        for thread in threads:
            thread.join(20)
        error = outcome.get("error")
        assert error is not None and error.code == "price_book_same_start" and error.status == 422
        assert '"NOK first"' in error.fields["valid_from"]  # names the committed book
        with other.app_context():
            names = list(db.session.scalars(select(PriceBook.name).where(PriceBook.currency == "NOK")))
            assert names == ["NOK first"]
    finally:
        with other.app_context():
            ids = select(PriceBook.id).where(PriceBook.currency == "NOK").scalar_subquery()
            db.session.execute(delete(PriceBookEntry).where(PriceBookEntry.price_book_id.in_(ids)))
            db.session.execute(delete(PriceBook).where(PriceBook.currency == "NOK"))
            db.session.commit()
            db.engine.dispose()


def test_the_html_form_refuses_it_next_to_the_field_and_keeps_the_input(client, login, two_partners):
    ops = two_partners.ops
    pricebooks.create_price_book(ops, book_body("EUR list", TODAY + timedelta(days=30)))
    later = pricebooks.create_price_book(ops, book_body("EUR later", TODAY + timedelta(days=60)))
    login(ops)
    start = (TODAY + timedelta(days=30)).isoformat()
    r = client.post("/admin/price-books/new", data={"name": "EUR copy", "currency": "EUR", "valid_from": start,
                                                    "valid_to": ""})
    assert r.status_code == 422
    page = r.data.decode()
    [message] = field_errors(page, "valid_from")
    assert "EUR list" in message and f"already starts on {start}" in message
    assert value_of(page, "name") == "EUR copy" and value_of(page, "valid_from") == start
    assert count(PriceBook) == 2
    # moving a book onto another's start date is refused the same way
    r = client.post(f"/admin/price-books/{later.id}/edit", data={"name": "EUR later", "currency": "EUR",
                                                                "valid_from": start, "valid_to": ""})
    assert r.status_code == 422 and "EUR list" in field_errors(r.data.decode(), "valid_from")[0]
    db.session.refresh(later)
    assert later.valid_from == TODAY + timedelta(days=60)


def test_the_list_shows_which_book_applies_and_which_takes_over(client, login, two_partners):
    ops = two_partners.ops
    old = pricebooks.create_price_book(ops, book_body("EUR old", TODAY - timedelta(days=100)))
    pricebooks.create_price_book(ops, book_body("EUR now", TODAY - timedelta(days=10)))
    pricebooks.create_price_book(ops, book_body("EUR next", TODAY + timedelta(days=20)))
    two_partners.b.price_book_id = old.id
    db.session.flush()
    login(two_partners.manager)
    page = client.get("/admin/price-books").data.decode()

    def row(name: str) -> str:
        rest = page[page.index(f">{name}</a>"):]
        return rest[:rest.index("</tr>")]

    assert "the one with the latest start date" in page
    assert "Replaced by &#34;EUR now&#34;" in row("EUR old") and "Assigned to 1 partner" in row("EUR old")
    nxt = (TODAY + timedelta(days=20)).isoformat()
    assert "Applies to EUR partners today" in row("EUR now") and f"takes over on {nxt}" in row("EUR now")
    assert f"Replaces &#34;EUR now&#34; from {nxt}" in row("EUR next")


def test_contract_prices_of_option_codes_are_accepted(two_partners, api):
    product_service.create_product(None, {"sku": "SRV", "name": "Server", "family": "hardware", "option_groups": [
        {"code": "CPU", "name": "CPU", "min": 1, "max": 1, "options": [{"code": "CPU-8", "name": "8 cores"}]}]})
    r = api(two_partners.ops).put(f"/partners/{two_partners.a.id}/contract-prices",
                                  {"prices": [{"code": "CPU-8", "unit_price": "150.00"}]})
    assert r.status_code == 200, r.json


# --- 3. volume prices never rise with quantity -----------------------------------------------

def test_the_api_refuses_a_tier_above_the_unit_price_or_above_a_lower_tier(two_partners, api):
    ops = api(two_partners.ops)
    r = ops.post("/price-books", book_body("EUR tiers", date(2027, 1, 1), entries=[
        {"code": "A", "unit_price": "100.00", "tiers": [{"min_qty": 10, "unit_price": "110.00"}]},
        {"code": "B", "unit_price": "100.00", "tiers": [{"min_qty": 50, "unit_price": "95.00"},
                                                        {"min_qty": 10, "unit_price": "90.00"}]},
        {"code": "C", "unit_price": "100.00", "tiers": [{"min_qty": 10, "unit_price": "100.00"},
                                                        {"min_qty": 20, "unit_price": "90.00"}]},
    ]))
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) == {"entries.0.tiers.0.unit_price", "entries.1.tiers.0.unit_price"}
    assert "110.00 must not be above the base unit price 100.00" in fields["entries.0.tiers.0.unit_price"]
    assert "95.00 must not be above the price for 10+ (90.00)" in fields["entries.1.tiers.0.unit_price"]
    assert count(PriceBook) == 0
    book = ops.post("/price-books", book_body("EUR ok", date(2027, 1, 1), entries=[
        {"code": "C", "unit_price": "100.00", "tiers": [{"min_qty": 10, "unit_price": "100.00"},
                                                        {"min_qty": 20, "unit_price": "90.00"}]}]))
    assert book.status_code == 201  # equal prices do not rise
    r = ops.put(f"/price-books/{book.json['id']}/entries", {"entries": [
        {"code": "C", "unit_price": "10.00", "tiers": [{"min_qty": 5, "unit_price": "12.00"}]}]})
    assert r.status_code == 422 and "entries.0.tiers.0.unit_price" in r.json["error"]["fields"]
    assert [e.unit_price_minor for e in db.session.scalars(select(PriceBookEntry))] == [10000]


def test_the_entry_form_shows_the_tier_error_next_to_it(client, login, two_partners):
    book = pricebooks.create_price_book(two_partners.ops, book_body("EUR list", TODAY))
    login(two_partners.ops)
    r = client.post(f"/admin/price-books/{book.id}/entry", data={
        "code": "B", "unit_price": "20.00", "tiers-0-min_qty": "10", "tiers-0-unit_price": "21.00",
        "tiers-1-min_qty": "", "tiers-1-unit_price": ""})
    assert r.status_code == 422
    page = r.data.decode()
    assert field_errors(page, "tiers-0-unit_price") == [
        "unit_price 21.00 must not be above the base unit price 20.00: volume prices may not rise with quantity."]
    assert value_of(page, "tiers-0-unit_price") == "21.00"
    assert count(PriceBookEntry) == 0


def test_an_import_names_the_row_and_column_of_a_rising_tier(client, login, two_partners):
    book = pricebooks.create_price_book(two_partners.ops, book_body("EUR list", TODAY))
    login(two_partners.ops)
    content = ("code,unit_price,tier_qty_1,tier_price_1,tier_qty_2,tier_price_2\n"
               "A,100.00,10,90.00,50,80.00\n"
               "B,100.00,10,90.00,50,95.00\n"
               "C,100.00,10,120.00,,\n").encode()
    r = client.post("/admin/imports/new", data={"kind": "price_book_entries", "price_book_id": str(book.id),
                                                "file": (io.BytesIO(content), "prices.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    assert job.status == "invalid"
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert found == {
        (3, "tier_price_2"): "tier_price_2 95.00 must not be above the price for 10+ (90.00): volume prices "
                             "may not rise with quantity.",
        (4, "tier_price_1"): "tier_price_1 120.00 must not be above the base unit price 100.00: volume prices "
                             "may not rise with quantity.",
    }
    assert count(PriceBookEntry) == 0
