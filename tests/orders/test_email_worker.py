"""The e-mail path of orders with real components: a Celery worker on Redis sends the order
e-mails after commit; with the broker down the order still succeeds and the outbox drain sends
them later. Runs on its own SQLite file, so the worker process sees the committed rows."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import select

from orders.models import Order
from portal.extensions import db
from portal.models import OutboxEmail
from portal.outbox import drain as drain_outbox
from tests.orders.committed import build_world, make_app, restore_celery

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/11"


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_up() and not os.environ.get("CI"), reason="Redis is not running")


@pytest.fixture
def own_celery(app):
    """These tests build apps of their own; the session app's Celery comes back afterwards."""
    yield
    restore_celery(app)


def fresh_app(tmp_path: Path, broker: str):
    url = f"sqlite:///{tmp_path / 'mail.sqlite3'}"
    other = make_app(url, CELERY_BROKER_URL=broker, SQLALCHEMY_ENGINE_OPTIONS={})
    with other.app_context():
        upgrade(revision="heads")
    return other, url


def place(app, world) -> int:
    response = app.test_client().post("/api/v1/orders", json={
        "lines": [{"sku": world.skus[1], "quantity": 2}], "po_number": "MAIL-1", "payment_method": "on_account"},
        headers={"Authorization": f"Bearer {world.tokens[0]}", "Idempotency-Key": "mail"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def unsent(app) -> list[OutboxEmail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))))


def test_a_worker_on_redis_sends_the_order_emails(tmp_path, own_celery):
    redis.Redis.from_url(BROKER).flushdb()
    app, url = fresh_app(tmp_path, BROKER)
    world = build_world(app, credit_limit_minor=1_000_000)
    order_id = place(app, world)
    with app.app_context():
        assert db.session.get(Order, order_id).status == "submitted"
        queued = list(db.session.scalars(select(OutboxEmail)))
    assert queued and any("received" in e.subject for e in queued)
    env = dict(os.environ, DATABASE_URL=url, CELERY_BROKER_URL=BROKER, SECRET_KEY="worker")
    env.pop("TEST_DATABASE_URL", None)
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--pool=solo",
                               "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while unsent(app) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
        assert not unsent(app), (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
    assert "portal.deliver_email" in (tmp_path / "worker.log").read_text()


def test_with_the_broker_down_the_order_succeeds_and_the_drain_sends_later(tmp_path, own_celery):
    app, _ = fresh_app(tmp_path, "redis://127.0.0.1:1/0")  # nothing listens there
    world = build_world(app, credit_limit_minor=1_000_000)
    order_id = place(app, world)
    with app.app_context():
        assert db.session.get(Order, order_id).status == "submitted"
    waiting = unsent(app)
    assert waiting and all(e.attempts == 0 for e in waiting)
    with app.app_context():
        assert drain_outbox() == len(waiting)
    assert unsent(app) == []
