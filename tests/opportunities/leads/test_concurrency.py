"""Two partners claiming the same lead at the same moment: one winner, one 409 "already taken".
Real transactions on PostgreSQL, one connection per thread."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import delete

from opportunities.leads.models import Lead
from opportunities.leads.services import LeadConflict, ownership
from portal.extensions import db
from portal.models import Partner, User
from portal.services import tokens
from tests.factories import make_partner, make_user
from tests.opportunities.leads.helpers import make_lead

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="concurrent claims need PostgreSQL: set TEST_DATABASE_URL"),
]


@contextmanager
def committed_world(app, partners: int) -> Iterator[dict]:
    """Partners, users, tokens and a pool lead committed for real (the test's rolled-back
    transaction is set aside), removed again afterwards."""
    connection = db.engines[None]
    db.engines[None] = connection.engine
    ids: dict = {}
    try:
        with app.app_context():
            staff = make_user(role="partner_manager")
            world = {"partners": [], "users": [], "tokens": []}
            for n in range(partners):
                partner = make_partner(region="EMEA", tier="gold")
                user = make_user(partner, "partner_user")
                _, raw = tokens.issue_token(None, user, "race")
                world["partners"].append(partner.id)
                world["users"].append(user.id)
                world["tokens"].append(raw)
            world["lead"] = make_lead(staff).id
            world["staff"] = staff.id
            db.session.commit()
            ids = world
        yield world
    finally:
        with app.app_context():
            if ids:
                db.session.execute(delete(Lead).where(Lead.id == ids["lead"]))
                db.session.execute(delete(User).where(User.id.in_(ids["users"] + [ids["staff"]])))
                db.session.execute(delete(Partner).where(Partner.id.in_(ids["partners"])))
                db.session.commit()
        db.engines[None] = connection


def _claim_in_thread(app, partner_id: int, user_id: int, lead_id: int, results: list,
                     before_commit: threading.Event | None = None, hold: threading.Event | None = None) -> None:
    with app.app_context():
        try:
            lead = db.session.get(Lead, lead_id)
            ownership.claim_lead(db.session.get(Partner, partner_id), db.session.get(User, user_id), lead)
            if before_commit is not None:
                before_commit.set()  # the row is now locked by this transaction
                hold.wait(10)
            db.session.commit()
            results.append(("won", partner_id))
        except LeadConflict as exc:
            db.session.rollback()
            results.append((exc.status, exc.code))


def test_the_second_claim_waits_for_the_first_and_gets_already_taken(app):
    with committed_world(app, 2) as world:
        (pa, pb), (ua, ub), lead_id = world["partners"], world["users"], world["lead"]
        results: list = []
        locked, release = threading.Event(), threading.Event()
        first = threading.Thread(target=_claim_in_thread, args=(app, pa, ua, lead_id, results, locked, release))
        first.start()
        assert locked.wait(10)
        second = threading.Thread(target=_claim_in_thread, args=(app, pb, ub, lead_id, results))
        second.start()
        time.sleep(0.5)
        assert second.is_alive() and results == []  # blocked on the first claim's row lock
        release.set()
        first.join(10)
        second.join(10)
        assert results == [("won", pa), (409, "already_taken")]
        with app.app_context():
            lead = db.session.get(Lead, lead_id)
            assert (lead.status, lead.owner_partner_id, lead.owner_user_id) == ("claimed", pa, ua)


def test_many_partners_claim_at_once_through_the_api_one_wins(app):
    with committed_world(app, 6) as world:
        barrier = threading.Barrier(6)
        statuses: list = []

        def claim(token: str) -> None:
            with app.app_context():  # the test client flushes this thread's session first
                client = app.test_client()
                barrier.wait(10)
                response = client.post(f"/api/v1/leads/{world['lead']}/claim",
                                       headers={"Authorization": f"Bearer {token}"})
                statuses.append((response.status_code, response.get_json()))

        threads = [threading.Thread(target=claim, args=(t,)) for t in world["tokens"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        codes = sorted(code for code, _ in statuses)
        assert codes == [200, 409, 409, 409, 409, 409], statuses
        winner = next(body for code, body in statuses if code == 200)
        assert winner["status"] == "claimed" and winner["owner_partner_id"] in world["partners"]
        losers = [body for code, body in statuses if code == 409]
        assert all(b["error"]["code"] == "already_taken" for b in losers)
        with app.app_context():
            lead = db.session.get(Lead, world["lead"])
            assert lead.owner_partner_id == winner["owner_partner_id"]


def test_an_activity_recorded_while_the_fall_back_job_runs_keeps_the_lead(app):
    from datetime import timedelta

    from opportunities.leads.services.lapses import run_lapses
    from portal.db import utcnow

    with committed_world(app, 1) as world:
        [pa], [ua], lead_id = world["partners"], world["users"], world["lead"]
        with app.app_context():
            ownership.claim_lead(db.session.get(Partner, pa), db.session.get(User, ua),
                                 db.session.get(Lead, lead_id), now=utcnow() - timedelta(days=8))
            db.session.commit()
        locked, release, reports = threading.Event(), threading.Event(), []

        def follow_up() -> None:
            with app.app_context():
                ownership.record_activity(db.session.get(Partner, pa), db.session.get(User, ua),
                                          db.session.get(Lead, lead_id), "call", "Just in time")
                locked.set()
                release.wait(10)
                db.session.commit()

        def job() -> None:
            with app.app_context():
                reports.append(run_lapses())
                db.session.commit()

        first = threading.Thread(target=follow_up)
        first.start()
        assert locked.wait(10)
        second = threading.Thread(target=job)
        second.start()
        time.sleep(0.5)
        assert second.is_alive()  # the job waits for the activity's row lock
        release.set()
        first.join(10)
        second.join(10)
        assert reports[0].fell_back == 0
        with app.app_context():
            lead = db.session.get(Lead, lead_id)
            assert lead.status == "claimed" and lead.owner_partner_id == pa and lead.due_at > utcnow()
