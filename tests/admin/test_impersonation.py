"""Read-only impersonation: only admins, only partner users; the portal exactly as the user sees
it; every change refused; a banner on every page; audited start and stop; the API unaffected."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extension_points import NotificationKind, registry
from portal.extensions import db
from portal.models import AuditEntry, Notification, User
from portal.services import notifications
from portal.services.impersonation import SESSION_KEY
from tests.crosspartner import covers
from tests.factories import make_user

KIND = NotificationKind("test_view_as", "Something (view-as test)")


@pytest.fixture(autouse=True)
def _test_kind(app, monkeypatch):
    monkeypatch.setitem(registry(app).notification_kinds, KIND, KIND.label)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _view_as(client, login, admin: User, target: User):
    login(admin)
    return client.post(f"/admin/users/{target.id}/view-as")


def test_partner_page_offers_view_as_for_partner_users_to_admins_only(client, login, two_partners):
    a = two_partners
    login(a.admin)
    html = client.get(f"/admin/partners/{a.a.id}").data.decode()
    assert f"/admin/users/{a.a_user.id}/view-as" in html and f"/admin/users/{a.a_admin.id}/view-as" in html
    login(a.manager)
    assert "/view-as" not in client.get(f"/admin/partners/{a.a.id}").data.decode()


def test_admin_sees_the_portal_as_the_partner_user_with_a_banner(client, login, two_partners):
    a = two_partners
    r = _view_as(client, login, a.admin, a.a_admin)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    start, = _audit("user.impersonate_start")
    assert (start.actor_id, start.object_id, start.partner_id) == (a.admin.id, a.a_admin.id, a.a.id)
    html = client.get("/dashboard").data.decode()
    assert 'data-testid="impersonation-banner"' in html
    banner = html[html.index("impersonation-banner"):html.index("</nav>")]
    assert a.a_admin.name in banner and a.a_admin.email in banner and a.admin.email in banner
    assert "Alpha Partners" in banner and "/view-as/stop" in banner
    assert "Alpha Partners" in html[html.index("<main"):]  # the partner's own dashboard
    assert 'href="/team/users"' in html and 'href="/admin/users"' not in html  # the partner's navigation
    assert client.get("/admin/partners").status_code == 403  # no staff pages
    assert client.get(f"/team/users/{a.b_user.id}/edit").status_code == 404  # tenancy: another partner
    assert client.get(f"/team/users/{a.a_user.id}/edit").status_code == 200
    assert 'data-testid="impersonation-banner"' in client.get("/account/").data.decode()


def test_every_change_is_refused_while_viewing(client, login, two_partners):
    a = two_partners
    _view_as(client, login, a.admin, a.a_admin)
    users_before = db.session.scalar(select(func.count(User.id)))
    r = client.post("/team/users/new", data={"email": "new@alpha.example", "name": "New", "role": "partner_user"})
    assert r.status_code == 403 and b"Read-only: you are viewing the portal as" in r.data
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert client.post("/notifications/read-all").status_code == 403
    assert client.post(f"/admin/users/{a.a_user.id}/view-as").status_code == 403  # no nesting
    assert client.delete("/dashboard").status_code == 403
    r = client.post("/account/tokens", json={"name": "x"}, headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "read_only_impersonation"
    assert 'data-testid="impersonation-banner"' in client.get("/dashboard").data.decode()  # still viewing


def test_a_get_that_would_save_something_is_refused_too(client, login, two_partners):
    a = two_partners
    with client.application.test_request_context():
        note, = notifications.notify([a.a_admin], KIND, "Read me", link="/dashboard")
    _view_as(client, login, a.admin, a.a_admin)
    assert b"Read me" in client.get("/notifications/").data  # the viewed user's notifications
    assert client.get(f"/notifications/{note.id}").status_code == 403
    assert db.session.get(Notification, note.id).read_at is None


def test_stop_returns_to_the_admin_and_is_audited(client, login, two_partners):
    a = two_partners
    _view_as(client, login, a.admin, a.a_user)
    r = client.post("/view-as/stop")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/partners/{a.a.id}")
    html = client.get("/admin/partners").data.decode()
    assert client.get("/admin/partners").status_code == 200 and "impersonation-banner" not in html
    with client.session_transaction() as session:
        assert SESSION_KEY not in session
    stop, = _audit("user.impersonate_stop")
    assert (stop.actor_id, stop.object_id, stop.partner_id) == (a.admin.id, a.a_user.id, a.a.id)
    assert "(stopped)" in stop.summary
    assert client.post("/view-as/stop").status_code == 302  # not viewing: harmless


def test_logging_out_ends_the_viewing(client, login, two_partners):
    a = two_partners
    _view_as(client, login, a.admin, a.a_user)
    r = client.post("/logout")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/dashboard").status_code == 302
    with client.session_transaction() as session:
        assert SESSION_KEY not in session and "_user_id" not in session
    stop, = _audit("user.impersonate_stop")
    assert "logged out" in stop.summary and stop.actor_id == a.admin.id


@covers("admin.start_impersonation")
def test_only_admins_may_view_as_and_only_partner_users(client, login, two_partners):
    a = two_partners
    for user in (a.manager, a.ops, a.a_admin, a.b_user):
        login(user)
        assert client.post(f"/admin/users/{a.a_user.id}/view-as").status_code == 403, user.role
    login(a.admin)
    other_admin = make_user(role="admin")
    for target, words in ((other_admin, b"never an administrator"), (a.manager, b"never an administrator"),
                          (a.admin, b"yourself")):
        r = client.post(f"/admin/users/{target.id}/view-as")
        assert r.status_code == 403 and words in r.data
    a.b_user.active = False
    a.b.status = "suspended"
    inactive = make_user(a.a, "partner_user", active=False)
    assert b"deactivated" in client.post(f"/admin/users/{inactive.id}/view-as").data
    assert b"suspended" in client.post(f"/admin/users/{a.b_admin.id}/view-as").data
    assert client.post("/admin/users/999999/view-as").status_code == 404
    assert _audit("user.impersonate_start") == []
    assert client.get("/admin/partners").status_code == 200  # still the admin


def test_the_api_always_acts_as_the_tokens_user(client, login, two_partners, api):
    a = two_partners
    token = api(a.admin).token
    _view_as(client, login, a.admin, a.a_user)
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["email"] == a.admin.email and me["role"] == "admin"
    r = client.post("/api/v1/partners", headers=headers, json={
        "name": "Made Through API", "kind": "agent", "tier": "registered", "country": "DE", "region": "EMEA",
        "currency": "EUR", "credit_limit": "0.00", "payment_terms_days": 30})
    assert r.status_code == 201
    assert client.get("/api/v1/me").status_code == 401  # the session never authenticates the API
    assert 'data-testid="impersonation-banner"' in client.get("/dashboard").data.decode()


def test_viewing_ends_when_the_user_can_no_longer_log_in(client, login, two_partners):
    a = two_partners
    _view_as(client, login, a.admin, a.a_user)
    a.a_user.active = False
    db.session.flush()
    html = client.get("/admin/partners").data.decode()
    assert "impersonation-banner" not in html and "can no longer log in" in html  # back to the admin
    stop, = _audit("user.impersonate_stop")
    assert "no longer allowed" in stop.summary


def test_a_view_as_left_in_the_session_belongs_to_its_admin_only(client, login, two_partners):
    a = two_partners
    other_admin = make_user(role="admin")
    login(other_admin)
    with client.session_transaction() as session:
        session[SESSION_KEY] = [a.admin.id, a.a_user.id]  # not this admin's
    html = client.get("/dashboard").data.decode()
    assert "impersonation-banner" not in html and client.get("/admin/partners").status_code == 200
    client.post("/logout")
    with client.session_transaction() as session:
        session[SESSION_KEY] = [a.admin.id, a.a_user.id]
    client.post("/login", data={"email": a.admin.email, "password": "correct-horse-battery"})
    assert "impersonation-banner" not in client.get("/dashboard").data.decode()  # a log-in starts fresh
