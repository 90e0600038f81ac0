"""Request limits (portal/limits.py) over HTTP, switched on per test with small limits."""
from __future__ import annotations

import pytest

from portal import limits


@pytest.fixture
def limited(app):
    saved = {k: v for k, v in app.config.items() if k.startswith("RATELIMIT_")}
    app.config["RATELIMIT_ENABLED"] = True
    limits.reset(app)
    try:
        yield app.config
    finally:
        app.config.update(saved)
        limits.reset(app)


def _post_login(client, email="nobody@example.com", addr="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": "wrong-password"},
                       environ_base={"REMOTE_ADDR": addr})


def test_login_limit_per_address(client, limited):
    limited["RATELIMIT_LOGIN"] = "3 per minute"
    for _ in range(3):
        assert _post_login(client).status_code != 429
    resp = _post_login(client)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 1
    body = resp.get_data(as_text=True)
    assert "Too many log-in attempts from your network" in body
    assert "nobody@example.com" in body
    assert _post_login(client, addr="10.0.0.2").status_code != 429


def test_disabled_limits_nothing(client, limited):
    limited["RATELIMIT_ENABLED"] = False
    limited["RATELIMIT_LOGIN"] = "1 per minute"
    for _ in range(4):
        assert _post_login(client).status_code != 429


def test_global_login_limit_counts_all_addresses(client, limited):
    limited["RATELIMIT_LOGIN_GLOBAL"] = "3 per minute"
    for i in range(3):
        assert _post_login(client, addr=f"10.0.1.{i}").status_code != 429
    assert _post_login(client, addr="10.0.1.99").status_code == 429


def test_forgot_password_limit(client, limited):
    limited["RATELIMIT_PASSWORD_RESET"] = "2 per minute"
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": "x@example.com"}).status_code != 429
    resp = client.post("/password/forgot", data={"email": "x@example.com"})
    assert resp.status_code == 429 and "Retry-After" in resp.headers


def test_api_requests_with_bad_tokens_are_limited_valid_ones_are_not(client, limited, two_partners, api):
    limited["RATELIMIT_API_AUTH_FAILURES"] = "3 per minute"
    bad = {"Authorization": "Bearer not-a-token"}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bad).status_code == 401
    resp = client.get("/api/v1/me", headers=bad)
    assert resp.status_code == 429 and resp.json["error"]["code"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) >= 1
    limits.reset(client.application)
    good = api(two_partners.a_user)
    for _ in range(5):  # successful calls are not counted
        assert good.get("/me").status_code == 200
    assert client.get("/api/v1/me", headers=bad).status_code == 401


def test_the_slow_down_answers_at_once_over_http_and_a_staff_account_never_locks(client, two_partners):
    from tests.factories import PASSWORD

    admin = two_partners.admin
    for _ in range(12):
        client.post("/login", data={"email": admin.email, "password": "wrong-password"})
    resp = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert resp.status_code == 429 and "wait" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) >= 1
    assert admin.locked_until is None  # slowed down, never locked


def _redis_url() -> str:
    """CI sets TEST_REDIS_URL (and Redis must answer); elsewhere the test runs when a local
    Redis answers and is skipped otherwise."""
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("TEST_REDIS_URL"):
            raise
        pytest.skip("no Redis at 127.0.0.1:6379: set TEST_REDIS_URL")
    return url


def test_workers_share_their_counts_through_redis(app):
    """Two apps (two gunicorn workers) with RATELIMIT_STORAGE_URI=redis://... count together:
    an attacker gains nothing from being spread over the workers."""
    import uuid

    from tests.orders.committed import make_app, restore_celery

    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": _redis_url(),
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "RATELIMIT_LOGIN": "3 per minute",
                "SQLALCHEMY_ENGINE_OPTIONS": {}}
    workers = [make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings) for _ in range(2)]
    restore_celery(app)
    try:
        clients = [w.test_client() for w in workers]
        answers = [_post_login(clients[i % 2]).status_code for i in range(4)]
        assert answers[:3] == [401, 401, 401] and answers[3] == 429, answers  # wrong password, then the limit
        assert _post_login(clients[0], addr="10.0.0.2").status_code == 401  # per address
        limits.reset(workers[0])
    finally:
        for worker in workers:
            with worker.app_context():
                worker.extensions["sqlalchemy"].engines[None].dispose()
    assert _post_login(clients[1]).status_code == 401  # reset: the shared count is gone
