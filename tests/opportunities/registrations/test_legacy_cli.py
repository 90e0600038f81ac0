"""`flask registrations import` and `flask registrations match`: legacy files, bad rows by line."""
from __future__ import annotations

import csv
from datetime import date, timedelta

from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registry.models import RegistryEntry
from opportunities.registrations.services.events import verify_chain
from opportunities.registrations.services.legacy import LEGACY_PARTNER
from portal.extensions import db
from portal.models import Partner
from tests.opportunities.registrations.helpers import register

POOL = """ref,company_name,domain,country,city
L1,Siemens Aktiengesellschaft,siemens.com,DE,Munich
L2,"Alpha and Omega Semiconductor, Ltd.",,US,Sunnyvale
L3,Renesas Electronics Corporation,,JP,Tokyo
L4,Delta Air Lines,delta.com,US,Atlanta
L5,,nowhere.com,US,
L6,Bad Country Ltd,,XX,
L1,Siemens Again,,DE,
L7,Bad Domain Inc,not a domain,US,
L8,Formycon,,,
"""


def _write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def _import(app, path: str, *args: str):
    return app.test_cli_runner().invoke(args=["registrations", "import", path, *args])


def test_import_keeps_refs_reports_bad_rows_by_line(app, two_partners, tmp_path):
    result = _import(app, _write(tmp_path, "pool.csv", POOL), "--partner-id", str(two_partners.a.id),
                     "--families", "hardware,software")
    assert result.exit_code == 0, result.output
    assert "Imported 5 registration(s)" in result.output and "4 bad row(s)" in result.output
    for expected in ("line 6: company_name is empty", "line 7: country 'XX'", "line 8: ref 'L1' is repeated",
                     "line 9: domain 'not a domain'"):
        assert expected in result.output, result.output
    regs = {r.external_ref: r for r in db.session.query(Registration)}
    assert set(regs) == {"L1", "L2", "L3", "L4", "L8"}
    siemens = regs["L1"]
    assert siemens.partner_id == two_partners.a.id and siemens.status == "approved"
    assert siemens.families == ["hardware", "software"] and siemens.source == "import"
    assert siemens.protected_until == date.today() + timedelta(days=90)
    assert regs["L8"].customer_country == ""
    assert db.session.query(RegistryEntry).count() == 5
    assert db.session.query(RegistrationEvent).filter_by(event="imported").count() == 5
    assert verify_chain().ok
    # importing the same file again adds nothing: no row is usable, so the run fails
    again = _import(app, _write(tmp_path, "pool.csv", POOL), "--partner-id", str(two_partners.a.id))
    assert again.exit_code == 1 and "line 2: ref 'L1' is already imported" in again.output
    assert "Nothing imported: none of the 9 row(s)" in again.output
    assert db.session.query(Registration).count() == 5


def test_import_optional_columns(app, two_partners, tmp_path):
    content = ("REF;company_name;domain;country;city;partner_id;families;status;submitted_on\n"
               f"A1;Brivenka Solar AG;;DE;;{two_partners.b.id};services;submitted;2024-03-01\n"
               f"A2;Pelzora Capital;;GB;;{two_partners.b.id};;rejected;2024-03-02T10:30:00Z\n"
               "A3;Kalomira Tools;;US;;999999;;;\n"
               "A4;Zopelvenra Foods;;US;;;;maybe;\n"
               "A5;Quavendra Robotics;;DE;;;;;yesterday\n").replace(";", ",")
    result = _import(app, _write(tmp_path, "legacy.csv", content))
    assert result.exit_code == 0, result.output
    assert "line 4: partner_id '999999' is not a partner" in result.output
    assert "line 5: status 'maybe'" in result.output and "line 6: submitted_on 'yesterday'" in result.output
    brivenka = db.session.query(Registration).filter_by(external_ref="A1").one()
    assert brivenka.partner_id == two_partners.b.id and brivenka.status == "submitted"
    assert brivenka.families == ["services"] and brivenka.submitted_at.date() == date(2024, 3, 1)
    rejected = db.session.query(Registration).filter_by(external_ref="A2").one()
    assert rejected.status == "rejected" and rejected.submitted_at.hour == 10
    assert db.session.query(RegistryEntry).filter_by(registration_id=rejected.id).count() == 0  # not active


def test_rows_without_a_partner_go_to_the_legacy_holder(app, tmp_path):
    result = _import(app, _write(tmp_path, "p.csv", "ref,company_name,domain,country,city\nX1,Acme Widgets,,US,\n"))
    assert result.exit_code == 0, result.output
    holder = db.session.query(Partner).filter_by(name=LEGACY_PARTNER).one()
    assert holder.status == "suspended"
    assert db.session.query(Registration).one().partner_id == holder.id


def test_import_refuses_unusable_files(app, two_partners, tmp_path):
    result = _import(app, _write(tmp_path, "x.csv", "name,country\nAcme,US\n"))
    assert result.exit_code == 1 and "needs the columns ref, company_name" in result.output
    result = _import(app, _write(tmp_path, "y.csv", POOL), "--partner-id", "999999")
    assert result.exit_code == 1 and "No partner with id 999999" in result.output
    assert _import(app, str(tmp_path / "missing.csv")).exit_code != 0
    assert db.session.query(Registration).count() == 0


def test_imported_registrations_conflict_with_new_ones(app, two_partners, tmp_path, api):
    _import(app, _write(tmp_path, "pool.csv", POOL), "--partner-id", str(two_partners.a.id))
    reg = register(two_partners.b, two_partners.b_user, "SIEMENS AG (Germany)")
    assert reg.status == "in_review"


def test_match_writes_one_row_per_match(app, two_partners, tmp_path):
    _import(app, _write(tmp_path, "pool.csv", POOL), "--partner-id", str(two_partners.a.id),
            "--families", "hardware")
    live = register(two_partners.b, two_partners.b_user, "Kalomitor Drasil Technologies Inc", "US")
    queries = ("ref,company_name,domain,country,city,families\n"
               "Q1,SIEMENS AG (Germany),,DE,,\n"
               "Q2,Someone Else,https://www.siemens.com/de,FR,,\n"
               "Q3,Alpha & Omega Semiconductor,,US,,\n"
               "Q4,Delta Dental,,US,,\n"
               "Q5,,,,,\n"
               "Q6,Kalomitor Drasil Technologies,,US,,\n"
               "Q7,Renesas Electronics,,JP,,software\n"
               "Q8,Rennesas Electronics,,JP,,hardware\n")
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["registrations", "match", _write(tmp_path, "q.csv", queries),
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "line 6: company_name is empty" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["ref", "matched_ref", "opportunity_id", "score", "reasons"]
    found = {(r["ref"], r["matched_ref"]) for r in rows}
    assert found == {("Q1", "L1"), ("Q2", "L1"), ("Q3", "L2"), ("Q6", ""), ("Q8", "L3")}
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["Q2"]["reasons"] == "domain" and by_ref["Q1"]["reasons"] == "name"
    assert by_ref["Q6"]["opportunity_id"] == str(live.id)
    assert float(by_ref["Q1"]["score"]) == 1.0


def test_match_includes_house_accounts(app, two_partners, tmp_path, api):
    account = api(two_partners.manager).post("/house-accounts", {"name": "Globex Corporation", "country": "US"}).json
    result = app.test_cli_runner().invoke(args=["registrations", "match", _write(
        tmp_path, "q.csv", "ref,company_name,domain,country,city\nQ1,Globex Corp,,US,\n"), "--out", "-"])
    assert result.exit_code == 0
    assert f"Q1,house-account:{account['id']},,1.0000,name;house_account" in result.output


def test_a_large_import_goes_through_the_bulk_path_intact(app, two_partners, tmp_path):
    """Enough rows for COPY on PostgreSQL; awkward characters survive; the log and the registry agree."""
    rows = ["ref,company_name,domain,country,city,families,submitted_on"]
    for n in range(260):
        rows.append(f'B{n:04d},"Kalomitor {n} Back\\\\slash ""Quoted"" Tab\tLine\nBreak Ünïcödé GmbH",'
                    f'k{n}.example,DE,Köln,"hardware;software",2024-01-{(n % 28) + 1:02d}')
    rows.append("B9999,Straße Siemens Aktiengesellschaft,siemens.com,DE,München,,")
    result = _import(app, _write(tmp_path, "big.csv", "\n".join(rows) + "\n"), "--partner-id", str(two_partners.a.id))
    assert result.exit_code == 0, result.output
    assert "Imported 261 registration(s)" in result.output
    reg = db.session.query(Registration).filter_by(external_ref="B0007").one()
    assert reg.customer_name == 'Kalomitor 7 Back\\\\slash "Quoted" Tab\tLine\nBreak Ünïcödé GmbH'
    assert reg.families == ["hardware", "software"] and reg.customer_city == "Köln"
    assert reg.submitted_at.isoformat() == "2024-01-08T00:00:00+00:00"
    assert reg.created_at is not None and reg.protected_until == date.today() + timedelta(days=90)
    assert db.session.query(RegistryEntry).count() == 261
    assert verify_chain().ok and verify_chain().checked == 261
    found = register(two_partners.b, two_partners.b_user, "Siemens AG", domain="www.siemens.com")
    assert found.status == "in_review"
    assert register(two_partners.b, two_partners.b_user, "Kalomitor 7 Back slash Quoted").status == "in_review"
