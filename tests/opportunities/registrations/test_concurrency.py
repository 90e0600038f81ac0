"""Two partners registering the same customer at the same moment: exactly one is first, the other is in review
with a conflict; concurrent events keep one unbroken chain. Real transactions on a scratch PostgreSQL database
(the event log is append-only, so these rows could not be cleaned out of the shared test database)."""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opportunities.registrations.models import Conflict, Registration
from opportunities.registrations.services.events import verify_chain
from portal.extensions import db
from portal.models import Partner, User
from tests.conftest import TEST_DB_URL
from tests.factories import make_partner, make_user
from tests.opportunities.registrations.helpers import register

pytestmark = pytest.mark.postgres_only


@contextmanager
def scratch_registry(app) -> Iterator[dict]:
    """A fresh database migrated to head with partners and users committed; dropped afterwards."""
    name = f"portal_regs_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DB_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(TEST_DB_URL).set(database=name), pool_size=10)
    saved = db.engines[None]
    db.engines[None] = engine
    try:
        with app.app_context():
            upgrade(revision="heads")
            partners = [make_partner(name=f"Racer {n}") for n in range(8)]
            users = [make_user(p, "partner_admin") for p in partners]
            db.session.commit()
            world = {"partners": [p.id for p in partners], "users": [u.id for u in users]}
        yield world
    finally:
        db.engines[None] = saved
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _register(app, partner_id: int, user_id: int, name: str, results: list, start: threading.Barrier | None = None,
              hold: threading.Event | None = None, locked: threading.Event | None = None) -> None:
    with app.app_context():
        partner, user = db.session.get(Partner, partner_id), db.session.get(User, user_id)
        if start is not None:
            start.wait(10)
        reg = register(partner, user, name)
        if locked is not None:
            locked.set()  # this transaction holds the registry lock now
            hold.wait(10)
        db.session.commit()
        results.append((reg.id, partner_id, reg.status))


def test_simultaneous_registrations_of_one_customer_have_exactly_one_first(app):
    with scratch_registry(app) as world:
        for round_ in range(4):
            results: list = []
            start = threading.Barrier(2)
            threads = [threading.Thread(target=_register, args=(
                app, world["partners"][i], world["users"][i], f"Quavendra Robotics {round_} GmbH", results, start))
                for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            statuses = sorted(status for _, _, status in results)
            assert statuses == ["in_review", "submitted"], results
            with app.app_context():
                later = next(rid for rid, _, status in results if status == "in_review")
                first = next(rid for rid, _, status in results if status == "submitted")
                conflict = db.session.query(Conflict).filter_by(registration_id=later).one()
                assert conflict.other_id == first
                assert db.session.get(Registration, first).submitted_at <= db.session.get(Registration, later).submitted_at


def test_the_second_registration_waits_for_the_first_to_commit(app):
    with scratch_registry(app) as world:
        results: list = []
        hold, locked = threading.Event(), threading.Event()
        first = threading.Thread(target=_register, args=(
            app, world["partners"][0], world["users"][0], "Brivenka Solar AG", results, None, hold, locked))
        first.start()
        assert locked.wait(10)
        second = threading.Thread(target=_register, args=(
            app, world["partners"][1], world["users"][1], "Brivenka Solar", results))
        second.start()
        with app.app_context():
            deadline = time.monotonic() + 10
            waiting = 0
            while time.monotonic() < deadline and not waiting:
                waiting = db.session.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar_one()
                db.session.rollback()
                time.sleep(0.05)
        assert waiting == 1 and not results  # blocked on the registry lock, not reading a stale registry
        hold.set()
        first.join(30)
        second.join(30)
        assert [status for _, _, status in results] == ["submitted", "in_review"]


def test_concurrent_events_keep_one_chain(app):
    with scratch_registry(app) as world:
        results: list = []
        start = threading.Barrier(8)
        threads = [threading.Thread(target=_register, args=(
            app, world["partners"][i], world["users"][i], f"Kalomitor {i} Drasil Systems", results, start))
            for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 8
        with app.app_context():
            report = verify_chain()
            assert report.ok and report.checked == 8
