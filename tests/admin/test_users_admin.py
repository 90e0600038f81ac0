"""Back office: users of every role, and the audit log."""
from __future__ import annotations

from datetime import timedelta

from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry, User
from portal.services import audit


def test_admin_creates_staff_and_partner_users(client, two_partners, login):
    login(two_partners.admin)
    r = client.post("/admin/users/new", data={"email": "pm@example.com", "name": "PM", "role": "partner_manager",
                                              "partner_id": "", "active": "y"})
    assert r.status_code == 302
    assert db.session.query(User).filter_by(email="pm@example.com").one().partner_id is None
    r = client.post("/admin/users/new", data={"email": "rep@example.com", "name": "Rep", "role": "partner_user",
                                              "partner_id": "", "active": "y"})
    assert r.status_code == 422 and b"Choose the user&#39;s partner." in r.data


def test_admin_edits_role_and_deactivates(client, two_partners, login):
    login(two_partners.admin)
    target = two_partners.b_user
    r = client.post(f"/admin/users/{target.id}/edit", data={
        "email": target.email, "name": "Renamed", "role": "partner_admin", "partner_id": str(two_partners.b.id)})
    assert r.status_code == 302
    assert (target.name, target.role, target.active) == ("Renamed", "partner_admin", False)
    entry = db.session.query(AuditEntry).filter_by(action="user.update", object_id=target.id).one()
    assert entry.before["active"] is True and entry.after["active"] is False


def test_admin_cannot_demote_or_deactivate_itself(client, two_partners, login):
    login(two_partners.admin)
    me = two_partners.admin
    r = client.post(f"/admin/users/{me.id}/edit", data={"email": me.email, "name": me.name, "role": "sales_ops",
                                                        "partner_id": "", "active": "y"})
    assert r.status_code == 422 and me.role == "admin"


def test_user_list_filters(client, two_partners, login):
    login(two_partners.admin)
    page = client.get("/admin/users?role=partner_admin").data.decode()
    assert two_partners.a_admin.email in page and two_partners.a_user.email not in page
    page = client.get(f"/admin/users?q={two_partners.b_user.email}").data.decode()
    assert "Showing 1–1 of 1" in page


def test_audit_log_filters(client, two_partners, login):
    audit.record(two_partners.admin, "partner.update", two_partners.a, before={"tier": "silver"},
                 after={"tier": "gold"}, summary="Tier up")
    old = audit.record(two_partners.manager, "partner.update", two_partners.b, summary="Old change")
    old.created_at = utcnow() - timedelta(days=40)
    db.session.flush()
    login(two_partners.admin)
    page = client.get("/admin/audit").data.decode()
    assert "Tier up" in page and "Old change" in page and "tier: silver" in page
    page = client.get(f"/admin/audit?partner={two_partners.a.id}").data.decode()
    assert "Tier up" in page and "Old change" not in page
    since = (utcnow() - timedelta(days=7)).date().isoformat()
    page = client.get(f"/admin/audit?from={since}").data.decode()
    assert "Tier up" in page and "Old change" not in page
    page = client.get(f"/admin/audit?actor={two_partners.manager.email}").data.decode()
    assert "Old change" in page and "Tier up" not in page
    page = client.get("/admin/audit?from=yesterday").data.decode()
    assert "YYYY-MM-DD" in page


def test_admin_revokes_another_users_token_from_the_user_page(client, two_partners, login, api):
    b = api(two_partners.b_user)
    token_id = b.get("/me/tokens").json["items"][0]["id"]
    login(two_partners.admin)
    assert b"test" in client.get(f"/admin/users/{two_partners.b_user.id}/edit").data
    r = client.post(f"/admin/users/{two_partners.b_user.id}/tokens/{token_id}/revoke")
    assert r.status_code == 302
    assert b.get("/me").status_code == 401
    assert client.post(f"/admin/users/{two_partners.a_user.id}/tokens/{token_id}/revoke").status_code == 404
