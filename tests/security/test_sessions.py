"""Audit item "sessions": log-out really ends the session, and sessions are revocable server-side
(log-out, password change, sign out everywhere, admin deactivation, team removal)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal.db import utcnow
from tests.crosspartner import covers
from portal.extensions import db
from portal.models import AuditEntry, UserSession
from portal.services import auth, sessions
from portal.tasks import prune_sessions
from tests.factories import PASSWORD
from tests.queries import count_queries

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def _browser(user=None, remember=False, agent=FIREFOX, ip="198.51.100.7"):
    """A fresh test client, logged in through the real log-in form when `user` is given."""
    client = current_app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": ip})
    if user is not None:
        data = {"email": user.email, "password": PASSWORD}
        if remember:
            data["remember"] = "y"
        r = client.post("/login", data=data)
        assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard"), r.data
    return client


def _logged_in(client) -> bool:
    r = client.get("/account/")
    return r.status_code == 200


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _with_cookies(**cookies):
    client = _browser()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _rows(user):
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)))


def _session_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'/account/sessions/(\d+)/revoke', html)]


def test_a_session_cookie_copied_before_logout_is_refused_after_it(two_partners):
    user = two_partners.a_user
    browser = _browser(user)
    stolen = _cookie(browser, "session")
    assert _logged_in(_with_cookies(session=stolen))  # the copy works while the session lives
    assert browser.post("/logout").status_code == 302
    replay = _with_cookies(session=stolen)
    r = replay.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    row, = _rows(user)
    assert row.revoked_at is not None and row.revoked_reason == "logout"


def test_a_remember_cookie_copied_before_logout_is_refused_after_it(two_partners):
    user = two_partners.a_user
    browser = _browser(user, remember=True)
    remember = _cookie(browser, "remember_token")
    assert remember
    assert _logged_in(_with_cookies(remember_token=remember))  # the browser was closed: still in
    browser.post("/logout")
    assert _cookie(browser, "remember_token") is None  # the browser forgets it ...
    assert not _logged_in(_with_cookies(remember_token=remember))  # ... and a copy is refused


def test_the_remember_cookie_lives_as_long_as_its_session_not_a_year(two_partners):
    browser = _browser(two_partners.a_user, remember=True)
    row, = _rows(two_partners.a_user)
    assert row.remember and row.expires_at - row.created_at == timedelta(days=30)
    remember = _cookie(browser, "remember_token")
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert not _logged_in(_with_cookies(remember_token=remember))


def test_the_old_cookie_format_is_refused(two_partners):
    user = two_partners.a_user  # the cookie the portal used to set: "<id>:<auth_version>"
    client = _browser()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = f"{user.id}:{user.auth_version}", True
    assert not _logged_in(client)


def test_log_in_starts_a_new_session_and_drops_what_the_browser_had(two_partners):
    user = two_partners.a_user
    client = _browser()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_user_id"] = "fixed-by-an-attacker"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        first_key = session["_user_id"]
        assert "planted" not in session and first_key != "fixed-by-an-attacker"
    client.post("/logout")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert session["_user_id"] != first_key
    rows = _rows(user)
    assert len(rows) == 2 and rows[0].revoked_at is not None and rows[1].revoked_at is None
    assert sessions.digest(first_key) == rows[0].key_digest and first_key not in rows[0].key_digest


def test_password_change_signs_out_every_other_session(two_partners):
    user = two_partners.a_user
    here, there = _browser(user), _browser(user, remember=True, agent=SAFARI)
    there_remember = _cookie(there, "remember_token")
    r = here.post("/account/password", data={"pw-current": PASSWORD, "pw-password": "a-new-password-1",
                                              "pw-confirm": "a-new-password-1"})
    assert r.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(there)
    assert not _logged_in(_with_cookies(remember_token=there_remember))
    live = sessions.active_sessions(user)
    assert len(live) == 1 and live[0].user_agent == FIREFOX
    assert {r.revoked_reason for r in _rows(user) if r.revoked_at} == {"password_changed"}


def test_a_wrong_current_password_changes_nothing(two_partners):
    user = two_partners.a_user
    here, there = _browser(user), _browser(user)
    r = here.post("/account/password", data={"pw-current": "wrong", "pw-password": "a-new-password-1",
                                              "pw-confirm": "a-new-password-1"})
    assert r.status_code == 400 and b"not your current password" in r.data
    assert _logged_in(here) and _logged_in(there)


def test_a_reset_link_signs_out_every_session(two_partners):
    user = two_partners.a_user
    old = _browser(user, remember=True)
    old_remember = _cookie(old, "remember_token")
    anon = _browser()
    raw = auth.create_link(user, "reset")  # the link "forgot password" e-mails
    r = anon.post(f"/password/reset/{raw}", data={"password": "reset-password-1", "confirm": "reset-password-1"})
    assert r.status_code == 302
    assert _logged_in(anon)  # the link logs its browser in, with a new session
    assert not _logged_in(old) and not _logged_in(_with_cookies(remember_token=old_remember))
    assert len(sessions.active_sessions(user)) == 1
    assert [r.revoked_reason for r in _rows(user)][0] == "password_changed"


def test_sign_out_everywhere_else(two_partners):
    user = two_partners.a_admin
    here = _browser(user)
    others = [_browser(user, agent=SAFARI, ip="203.0.113.9"), _browser(user, remember=True)]
    r = here.post("/account/sessions/revoke-others", follow_redirects=True)
    assert r.status_code == 200 and b"2 other sessions ended" in r.data
    assert _logged_in(here)
    assert not any(_logged_in(o) for o in others)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_revoke"))
    assert entry.actor_id == user.id and "2 sessions" in entry.summary


def test_the_account_page_lists_and_revokes_sessions(two_partners):
    user = two_partners.a_user
    here = _browser(user)
    phone = _browser(user, agent=SAFARI, ip="203.0.113.9")
    html = here.get("/account/").data.decode()
    assert html.count('data-testid="session-row"') == 2
    assert "Firefox on Windows" in html and "Safari on iOS" in html and "203.0.113.9" in html
    assert html.count('data-testid="this-session"') == 1
    phone_row = next(r for r in _rows(user) if r.user_agent == SAFARI)
    assert _session_ids(html) == [phone_row.id]  # a sign-out button for every other session
    r = here.post(f"/account/sessions/{phone_row.id}/revoke", follow_redirects=True)
    assert r.status_code == 200 and b"Safari on iOS" in r.data and b"is signed out" in r.data
    assert not _logged_in(phone) and _logged_in(here)
    html = here.get("/account/").data.decode()
    assert html.count('data-testid="session-row"') == 1 and _session_ids(html) == []
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.session_revoke"))


def test_revoking_this_session_logs_out(two_partners):
    user = two_partners.a_user
    here = _browser(user)
    row, = _rows(user)
    r = here.post(f"/account/sessions/{row.id}/revoke")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert not _logged_in(here)


@covers("account.revoke_session")
def test_another_users_session_cannot_be_revoked(two_partners):
    mine, theirs = two_partners.a_user, two_partners.b_user
    here, victim = _browser(mine), _browser(theirs)
    their_row, = _rows(theirs)
    r = here.post(f"/account/sessions/{their_row.id}/revoke")
    assert r.status_code == 404
    assert here.post("/account/sessions/999999999/revoke").status_code == 404
    assert here.post("/account/sessions/99999999999999999999999/revoke").status_code == 404
    assert _logged_in(victim) and their_row.revoked_at is None
    assert _browser().post(f"/account/sessions/{their_row.id}/revoke").status_code == 302  # to log-in


def test_admin_deactivation_ends_every_session_even_after_reactivation(two_partners):
    user, admin = two_partners.b_user, _browser(two_partners.admin)
    victim = _browser(user, remember=True)
    remember = _cookie(victim, "remember_token")
    data = {"email": user.email, "name": user.name, "role": user.role, "partner_id": str(user.partner_id)}
    assert admin.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302  # "active" unticked
    assert user.active is False
    assert {r.revoked_reason for r in _rows(user)} == {"deactivated"}
    assert admin.post(f"/admin/users/{user.id}/edit", data={**data, "active": "y"}).status_code == 302
    assert user.active is True
    assert not _logged_in(victim) and not _logged_in(_with_cookies(remember_token=remember))


@covers("admin.end_user_sessions")
def test_an_admin_signs_a_user_out_everywhere_from_the_users_page(two_partners):
    user, admin = two_partners.b_user, _browser(two_partners.admin)
    laptop, phone = _browser(user, remember=True), _browser(user, agent=SAFARI)
    remember = _cookie(laptop, "remember_token")
    page = admin.get(f"/admin/users/{user.id}/edit").data.decode()
    assert page.count('data-testid="session-row"') == 2 and "iPhone" in page and "Sign out everywhere" in page
    r = admin.post(f"/admin/users/{user.id}/sessions/end")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/users/{user.id}/edit")
    assert not _logged_in(laptop) and not _logged_in(phone) and not _logged_in(_with_cookies(remember_token=remember))
    assert {r.revoked_reason for r in _rows(user)} == {"ended_by_admin"} and user.active is True
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sessions_revoke")).one()
    assert entry.object_id == user.id and "Ended 2 sessions" in entry.summary
    assert "Not logged in anywhere." in admin.get(f"/admin/users/{user.id}/edit").data.decode()
    assert _logged_in(admin)  # the admin's own session stays
    assert admin.post(f"/admin/users/{two_partners.admin.id}/sessions/end").status_code == 403  # own: account page
    assert admin.post("/admin/users/2147483647/sessions/end").status_code == 404
    partner_admin = _browser(two_partners.a_admin)
    assert partner_admin.post(f"/admin/users/{user.id}/sessions/end").status_code in (403, 404)
    assert _rows(two_partners.a_admin)[-1].revoked_at is None


def test_a_partner_admin_removing_a_member_ends_its_sessions(two_partners):
    member = two_partners.a_user
    boss = _browser(two_partners.a_admin)
    victim = _browser(member)
    r = boss.post(f"/team/users/{member.id}/edit", data={"email": member.email, "name": member.name,
                                                         "role": member.role})
    assert r.status_code == 302 and member.active is False
    assert not _logged_in(victim) and _logged_in(boss)
    assert {r.revoked_reason for r in _rows(member)} == {"deactivated"}


def test_idle_and_absolute_limits(two_partners):
    user = two_partners.a_user
    idle, lasting = _browser(user), _browser(user)
    first, second = _rows(user)
    cfg = current_app.config
    first.last_seen_at = utcnow() - timedelta(minutes=cfg["SESSION_IDLE_MINUTES"], seconds=1)
    second.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert not _logged_in(idle) and not _logged_in(lasting)
    assert second.expires_at - second.created_at < timedelta(hours=cfg["SESSION_LIFETIME_HOURS"], seconds=1)
    assert sessions.active_sessions(user) == []


def test_last_seen_is_written_every_few_minutes_not_every_request(two_partners):
    user = two_partners.a_user
    browser = _browser(user, ip="198.51.100.7")
    row, = _rows(user)
    with count_queries() as statements:
        assert browser.get("/dashboard").status_code == 200
    assert not [s for s in statements if "user_sessions" in s and not s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in statements if "user_sessions" in s]) == 1  # one lookup, user and partner joined
    earlier = utcnow() - timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"] + 5)
    row.last_seen_at = earlier
    db.session.flush()
    browser.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    with count_queries() as statements:
        assert browser.get("/dashboard").status_code == 200
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE user_sessions".upper())]) == 1
    db.session.refresh(row)
    assert row.last_seen_at > earlier and row.ip == "203.0.113.50"


def test_the_api_is_unaffected(two_partners, api):
    user = two_partners.a_user
    client = api(user)
    browser = _browser(user)
    browser.post("/account/sessions/revoke-others")
    browser.post("/logout")
    assert client.get("/me").status_code == 200  # bearer tokens are not sessions
    copied = _with_cookies(session=_cookie(browser, "session") or "")
    assert copied.get("/api/v1/me").status_code == 401  # and a session never authenticates the API


def test_viewing_as_keeps_working_and_log_out_ends_the_admins_session(two_partners):
    admin, target = two_partners.admin, two_partners.a_user
    browser = _browser(admin)
    assert browser.post(f"/admin/users/{target.id}/view-as").status_code == 302
    page = browser.get("/account/").data.decode()
    assert target.email in page and 'data-testid="session-row"' not in page  # not the viewed user's
    stolen = _cookie(browser, "session")
    assert browser.post("/logout").status_code == 302
    row, = _rows(admin)
    assert row.revoked_reason == "logout" and _rows(target) == []
    assert not _logged_in(_with_cookies(session=stolen))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.impersonate_stop"))


def test_ended_sessions_are_pruned_after_a_while(two_partners):
    user = two_partners.a_user
    _browser(user), _browser(user)
    old, recent = _rows(user)
    old.revoked_at = utcnow() - timedelta(days=current_app.config["SESSION_KEEP_DAYS"] + 1)
    db.session.flush()
    assert prune_sessions.run() == 1
    assert _rows(user) == [recent]


@pytest.mark.parametrize("agent, label", [
    (FIREFOX, "Firefox on Windows"), (SAFARI, "Safari on iOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
     "Chrome on Linux"),
    ("curl/8.5.0", "curl/8.5.0"), ("", "Unknown device"), (None, "Unknown device"),
])
def test_device_labels(agent, label):
    assert sessions.describe_agent(agent) == label


def test_a_long_user_agent_is_cut(two_partners):
    _browser(two_partners.a_user, agent="x" * 5000)
    row, = _rows(two_partners.a_user)
    assert len(row.user_agent) == sessions.USER_AGENT_MAX

