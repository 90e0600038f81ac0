"""Price book and product imports: upload, row errors, diff preview, all-or-nothing apply, export."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from catalog.imports import entry_rows, jobs
from catalog.models import ImportJob, PriceBook, PriceBookEntry, Product
from catalog.services import pricebooks
from catalog.services import products as product_service
from portal.extensions import db
from portal.models import AuditEntry

HEADER = "code,unit_price,tier_qty_1,tier_price_1,tier_qty_2,tier_price_2\n"


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def book():
    return pricebooks.create_price_book(None, {
        "name": "EU list 2026", "currency": "EUR", "valid_from": date(2026, 1, 1), "entries": [
            {"code": "SRV", "unit_price": "100.00"},
            {"code": "RAM", "unit_price": "200.00", "tiers": [{"min_qty": 10, "unit_price": "190.00"}]},
            {"code": "OLD", "unit_price": "50.00"},
        ]})


def entries(book_obj: PriceBook) -> dict[str, tuple[int, list]]:
    rows = db.session.execute(select(PriceBookEntry.code, PriceBookEntry.unit_price_minor, PriceBookEntry.tiers)
                              .where(PriceBookEntry.price_book_id == book_obj.id))
    return {c: (u, [list(t) for t in tiers]) for c, u, tiers in rows}


def upload(client, content: bytes, filename: str = "prices.csv", kind: str = "price_book_entries",
           book_id: int | None = None):
    data = {"kind": kind, "price_book_id": str(book_id or ""), "file": (io.BytesIO(content), filename)}
    return client.post("/admin/imports/new", data=data, content_type="multipart/form-data")


def last_job() -> ImportJob | None:
    return db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))


def xlsx(rows: list[list], title: str = "Sheet1") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


VALID = (HEADER + "SRV,110.00,,,,\n"        # +10 %
         "RAM,200.00,10,180.00,50,170.00\n"  # tiers changed
         "NEW-1,5.00,,,,\n").encode()        # added; OLD is removed


def test_valid_csv_is_previewed_then_applied(client, two_partners, login, book):
    login(two_partners.ops)
    before = entries(book)
    r = upload(client, VALID, book_id=book.id)
    assert r.status_code == 302
    job = last_job()
    assert job.status == "ready" and job.total_rows == 3 and job.error_count == 0
    s = job.summary
    assert (s["added"], s["changed"], s["removed"], s["unchanged"]) == (1, 2, 1, 0)
    changed = {c["code"]: c for c in s["preview"]["changed"]}
    assert changed["SRV"]["percent"] == "10.0" and changed["SRV"]["old"] == "100.00"
    assert changed["RAM"]["tiers"] == "10+: 190.00 → 180.00; 50+: new 170.00"
    assert s["preview"]["removed"][0]["code"] == "OLD"
    assert entries(book) == before  # nothing is written before apply
    page = client.get(r.headers["Location"]).data.decode()
    assert "+10.0 %" in page and "Apply 4 changes" in page and "NEW-1" in page

    r = client.post(f"/admin/imports/{job.id}/apply")
    assert r.status_code == 302
    db.session.refresh(job)
    assert job.status == "applied"
    assert entries(book) == {"SRV": (11000, []), "RAM": (20000, [[10, 18000], [50, 17000]]),
                             "NEW-1": (500, [])}
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "price_book.entries")).one()
    assert audit.actor_id == two_partners.ops.id and "1 added, 2 changed, 1 removed" in audit.summary


def test_valid_xlsx_with_numbers_and_header_case(client, two_partners, login, book):
    login(two_partners.admin)
    content = xlsx([["Code", "Unit Price", "TIER_QTY_1", "tier_price_1"],
                    ["SRV", 90, None, None], ["RAM", 200.5, 10, 180], [None, None, None, None],
                    ["OLD", 50.0, None, None]], title="Entries")
    upload(client, content, "prices.xlsx", book_id=book.id)
    job = last_job()
    assert job.status == "ready", job.message
    s = job.summary
    assert (s["added"], s["changed"], s["removed"], s["unchanged"]) == (0, 2, 0, 1)
    assert {c["code"]: c["percent"] for c in s["preview"]["changed"]} == {"SRV": "-10.0", "RAM": "0.3"}
    client.post(f"/admin/imports/{job.id}/apply")
    assert entries(book)["RAM"] == (20050, [[10, 18000]])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_is_an_empty_diff(client, two_partners, login, book, fmt):
    pricebooks.replace_entries(None, book, [
        {"code": "SRV", "unit_price": "1234567.89", "tiers": [{"min_qty": 5, "unit_price": "1200000.10"},
                                                             {"min_qty": 20, "unit_price": "0.00"}]},
        {"code": "=FORMULA", "unit_price": "0"}, {"code": "RAM", "unit_price": "0.10"}])
    login(two_partners.ops)
    r = client.get(f"/admin/price-books/{book.id}/export?format={fmt}")
    assert r.status_code == 200 and f'.{fmt}"' in r.headers["Content-Disposition"]
    if fmt == "csv":
        assert r.data.startswith("\ufeffcode,unit_price,tier_qty_1,tier_price_1,tier_qty_2".encode())
    upload(client, r.data, f"export.{fmt}", book_id=book.id)
    job = last_job()
    assert job.status == "ready", (job.message, job.errors)
    s = job.summary
    assert (s["added"], s["changed"], s["removed"], s["unchanged"]) == (0, 0, 0, 3)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_products_export_then_import_is_an_empty_diff(client, two_partners, login, fmt):
    product_service.create_product(None, {"sku": "SRV-1", "name": "Server, 1U \"rack\"", "family": "hardware",
                                          "description": "Line one\nline two", "active": False})
    product_service.create_product(None, {"sku": "LIC", "name": "=1+1", "family": "software"})
    login(two_partners.ops)
    r = client.get(f"/admin/products/export?format={fmt}")
    assert r.status_code == 200
    upload(client, r.data, f"products.{fmt}", kind="products")
    job = last_job()
    assert job.status == "ready", (job.message, job.errors)
    assert (job.summary["added"], job.summary["changed"], job.summary["unchanged"]) == (0, 0, 2)


def test_export_of_xlsx_is_a_real_workbook(client, two_partners, login, book):
    login(two_partners.ops)
    r = client.get(f"/admin/price-books/{book.id}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Entries" and rows[0] == ("code", "unit_price", "tier_qty_1", "tier_price_1")
    assert rows[2] == ("RAM", 200, 10, 190)
    assert client.get(f"/admin/price-books/{book.id}/export?format=pdf").status_code == 400


# --- bad files: a clear message, never a 500, nothing written ---------------------------------

REFUSED = [
    (b"", "prices.csv", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "prices.csv", "not a CSV file"),
    (bytes(range(256)) * 4, "prices.csv", "binary data"),
    (xlsx([["code", "unit_price"], ["SRV", 1]]), "prices.csv", "Upload it with the .xlsx extension"),
    ("code,unit_price\nCAFÉ,1.00\n".encode("cp1252"), "prices.csv", "not UTF-8 encoded"),
    ("code,unit_price\nSRV,1.00\n".encode("utf-16"), "prices.csv", "UTF-16"),
    (b"code,unit_price\nSRV,1.00\n", "prices.xlsx", "not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "prices.xls", "Old Excel 97-2003"),
    (b"code,unit_price\n", "prices.txt", "Upload a .csv or .xlsx file."),
]


@pytest.mark.parametrize("content,filename,message", REFUSED)
def test_bad_files_are_refused_on_upload(client, two_partners, login, book, upload_dir, content, filename, message):
    login(two_partners.ops)
    before = entries(book)
    r = upload(client, content, filename, book_id=book.id)
    assert r.status_code == 422
    assert message in r.data.decode()
    assert last_job() is None and entries(book) == before
    assert list(upload_dir.iterdir()) == []


INVALID = [
    (b"sku,price\nSRV,1.00\n", "prices.csv", "(missing: code, unit_price; unknown: sku, price)"),
    (b"code,unit_price,tier_qty_1,colour\nSRV,1,,red\n", "prices.csv",
     "unknown: colour; each tier needs both columns, add: tier_price_1"),
    (b"code,code,unit_price\n", "prices.csv", "listed twice: code"),
    (HEADER.encode(), "prices.csv", "column names but no data rows"),
    (b"\xef\xbb\xbf\r\n", "prices.csv", "The file is empty."),
    (xlsx([["EU price list 2026"], [], ["code", "unit_price"], ["SRV", 1]], title="Prices"), "prices.xlsx",
     "The columns in sheet 'Prices' do not match"),
    (xlsx([]), "prices.xlsx", "no column names in row 1"),
    (b"code,unit_price\n" + b"SRV-%d,1.00\n" * 1 + b"X" * 70_000 + b"\n\xe9,1\n", "prices.csv",
     "not UTF-8 encoded"),
]


@pytest.mark.parametrize("content,filename,message", INVALID)
def test_files_with_a_wrong_layout_are_invalid_jobs(client, two_partners, login, book, upload_dir,
                                                    content, filename, message):
    login(two_partners.ops)
    before = entries(book)
    r = upload(client, content, filename, book_id=book.id)
    assert r.status_code == 302
    job = last_job()
    assert job.status == "invalid" and message in job.message
    assert message in client.get(r.headers["Location"]).data.decode().replace("&#39;", "'")
    assert entries(book) == before and list(upload_dir.iterdir()) == []
    assert client.post(f"/admin/imports/{job.id}/apply", headers={"Accept": "application/json"}).status_code == 409


def test_utf8_bom_and_semicolons_are_accepted(client, two_partners, login, book):
    login(two_partners.ops)
    upload(client, "\ufeffCODE;Unit_Price\nSRV;100.00\nRAM;200\nOLD;50\nÉTÉ-1;1.5\n".encode(), book_id=book.id)
    job = last_job()
    assert job.status == "ready", job.message
    assert job.summary["added"] == 1 and job.summary["changed"] == 1  # RAM lost its tier


def test_size_limit_gives_a_clear_413(client, two_partners, login, book, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    login(two_partners.ops)
    body = HEADER.encode() + b"SRV,1.00,,,,\n" * 200
    r = upload(client, body, book_id=book.id)  # over the limit, under the request limit
    assert r.status_code == 413 and "larger than the 1,000 bytes limit" in r.data.decode()
    assert "larger than" in r.data.decode()
    r = upload(client, body * 60, book_id=book.id)  # over the request limit as well
    assert r.status_code == 413 and "split it into several files" in r.data.decode()
    assert last_job() is None


def test_default_limit_is_25_mb(client, two_partners, login):
    login(two_partners.ops)
    assert "25 MB and 200,000 data rows per file" in client.get("/admin/imports/new").data.decode()


# --- row errors --------------------------------------------------------------------------------

def test_bad_numbers_and_duplicates_are_listed_by_row_and_column(client, two_partners, login, book):
    login(two_partners.ops)
    content = (HEADER +
               "SRV,abc,,,,\n"            # row 2
               "RAM,-1,,,,\n"             # row 3
               "X1,1.234,,,,\n"           # row 4
               "X2,10.00,1,9.00,,\n"      # row 5
               "X3,10.00,10,,,\n"         # row 6
               ",10.00,,,,\n"             # row 7
               "SRV,10.00,,,,\n"          # row 8: duplicate of row 2
               "X4,,,,,\n"                # row 9
               "X5,10.00,5,9.00,5,8.00\n"  # row 10
               "X6,10.00,,,,,oops\n"      # row 11
               'X7,"12,50",,,,\n')         # row 12
    upload(client, content.encode(), book_id=book.id)
    job = last_job()
    assert job.status == "invalid" and job.summary == {}
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert found == {
        (2, "unit_price"): 'unit_price must be a decimal number, not "abc".',
        (3, "unit_price"): "unit_price must not be negative.",
        (4, "unit_price"): 'unit_price: EUR amounts have at most 2 decimal places ("1.234").',
        (5, "tier_qty_1"): 'tier_qty_1 must be a whole number of at least 2, not "1".',
        (6, "tier_price_1"): "tier_price_1 is required when tier_qty_1 is given.",
        (7, "code"): "A code (SKU or option code) of 1-64 characters is required.",
        (8, "code"): "SRV is already priced in row 2.",
        (9, "unit_price"): "unit_price is required.",
        (10, "tier_qty"): "The same tier quantity appears twice in this row.",
        (11, "G"): found[(11, "G")],
        (12, "unit_price"): 'unit_price must be a decimal number, not "12,50". Use a dot for decimals.',
    }
    assert "column G, which has no column name" in found[(11, "G")]
    assert job.error_count == 11 and "11 problems in 11 rows: nothing was written" in job.message
    assert [e["row"] for e in job.errors] == sorted(e["row"] for e in job.errors)
    page = client.get(f"/admin/imports/{job.id}").data.decode()
    assert "SRV is already priced in row 2." in page and "Apply" not in page.split("Problems")[1]


def test_errors_are_capped_but_all_counted(client, two_partners, login, book, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 500)  # several chunks, each committing progress
    login(two_partners.ops)
    content = "code,unit_price\n" + "".join(f"C{i},x\n" for i in range(1500)) + "C0,1\n"
    upload(client, content.encode(), book_id=book.id)
    job = last_job()
    assert job.error_count == 1501 and len(job.errors) == 1000 and job.total_rows == 1501
    assert "Showing the first 1,000 of 1,501" in client.get(f"/admin/imports/{job.id}").data.decode()


def test_a_few_thousand_rows_in_chunks(client, two_partners, login, book, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 700)
    login(two_partners.ops)
    content = "code,unit_price\n" + "".join(f"C{i:05d},{i}.50\n" for i in range(3000))
    upload(client, content.encode(), book_id=book.id)
    job = last_job()
    assert job.status == "ready" and job.summary["added"] == 3000 and job.summary["removed"] == 3
    assert len(job.summary["preview"]["added"]) == 500 and job.processed_rows == 3000
    client.post(f"/admin/imports/{job.id}/apply")
    assert len(entries(book)) == 3000 and entries(book)["C02999"] == (299950, [])


# --- apply -------------------------------------------------------------------------------------

def test_apply_is_all_or_nothing(client, two_partners, login, book, monkeypatch):
    login(two_partners.ops)
    upload(client, VALID, book_id=book.id)
    job = last_job()
    before = entries(book)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(entry_rows, "INSERT_BATCH", 2)
    monkeypatch.setattr(entry_rows.audit, "record", broken)  # after every entry was deleted and inserted
    r = client.post(f"/admin/imports/{job.id}/apply")
    assert r.status_code == 302
    db.session.refresh(job)
    assert job.status == "failed" and "nothing was written" in job.message
    assert entries(book) == before
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "price_book.entries")).all()
    assert "nothing was written" in client.get(r.headers["Location"]).data.decode()


def test_a_job_is_applied_once(client, two_partners, login, book):
    login(two_partners.ops)
    upload(client, VALID, book_id=book.id)
    job = last_job()
    r = client.post(f"/admin/imports/{job.id}/apply", headers={"Accept": "application/json"})
    assert r.status_code == 202 and r.json["status"] == "applied"
    r = client.post(f"/admin/imports/{job.id}/apply", headers={"Accept": "application/json"})
    assert r.status_code == 409 and r.json["error"]["message"] == "This import was already applied."
    r = client.post(f"/admin/imports/{job.id}/apply")
    assert r.status_code == 302
    assert "This import was already applied." in client.get(r.headers["Location"]).data.decode()


def test_apply_is_refused_when_the_book_changed_after_the_check(client, two_partners, login, book):
    login(two_partners.ops)
    upload(client, VALID, book_id=book.id)
    job = last_job()
    pricebooks.replace_entries(None, book, [{"code": "SRV", "unit_price": "99.00"}])
    client.post(f"/admin/imports/{job.id}/apply")
    db.session.refresh(job)
    assert job.status == "failed" and "changed after this file was checked" in job.message
    assert entries(book) == {"SRV": (9900, [])}


def test_progress_json(client, two_partners, login, book):
    job = ImportJob(kind="price_book_entries", price_book_id=book.id, filename="big.csv", stored_path="x.csv",
                    status="validating", total_rows=200, processed_rows=50, errors=[], summary={},
                    message="Checking the rows...")
    db.session.add(job)
    db.session.flush()
    login(two_partners.manager)  # any staff member can follow an import
    body = client.get(f"/admin/imports/{job.id}/status").json
    assert body == {"id": job.id, "status": "validating", "progress": 25, "processed_rows": 50,
                    "total_rows": 200, "error_count": 0, "message": "Checking the rows...",
                    "finished": False, "detail_url": f"/admin/imports/{job.id}"}
    page = client.get(f"/admin/imports/{job.id}").data.decode()
    # the progress bar width is a class now, not an inline style (CSP style-src 'self')
    assert "data-import-status-url" in page and "js/import-progress.js" in page and "pct-25" in page
    assert client.get("/admin/imports/999999/status").status_code == 404


def test_roles(client, two_partners, login, book):
    login(two_partners.manager)
    assert client.get("/admin/imports").status_code == 200
    assert client.get("/admin/imports/new").status_code == 403
    assert client.get(f"/admin/price-books/{book.id}/export").status_code == 403
    assert client.get("/admin/products/export").status_code == 403
    login(two_partners.a_admin)
    assert client.get("/admin/imports").status_code == 403
    login(two_partners.ops)
    page = client.get(f"/admin/imports/new?price_book_id={book.id}").data.decode()
    assert f'<option selected value="{book.id}">' in page
    assert "Imports" in client.get("/admin/imports").data.decode()


# --- products ----------------------------------------------------------------------------------

def test_products_import_creates_and_updates(client, two_partners, login):
    product_service.create_product(None, {"sku": "SRV-1", "name": "Server", "family": "hardware"})
    login(two_partners.ops)
    content = ("SKU,Name,Family,Active\n"
               "srv-1,Server 1U,hardware,yes\n"
               "LIC-1,Licence,Software,no\n").encode()
    upload(client, content, "products.csv", kind="products")
    job = last_job()
    assert job.status == "ready", job.errors
    s = job.summary
    assert (s["added"], s["changed"], s["removed"], s["unchanged"]) == (1, 1, 0, 0)
    assert s["preview"]["changed"][0] == {"sku": "SRV-1", "changes": [
        {"field": "name", "old": "Server", "new": "Server 1U"}]}
    client.post(f"/admin/imports/{job.id}/apply")
    db.session.refresh(job)
    assert job.status == "applied", job.message
    items = {p.sku: p for p in db.session.scalars(select(Product))}
    assert items["SRV-1"].name == "Server 1U" and items["LIC-1"].family == "software"
    assert items["LIC-1"].active is False and items["LIC-1"].unit == "each"


def test_products_rows_are_validated(client, two_partners, login):
    login(two_partners.ops)
    content = ("sku,name,family,active\n"
               "A-1,,hardware,yes\n"
               "bad sku,Thing,hardware,yes\n"
               "A-2,Thing,hardware,maybe\n"
               "a-2,Thing,hardware,no\n").encode()
    upload(client, content, "products.csv", kind="products")
    job = last_job()
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert job.status == "invalid" and set(found) == {(2, "name"), (3, "sku"), (4, "active"), (5, "sku")}
    assert found[(5, "sku")] == "SKU a-2 is already in row 4." and found[(2, "name")] == "This field is required."
    assert db.session.scalars(select(Product)).all() == []


def test_products_file_uploaded_as_price_book_names_the_columns(client, two_partners, login, book):
    login(two_partners.ops)
    upload(client, b"sku,name,family\nA,B,C\n", book_id=book.id)
    assert "missing: code, unit_price; unknown: sku, name, family" in last_job().message
    r = upload(client, VALID, book_id=None)
    assert r.status_code == 422 and "Choose a price book." in r.data.decode()


def test_uploads_are_stored_by_a_random_name_and_removed_after_apply(client, two_partners, login, book,
                                                                     upload_dir):
    login(two_partners.ops)
    upload(client, VALID, filename="..\\..\\evil/../../prices 2026.csv", book_id=book.id)
    job = last_job()
    assert job.filename == "prices 2026.csv"
    assert len(job.stored_path) == 36 and job.stored_path.endswith(".csv") and "/" not in job.stored_path
    assert sorted(p.name for p in upload_dir.iterdir()) == sorted(
        [job.stored_path, job.stored_path.replace(".csv", ".rows.jsonl")])
    client.post(f"/admin/imports/{job.id}/apply")
    assert list(upload_dir.iterdir()) == []


def test_an_xlsx_that_unpacks_to_far_more_than_its_size_is_refused(client, two_partners, login, book, app,
                                                                  monkeypatch):
    import zipfile

    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10_000)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * 300_000)
    login(two_partners.ops)
    r = upload(client, bomb.getvalue(), "prices.xlsx", book_id=book.id)
    assert r.status_code == 422 and "unpacks to far more data" in r.data.decode()
    assert last_job() is None


def test_a_damaged_xlsx_is_an_invalid_job_not_a_crash(client, two_partners, login, book):
    import zipfile

    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not xml")
    login(two_partners.ops)
    upload(client, damaged.getvalue(), "prices.xlsx", book_id=book.id)
    job = last_job()
    assert job.status == "invalid" and "cannot be opened" in job.message
