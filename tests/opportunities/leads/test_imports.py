"""Lead imports from CSV and Excel: checked by row, previewed, applied once, all or nothing."""
from __future__ import annotations

import io

from openpyxl import Workbook

from opportunities.leads.models import Lead, LeadImport
from opportunities.leads.services import imports
from portal.extensions import db
from tests.opportunities.leads.helpers import make_lead

HEADER = "Company;Domain;Country;City;Contact name;Contact e-mail;Region;Families;Tiers;Partner\n"


def _upload(client, content: bytes, name: str = "leads.csv"):
    return client.post("/admin/leads/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_csv_preview_then_apply_once(client, login, two_partners):
    p = two_partners
    login(p.manager)
    csv = (HEADER + "Alpha Robotics GmbH;alpha-robotics.example;DE;Berlin;Ann;ann@alpha-robotics.example;EMEA;hardware|services;;\n"
           f"Beta Farms SA;;FR;Paris;;;EMEA;software;gold;{p.b.name}\n"
           "\n"
           f"Gamma Air Ltd;gamma.example;gb;;;;EMEA;hardware;;{p.a.id}\n").encode()
    response = _upload(client, "\ufeff".encode() + csv)
    assert response.status_code == 302
    job = db.session.query(LeadImport).one()
    assert (job.status, job.total_rows, len(job.rows)) == ("ready", 3, 3)
    assert db.session.query(Lead).count() == 0  # nothing written before apply
    html = client.get(response.headers["Location"]).data.decode()
    assert "All 3 rows are valid" in html and "Alpha Robotics GmbH" in html and p.b.name in html
    response = client.post(f"/admin/leads/imports/{job.id}/apply", follow_redirects=True)
    assert "3 leads imported" in response.data.decode()
    leads = {l.company_name: l for l in db.session.query(Lead)}
    assert leads["Alpha Robotics GmbH"].status == "pool" and leads["Alpha Robotics GmbH"].families == ["hardware", "services"]
    assert leads["Beta Farms SA"].status == "assigned" and leads["Beta Farms SA"].owner_partner_id == p.b.id
    assert leads["Beta Farms SA"].eligible_tiers == ["gold"] and leads["Gamma Air Ltd"].owner_partner_id == p.a.id
    assert all(l.source == "import" for l in leads.values())
    again = client.post(f"/admin/leads/imports/{job.id}/apply", follow_redirects=True)
    assert "already applied" in again.data.decode() and db.session.query(Lead).count() == 3


def test_missing_columns_are_refused_on_the_form(client, login, two_partners):
    login(two_partners.manager)
    response = _upload(client, b"Company,Country,Cityy\nAcme,DE,Berlin\n")
    html = response.data.decode()
    assert response.status_code == 422
    assert "missing columns: region, families" in html and "unknown columns: Cityy" in html
    assert db.session.query(LeadImport).count() == 0


def test_row_errors_and_duplicate_rows_are_listed_and_block_the_import(client, login, two_partners):
    p = two_partners
    make_lead(p.manager, company={"name": "Existing Energy AG", "country": "DE"}, families=["software"])
    login(p.manager)
    csv = (HEADER + "Delta Dental;;US;;;;NA;software;;\n"
           "Delta Air Lines;;US;;;;NA;software;;\n"  # similar name, another company: fine
           "DELTA DENTAL Inc.;;US;;;;NA;software;;\n"  # the same company again
           "Existing Energy;;DE;;;;EMEA;software;;\n"  # already an open lead
           ";;XX;;;bad-email;EMEA;;diamond;Nobody Ltd\n").encode()
    response = _upload(client, csv)
    job = db.session.query(LeadImport).one()
    assert job.status == "invalid"
    problems = {(x["row"], x["column"]): x["message"] for x in job.problems}
    assert "row 2" in problems[(4, "company")] and "Duplicate row" in problems[(4, "company")]
    assert "Already an open lead" in problems[(5, "company")]
    assert {(6, "company"), (6, "country"), (6, "contact_email"), (6, "families"), (6, "tiers"),
            (6, "partner")} <= set(problems)
    assert (2, "company") not in problems and (3, "company") not in problems
    html = client.get(response.headers["Location"]).data.decode()
    assert "problems in 5 rows" in html and "Duplicate row" in html and "Import " not in html.split("Problems")[0]
    response = client.post(f"/admin/leads/imports/{job.id}/apply", follow_redirects=True)
    assert "fix them and upload it again" in response.data.decode()
    assert db.session.query(Lead).count() == 1


def test_xlsx_import(client, login, two_partners):
    book = Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["company", "country", "region", "families", "city"])
    sheet.append(["Excel Engines SpA", "IT", "EMEA", "hardware;software", "Turin"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Sheet Metal Oy", "FI", "EMEA", "hardware", 1234])
    data = io.BytesIO()
    book.save(data)
    login(two_partners.admin)
    response = _upload(client, data.getvalue(), "leads.xlsx")
    job = db.session.query(LeadImport).one()
    assert response.status_code == 302 and job.status == "ready" and len(job.rows) == 2
    assert [r["row"] for r in job.rows] == [2, 4] and job.rows[1]["input"]["company"]["city"] == "1234"
    imports.apply_import(two_partners.admin, job)
    assert {l.company_name for l in db.session.query(Lead)} == {"Excel Engines SpA", "Sheet Metal Oy"}


def test_files_that_are_not_lead_files(client, login, two_partners):
    login(two_partners.manager)
    cases = [
        (b"", "leads.csv", "empty"),
        (b"company,country,region,families\n", "leads.csv", "no leads"),
        (b"%PDF-1.4 ...", "leads.csv", "PDF"),
        (b"PK\x03\x04garbage", "leads.csv", "Excel workbook"),
        (b"company,country\n", "leads.txt", ".csv or .xlsx"),
        (b"\xd0\xcf\x11\xe0", "leads.xls", "Old Excel"),
        (b"not a zip", "leads.xlsx", "not an Excel workbook"),
        ("company,country,region,families\nK\xf6ln,DE,EMEA,hw\n".encode("latin-1"), "leads.csv", "not UTF-8"),
    ]
    for content, name, message in cases:
        response = _upload(client, content, name)
        assert response.status_code in (400, 422), name
        assert message in response.data.decode(), (name, message)
    assert _upload(client, b"").status_code in (400, 422)
    assert client.post("/admin/leads/import", data={}).status_code == 400
    assert db.session.query(LeadImport).count() == 0


def test_apply_is_all_or_nothing_when_the_leads_changed_since_the_preview(two_partners):
    p = two_partners
    csv = (HEADER + "Zeta Zoo;;DE;;;;EMEA;hardware;;\nOmega Oil;;NO;;;;EMEA;hardware;;\n").encode()
    job = imports.preview_import(p.manager, "leads.csv", csv)
    assert job.status == "ready"
    make_lead(p.manager, company={"name": "Omega Oil ASA", "country": "NO"})  # meanwhile
    db.session.commit()
    try:
        imports.apply_import(p.manager, job)
    except imports.LeadError as exc:
        assert "Row 3" in exc.message and "Nothing was imported" in exc.message
    else:
        raise AssertionError("the import should have been refused")
    db.session.rollback()
    assert {l.company_name for l in db.session.query(Lead)} == {"Omega Oil ASA"}
