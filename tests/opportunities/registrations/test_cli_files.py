"""Sales ops' files that go wrong: `registrations import` / `match` name the problem, report bad rows by line and
exit non-zero only when the whole file is unusable (and then write nothing)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registrations.services.legacy import LEGACY_PARTNER
from portal.extensions import db
from portal.models import Partner

HEADER = "ref,company_name,domain,country,city"


def _file(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["registrations", *args])


def _nothing_written() -> None:
    assert db.session.query(Registration).count() == 0
    assert db.session.query(RegistrationEvent).count() == 0
    assert db.session.query(Partner).filter_by(name=LEGACY_PARTNER).count() == 0


UNUSABLE = [
    ("missing columns", "ref,company_name,domain\nA1,Acme GmbH,acme.de\n",
     "needs the columns ref, company_name, domain, country, city", "Missing column(s): country, city."),
    ("semicolons", "ref;company_name;domain;country;city\nA1;Acme GmbH;;DE;\n",
     "Missing column(s): ref, company_name", "separated by commas, not semicolons"),
    ("empty", "", "The file is empty.", "No header row."),
    ("a picture", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file in UTF-8", "line 1: byte 0x89"),
    ("Latin-1 text", f"{HEADER}\nA1,Acme GmbH,,DE,\nA2,Caf\xe9 Lumi\xe8re SARL,,FR,\n".encode("latin-1"),
     "not a CSV text file in UTF-8", "line 3: byte 0xe9 is not UTF-8 text"),
    ("UTF-16 text", f"{HEADER}\nA1,Acme GmbH,,DE,\n".encode("utf-16"), "not a CSV text file in UTF-8", "line 1:"),
    ("NUL bytes", f"{HEADER}\nA1,Acme GmbH,,DE,\nA2,Acme\x00Corp,,US,\n", "not a CSV text file", "line 3: a NUL byte"),
    ("every row bad", f"{HEADER}\nA1,,,DE,\nA2,Acme,,Germany,\n", "none of the 2 row(s)", "line 3: country 'Germany'"),
]


@pytest.mark.parametrize(("case", "content", "message", "detail"), UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_an_unusable_import_file_fails_clearly_and_writes_nothing(app, two_partners, tmp_path, case, content,
                                                                  message, detail):
    result = _run(app, "import", _file(tmp_path, "in.csv", content))
    assert result.exit_code == 1, result.output
    assert message in result.output and detail in result.output, result.output
    assert "Traceback" not in result.output
    _nothing_written()


@pytest.mark.parametrize(("case", "content", "message", "detail"), UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_an_unusable_match_file_fails_clearly_and_leaves_no_output(app, two_partners, tmp_path, case, content,
                                                                   message, detail):
    out = tmp_path / "out.csv"
    result = _run(app, "match", _file(tmp_path, "in.csv", content), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert message.replace("Nothing imported", "Nothing checked") in result.output and detail in result.output
    assert not out.exists()


def test_bad_rows_are_reported_by_line_and_the_rest_is_imported(app, two_partners, tmp_path):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    content = (f"{HEADER},partner_id,families,status,submitted_on\n"
               f"G1,Brivenka Solar AG,brivenka.de,DE,Kiel,{two_partners.a.id},hardware,,2024-02-29\n"
               "B1,Kalomira Tools,,US,,999999,,,\n"
               "B2,Zopelvenra Foods,,US,,abc,,,\n"
               "B3,Pelzora Capital,,GB,,,,,2024-13-45\n"
               "B4,Quavendra Robotics,,DE,,,,,31/12/2023\n"
               f"B5,Nelvaro Systems,,DE,,,,,{tomorrow}\n"
               "B6,Orvessa Labs,not a domain,DE,,,,,\n"
               "B7,Talvenor Mining,,XX,,,,,\n"
               "B8,Ilmaro Freight,,DE,,,Hard Ware!,,\n"
               "B9,Sevrano Foods,,DE,,,,maybe,\n"
               "\n"
               "G2,Ardentwick Tools,,,,,,,\n")
    result = _run(app, "import", _file(tmp_path, "legacy.csv", content), "--partner-id", str(two_partners.b.id))
    assert result.exit_code == 0, result.output
    for expected in ("line 3: partner_id '999999' is not a partner", "line 4: partner_id 'abc' is not a partner",
                     "line 5: submitted_on '2024-13-45' is not a date (YYYY-MM-DD)",
                     "line 6: submitted_on '31/12/2023' is not a date",
                     f"line 7: submitted_on '{tomorrow}' is in the future",
                     "line 8: domain 'not a domain'", "line 9: country 'XX'", "line 10: families 'Hard Ware!'",
                     "line 11: status 'maybe'", "Imported 2 registration(s)", "9 bad row(s) skipped"):
        assert expected in result.output, (expected, result.output)
    regs = {r.external_ref: r for r in db.session.query(Registration)}
    assert set(regs) == {"G1", "G2"}
    assert regs["G1"].partner_id == two_partners.a.id and regs["G1"].submitted_at.date() == date(2024, 2, 29)
    assert regs["G2"].partner_id == two_partners.b.id and regs["G2"].status == "approved"


def test_an_unknown_partner_option_or_families_option_is_refused(app, two_partners, tmp_path):
    path = _file(tmp_path, "ok.csv", f"{HEADER}\nA1,Acme GmbH,,DE,\n")
    result = _run(app, "import", path, "--partner-id", "999999")
    assert result.exit_code == 1 and "No partner with id 999999" in result.output
    result = _run(app, "import", path, "--families", "hard ware!")
    assert result.exit_code == 1 and "--families lists product family names" in result.output
    result = _run(app, "import", path, "--partner-id", "abc")
    assert result.exit_code == 2 and "'abc' is not a valid integer" in result.output
    _nothing_written()


def test_files_that_cannot_be_opened_or_written(app, two_partners, tmp_path):
    result = _run(app, "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "Cannot read" in result.output and "No such file" in result.output
    path = _file(tmp_path, "q.csv", f"{HEADER}\nQ1,Acme GmbH,,DE,\n")
    result = _run(app, "match", path, "--out", str(tmp_path / "missing-dir" / "out.csv"))
    assert result.exit_code == 1 and "Cannot write" in result.output and "Traceback" not in result.output


def test_match_skips_bad_rows_and_keeps_going(app, two_partners, tmp_path):
    _run(app, "import", _file(tmp_path, "pool.csv", f"{HEADER}\nL1,Siemens Aktiengesellschaft,siemens.com,DE,\n"),
         "--partner-id", str(two_partners.a.id))
    queries = (f"{HEADER},families\nQ1,Siemens AG,,DE,,\n,Nameless ref,,DE,,\nQ3,Siemens,,Germany,,\n"
               "Q4,Siemens AG,,DE,,Hard Ware!\nQ5,SIEMENS AKTIENGESELLSCHAFT,,DE,,hardware\n")
    out = tmp_path / "out.csv"
    result = _run(app, "match", _file(tmp_path, "q.csv", queries), "--out", str(out))
    assert result.exit_code == 0, result.output
    for expected in ("line 3: ref is empty", "line 4: country 'Germany'", "line 5: families 'Hard Ware!'",
                     "Checked 2 companies", "2 match(es); 3 bad row(s) skipped"):
        assert expected in result.output, (expected, result.output)
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        f"Q1,L1,{_id('L1')},1.0000,name", f"Q5,L1,{_id('L1')},1.0000,name"]


def _id(ref: str) -> int:
    return db.session.query(Registration).filter_by(external_ref=ref).one().id
