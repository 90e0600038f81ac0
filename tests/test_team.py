"""A partner admin manages its own partner's users; partner users cannot."""
from __future__ import annotations

from portal.extensions import db
from portal.models import OutboxEmail, User


def test_partner_admin_lists_and_invites_team_members(client, two_partners, login):
    login(two_partners.a_admin)
    page = client.get("/team/users").data.decode()
    assert two_partners.a_user.email in page and two_partners.b_user.email not in page
    r = client.post("/team/users/new", data={"email": "new@alpha.example", "name": "New", "role": "partner_user"})
    assert r.status_code == 302
    user = db.session.query(User).filter_by(email="new@alpha.example").one()
    assert user.partner_id == two_partners.a.id and user.password_hash is None
    assert db.session.query(OutboxEmail).filter_by(recipient="new@alpha.example").count() == 1
    r = client.post(f"/team/users/{user.id}/invite")
    assert r.status_code == 302
    assert db.session.query(OutboxEmail).filter_by(recipient="new@alpha.example").count() == 2


def test_partner_admin_cannot_grant_staff_roles(client, two_partners, login):
    login(two_partners.a_admin)
    r = client.post("/team/users/new", data={"email": "boss@alpha.example", "name": "Boss", "role": "admin"})
    assert r.status_code == 400 and b"Not a valid choice" in r.data
    assert db.session.query(User).filter_by(email="boss@alpha.example").count() == 0


def test_partner_admin_edits_and_deactivates_a_member(client, two_partners, login):
    login(two_partners.a_admin)
    member = two_partners.a_user
    r = client.post(f"/team/users/{member.id}/edit", data={"email": member.email, "name": "Ned", "role": "partner_admin"})
    assert r.status_code == 302
    assert member.role == "partner_admin" and member.active is False  # unchecked box = inactive


def test_partner_user_has_no_team_pages(client, two_partners, login):
    login(two_partners.a_user)
    assert client.get("/team/users").status_code == 403
    assert client.get(f"/team/users/{two_partners.a_admin.id}/edit").status_code == 403
    assert b"Team" not in client.get("/dashboard").data.split(b"<main")[0]
