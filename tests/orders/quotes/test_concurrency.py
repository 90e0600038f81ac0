"""Races on PostgreSQL: quote numbers created at the same moment never collide, and two managers
approving the same quote at once give one approval and one clear conflict.

These tests commit for real (each thread has its own connection), so they build their data in
committed transactions and empty every table afterwards.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from orders.quotes import services
from orders.quotes.models import Quote
from portal.extensions import db
from portal.models import Partner, User
from tests import factories
from tests.catalog.builders import build
from tests.conftest import TEST_DB_URL
from tests.orders.quotes.conftest import make_quote, server_and_licences

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not TEST_DB_URL.startswith("postgresql"),
                       reason="needs PostgreSQL (set TEST_DATABASE_URL): SQLite serialises all writes"),
]


@pytest.fixture
def committed(app) -> Iterator[Engine]:
    """Sessions bound to a real engine (not the test's rolled-back connection); tables emptied after."""
    engine = create_engine(TEST_DB_URL, pool_size=12)
    saved = db.engines[None]
    db.session.remove()
    db.engines[None] = engine
    try:
        yield engine
    finally:
        db.session.remove()
        db.engines[None] = saved
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(sorted(names))} RESTART IDENTITY CASCADE"))
        engine.dispose()


def run_at_once(app, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads that start together, each in its own app context."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = work(i)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_quotes_get_distinct_consecutive_numbers(app, committed):
    parties = factories.two_partners()
    build()
    db.session.commit()
    ids = [(parties.a.id, parties.a_user.id), (parties.b.id, parties.b_user.id)]

    def create(i: int) -> str:
        partner_id, user_id = ids[i % 2]
        partner, user = db.session.get(Partner, partner_id), db.session.get(User, user_id)
        return services.create_quote(partner, user, services.QuoteInput(lines=server_and_licences())).number

    numbers = run_at_once(app, 8, create)
    assert not [n for n in numbers if isinstance(n, Exception)], numbers
    year = numbers[0].split("-")[1]
    assert sorted(numbers) == [f"Q-{year}-{n:05d}" for n in range(1, 9)]
    assert db.session.query(Quote).count() == 8


def test_two_managers_approving_at_once_get_one_approval_and_one_conflict(app, committed):
    parties = factories.two_partners()
    build()
    quote = make_quote(parties.a, parties.a_user, "10")
    services.submit_quote(parties.a, parties.a_user, quote.id)
    db.session.commit()
    deciders, quote_id = [parties.manager.id, parties.admin.id], quote.id

    def approve(i: int) -> str:
        actor = db.session.get(User, deciders[i])
        return services.approve_quote(actor, quote_id, "10" if i == 0 else "5").status

    results = run_at_once(app, 2, approve)
    assert sorted(type(r).__name__ for r in results) == ["QuoteConflict", "str"], results
    conflict = next(r for r in results if isinstance(r, Exception))
    assert conflict.status == 409 and "already approved" in conflict.message
    db.session.expire_all()
    stored = db.session.get(Quote, quote_id)
    assert stored.status == "approved" and len([e for e in stored.events if e.action == "approved"]) == 1
