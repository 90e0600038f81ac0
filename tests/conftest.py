"""Test set-up: one app per session, the schema migrated once, each test in a rolled-back
transaction. SQLite by default; PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from catalog.services.browse import forget_families
from portal import create_app
from portal.extensions import db
from tests import factories

TEST_DB_URL = os.environ.get("TEST_DATABASE_URL", "")


def _database_url(tmp_root: Path) -> str:
    return TEST_DB_URL or f"sqlite:///{tmp_root / 'test.sqlite3'}"


class IsolatedClient(FlaskClient):
    """Each request gets a fresh app context (so `g`, the session scope and Flask-Login's
    cached user never leak from one request, or from the test, into the next)."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        db.session.flush()  # the request sees what the test set up ...
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # ... and the test sees what the request changed
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("portal")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(root),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",  # fast hashing in tests only
        "SESSION_COOKIE_SECURE": True,
        "PORTAL_BASE_URL": "http://portal.test",
        "CELERY_BROKER_URL": None,
        "CAMPAIGN_PRICE_CACHE_SECONDS": 0,  # every test sees its own campaigns
        "RATELIMIT_ENABLED": False,  # request limits off; tests/security/test_throttling.py turns them on
        "MFA_REQUIRED_ROLES": (),  # staff log-ins in tests need no second factor; tests/security/test_mfa.py turns it on
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        reset_schema()
    yield app


def reset_schema() -> None:
    """Drop everything and migrate an empty database to head (exercises the migrations)."""
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


@pytest.fixture(autouse=True)
def _db(app: Flask) -> Iterator[None]:
    """Run the test inside a transaction that is rolled back; commits become savepoints."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # every session of this test binds to this connection
        forget_families()  # process-level caches start empty in every test
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def two_partners() -> factories.TwoPartners:
    """Partner A and partner B, each with an admin and a sales rep, plus staff."""
    return factories.two_partners()


def login_as(client: FlaskClient, user) -> FlaskClient:
    """Log `user` in on `client` (through the session, not the log-in form): a real server-side
    session row, whose key the Flask session carries."""
    key = factories.start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return client


@pytest.fixture
def login(client: FlaskClient):
    def _login(user):
        return login_as(client, user)

    return _login


@pytest.fixture
def api():
    """`api(user)` -> a small JSON client authenticated with a fresh token of `user`."""
    return factories.api_for
