"""Second-factor codes under concurrency: a TOTP or recovery code lets exactly one log-in through."""
from __future__ import annotations

import os
import threading
import uuid

import pyotp
import pytest
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import AuditEntry, OutboxEmail
from portal.models.mfa import RecoveryCode
from tests.factories import PASSWORD
from tests.security.mfa_support import ORIGIN, audit_actions, enrol, logged_in, password_step, required  # noqa: F401 - fixture


# --- races (PostgreSQL, real commits) ---------------------------------------------------------

IS_PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture(scope="module")
def committed_app(app):
    from tests.orders.committed import make_app, restore_celery

    other = make_app(os.environ["TEST_DATABASE_URL"], MFA_REQUIRED_ROLES=(), RATELIMIT_ENABLED=False)
    yield other
    restore_celery(app)
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def committed_user(committed_app):
    """A committed admin with TOTP on; deleted (with its factors, codes, sessions) afterwards."""
    from portal.models import User
    from portal.services import auth

    with committed_app.app_context():
        user = User(email=f"race-{uuid.uuid4().hex[:8]}@example.com", name="Racer", role="admin",
                    password_hash=auth.hash_password(PASSWORD))
        db.session.add(user)
        db.session.flush()
        secret, codes = enrol(user)
        db.session.commit()
        made = (user.id, user.email, secret, codes)
    yield made
    with committed_app.app_context():
        db.session.execute(delete(AuditEntry).where(AuditEntry.object_type == "users", AuditEntry.object_id == made[0]))
        db.session.execute(delete(OutboxEmail).where(OutboxEmail.recipient == made[1]))
        db.session.execute(delete(User).where(User.id == made[0]))
        db.session.commit()


def _race(committed_app, email: str, code: str, count: int = 8) -> list[bool]:
    """`count` clients pass the password step, then send the same code at the same moment."""
    clients = []
    for _ in range(count):
        client = committed_app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.headers["Location"].endswith("/login/verify")
        clients.append(client)
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = clients[i].post("/login/verify", data={"code": code}).status_code == 302
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_PG, reason="races need PostgreSQL: set TEST_DATABASE_URL")
def test_concurrent_log_ins_with_the_same_totp_code_let_only_one_in(committed_app, committed_user):
    _, email, secret, _codes = committed_user
    results = _race(committed_app, email, pyotp.TOTP(secret).now())
    assert results.count(True) == 1, results


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_PG, reason="races need PostgreSQL: set TEST_DATABASE_URL")
def test_concurrent_log_ins_with_the_same_recovery_code_let_only_one_in(committed_app, committed_user):
    user_id, email, _secret, codes = committed_user
    results = _race(committed_app, email, codes[0])
    assert results.count(True) == 1, results
    with committed_app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_not(None))) == 1
