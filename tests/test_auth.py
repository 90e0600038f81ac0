"""Log-in, log-out, throttling and lock-out, suspended partners, reset and invitation links."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry, OutboxEmail
from portal.services import auth
from tests.factories import PASSWORD, make_user


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_lands_on_the_dashboard_and_logout_ends_the_session(client, two_partners):
    r = _login(client, two_partners.a_user.email)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200 and b"Alpha Partners" in page.data
    assert client.get("/logout").status_code == 405  # log-out is a POST (CSRF-protected)
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_is_case_insensitive_on_email_and_audited(client, two_partners):
    assert _login(client, two_partners.a_user.email.upper()).status_code == 302
    assert db.session.query(AuditEntry).filter_by(action="user.login", actor_id=two_partners.a_user.id).count() == 1


def test_wrong_password_and_unknown_email_get_the_same_message(client, two_partners):
    r1 = _login(client, two_partners.a_user.email, "wrong-password")
    r2 = _login(client, "nobody@example.com", "wrong-password")
    assert r1.status_code == r2.status_code == 401
    assert b"Invalid e-mail or password." in r1.data and b"Invalid e-mail or password." in r2.data


def test_login_form_errors_are_shown_next_to_fields(client):
    r = client.post("/login", data={"email": "not-an-email", "password": ""})
    assert r.status_code == 400
    assert b"is-invalid" in r.data and b"Invalid email address." in r.data
    assert b'value="not-an-email"' in r.data  # input is kept


def test_repeated_failures_slow_down_but_never_lock(app, two_partners):
    user = two_partners.a_user
    now = utcnow()
    for i in range(3):
        with pytest.raises(auth.AuthError) as exc:
            auth.authenticate(user.email, "bad", now=now + timedelta(seconds=i * 100))
        assert exc.value.code == "login_failed"
    t = now + timedelta(seconds=200)
    # After 3 failures each attempt must wait (1 s, 2 s, 4 s ...): an immediate retry is throttled
    with pytest.raises(auth.AuthError) as exc:
        auth.authenticate(user.email, PASSWORD, now=t + timedelta(milliseconds=200))
    assert exc.value.code == "login_throttled" and "wait" in exc.value.message
    # ... even with the right password; after the wait the right password works.
    assert auth.authenticate(user.email, PASSWORD, now=t + timedelta(seconds=2)) is user
    assert user.failed_logins == 0
    # Issue 14: no lock-out any more (anyone could lock anyone out). Twelve failures in a row
    # leave the account unlocked; the wait grows but never beyond LOGIN_SLOWDOWN_MAX_SECONDS.
    clock = now + timedelta(hours=1)
    for _ in range(12):
        clock += timedelta(minutes=2)
        with pytest.raises(auth.AuthError) as exc:
            auth.authenticate(user.email, "bad", now=clock)
        assert exc.value.code == "login_failed"
    assert user.locked_until is None and user.failed_logins == 12
    with pytest.raises(auth.AuthError) as exc:
        auth.authenticate(user.email, PASSWORD, now=clock + timedelta(seconds=59))
    assert exc.value.code == "login_throttled" and exc.value.retry_after == 1
    assert auth.authenticate(user.email, PASSWORD, now=clock + timedelta(seconds=60)) is user


def test_locked_account_message_on_the_login_page(client, two_partners):
    user = two_partners.a_user
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.flush()
    r = _login(client, user.email)
    assert r.status_code == 429 and b"locked until" in r.data


def test_throttled_login_page_says_how_long_to_wait(client, two_partners):
    user = two_partners.a_user
    user.failed_logins = 5
    user.last_failed_login_at = utcnow()
    db.session.flush()
    r = _login(client, user.email)
    assert r.status_code == 429 and re.search(rb"wait \d+ s", r.data)


def test_suspended_partners_users_cannot_log_in_and_are_logged_out(client, two_partners, login):
    login(two_partners.a_user)
    assert client.get("/dashboard").status_code == 200
    two_partners.a.status = "suspended"
    db.session.flush()
    assert client.get("/dashboard").status_code == 302  # the running session ends too
    r = _login(client, two_partners.a_user.email)
    assert r.status_code == 403 and b"suspended" in r.data


def test_deactivated_user_cannot_log_in(client, two_partners):
    two_partners.a_user.active = False
    db.session.flush()
    r = _login(client, two_partners.a_user.email)
    assert r.status_code == 403 and b"deactivated" in r.data


def test_next_parameter_cannot_redirect_off_site(client, two_partners):
    r = client.post("/login?next=https://evil.example/x", data={"email": two_partners.a_user.email, "password": PASSWORD})
    assert r.headers["Location"].endswith("/dashboard")
    client.post("/logout")
    r = client.post("/login?next=/account/", data={"email": two_partners.a_user.email, "password": PASSWORD})
    assert r.headers["Location"].endswith("/account/")


def test_login_requires_csrf_token(client, two_partners, csrf_on):
    r = _login(client, two_partners.a_user.email)
    assert r.status_code == 400 and b"CSRF" in r.data
    page = client.get("/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    assert _login(client, two_partners.a_user.email, csrf_token=token).status_code == 302


def test_session_cookie_is_secure_httponly_and_samesite(client, two_partners):
    r = _login(client, two_partners.a_user.email)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(app):
    user = make_user(password="a-long-password-1")
    assert user.password_hash.startswith("pbkdf2:") and "a-long-password-1" not in user.password_hash
    assert app.config["PASSWORD_HASH_METHOD"].startswith("pbkdf2")  # tests only; default is scrypt
    from portal.config import DEFAULTS

    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"


def _link_from_outbox(recipient: str) -> str:
    email = db.session.query(OutboxEmail).filter_by(recipient=recipient).order_by(OutboxEmail.id.desc()).first()
    return re.search(r"http://portal\.test(/\S+)", email.body_text).group(1)


def test_password_reset_flow_single_use_and_expiring(client, two_partners):
    user = two_partners.a_user
    r = client.post("/password/forgot", data={"email": user.email})
    assert r.status_code == 302
    path = _link_from_outbox(user.email)
    assert client.get(path).status_code == 200
    r = client.post(path, data={"password": "short", "confirm": "short"})
    assert r.status_code == 400 and b"at least 10" in r.data.lower()
    r = client.post(path, data={"password": "brand-new-password", "confirm": "brand-new-passwerd"})
    assert r.status_code == 400 and b"The passwords differ." in r.data
    r = client.post(path, data={"password": "brand-new-password", "confirm": "brand-new-password"})
    assert r.status_code == 302
    client.post("/logout")
    assert _login(client, user.email, "brand-new-password").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 410  # used once
    # An expired link does not work either.
    client.post("/password/forgot", data={"email": user.email})
    path = _link_from_outbox(user.email)
    from portal.models import AuthLink

    link = db.session.query(AuthLink).filter_by(user_id=user.id, used_at=None).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(path).status_code == 410


def test_forgot_password_does_not_reveal_accounts(client):
    r = client.post("/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert b"If an account exists" in r.data
    assert db.session.query(OutboxEmail).count() == 0


def test_password_reset_logs_out_other_sessions(app, client, two_partners, login):
    login(two_partners.a_user)
    assert client.get("/dashboard").status_code == 200
    auth.set_password(two_partners.a_user, "another-new-password")
    db.session.flush()
    assert client.get("/dashboard").status_code == 302


def test_invitation_link_sets_password_and_logs_in(client, two_partners, login):
    login(two_partners.admin)
    r = client.post("/admin/users/new", data={"email": "invitee@example.com", "name": "Ivy", "role": "partner_user",
                                              "partner_id": str(two_partners.b.id), "active": "y"})
    assert r.status_code == 302, r.data
    client.post("/logout")
    path = _link_from_outbox("invitee@example.com")
    page = client.get(path)
    assert page.status_code == 200 and b"Welcome, Ivy" in page.data and b"Bravo Partners" in page.data
    r = client.post(path, data={"password": "invited-password", "confirm": "invited-password"})
    assert r.status_code == 302
    assert b"Bravo Partners" in client.get("/dashboard").data
    assert client.get(path).status_code == 410
