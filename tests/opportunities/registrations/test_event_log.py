"""The registration event log: append-only, chained by hash, verified by `flask registrations verify-log`."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from opportunities.registrations.models import RegistrationEvent
from opportunities.registrations.models.events import GENESIS
from opportunities.registrations.services.decisions import approve_registration, reject_registration
from opportunities.registrations.services.events import verify_chain
from portal.extensions import db
from tests.opportunities.registrations.helpers import register


def _history(two_partners) -> None:
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    approve_registration(two_partners.manager, first, reject_ids=[second.id])
    third = register(two_partners.b, two_partners.b_admin, "Brivenka Solar AG")
    reject_registration(two_partners.manager, third, "Not a fit.")
    db.session.flush()


def _drop_guard() -> None:
    """What a database administrator could do: switch the append-only triggers off (rolled back with the test)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE registration_events DISABLE TRIGGER registration_events_no_change"))
    else:
        db.session.execute(text("DROP TRIGGER registration_events_no_update"))
        db.session.execute(text("DROP TRIGGER registration_events_no_delete"))


def test_every_event_is_chained(two_partners):
    _history(two_partners)
    events = db.session.query(RegistrationEvent).order_by(RegistrationEvent.seq).all()
    assert [e.event for e in events] == ["submitted", "submitted", "approved", "rejected", "submitted", "rejected"]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
    assert [e.seq for e in events] == list(range(1, 7))
    report = verify_chain()
    assert report.ok and report.checked == 6 and report.head == events[-1].hash
    assert events[1].data["conflicts"][0]["registration_id"] == events[0].registration_id  # who was first, proven


def test_the_database_refuses_changes_and_deletions(two_partners):
    _history(two_partners)
    for statement in ("UPDATE registration_events SET event = 'approved' WHERE seq = 1",
                      "DELETE FROM registration_events WHERE seq = 6"):
        nested = db.session.begin_nested()
        with pytest.raises(DBAPIError) as exc:
            db.session.execute(text(statement))
        nested.rollback()
        assert "append-only" in str(exc.value)
    assert verify_chain().ok


@pytest.mark.parametrize(("statement", "seq", "problem"), [
    ("UPDATE registration_events SET actor_label = 'someone@else.example' WHERE seq = 2", 2, "content was changed"),
    ("UPDATE registration_events SET at = at WHERE seq = 3", None, ""),
    ("DELETE FROM registration_events WHERE seq = 4", 5, "missing"),
    ("UPDATE registration_events SET data = '{}' WHERE seq = 1", 1, "content was changed"),
])
def test_tampering_is_caught_at_the_first_broken_entry(two_partners, statement, seq, problem):
    _history(two_partners)
    _drop_guard()
    db.session.execute(text(statement))
    report = verify_chain()
    assert report.broken_seq == seq
    assert problem in report.problem


def test_a_rewritten_chain_link_is_caught(two_partners):
    _history(two_partners)
    _drop_guard()
    db.session.execute(text("UPDATE registration_events SET prev_hash = :h WHERE seq = 3"), {"h": "f" * 64})
    report = verify_chain()
    assert report.broken_seq == 3 and "link" in report.problem


def test_verify_log_cli(app, two_partners):
    _history(two_partners)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["registrations", "verify-log"])
    assert ok.exit_code == 0 and "checks out: 6 entries" in ok.output
    _drop_guard()
    db.session.execute(text("UPDATE registration_events SET event = 'approved' WHERE seq = 5"))
    db.session.flush()
    bad = runner.invoke(args=["registrations", "verify-log"])
    assert bad.exit_code == 1
    assert "broken at entry 5" in bad.output and "4 entries before it check out" in bad.output


def test_empty_log_checks_out(app):
    report = verify_chain()
    assert report.ok and report.checked == 0 and report.head == GENESIS
