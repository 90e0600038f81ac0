"""Invitations: a staff member or partner admin copies a pending user's invitation link (a new
link each time, the earlier ones revoked, audited), and a new user's form starts at the least
privileged role."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, User
from tests.crosspartner import covers
from tests.factories import make_user

LINK = re.compile(r'id="invitation-link" type="text" value="(http[^"]+/invitation/[^"]+)"')


def _pending(partner=None, role="partner_user") -> User:
    return make_user(partner, role, password=None)


def _link(response) -> str:
    found = LINK.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:3000]
    return found.group(1).replace("http://127.0.0.1:5000", "")


def test_a_partner_admin_copies_a_new_link_and_the_old_ones_stop_working(client, login, two_partners):
    pending = _pending(two_partners.a)
    login(two_partners.a_admin)
    page = client.get("/team/users").get_data(as_text=True)
    assert f"/team/users/{pending.id}/invitation-link" in page
    assert f"/team/users/{two_partners.a_user.id}/invitation-link" not in page  # has a password

    first = client.post(f"/team/users/{pending.id}/invitation-link")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert 'data-copy-target="#invitation-link"' in first.get_data(as_text=True)
    old = _link(first)
    new = _link(client.post(f"/team/users/{pending.id}/invitation-link"))
    assert old != new
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.invitation_link",
                                                          AuditEntry.object_id == pending.id)).all()
    assert len(entries) == 2 and all(e.partner_id == two_partners.a.id for e in entries)

    client.post("/logout")
    assert "expired or was already used" in client.get(old).get_data(as_text=True)
    response = client.post(new, data={"password": "a-long-new-password", "confirm": "a-long-new-password"})
    assert response.status_code in (302, 303)
    db.session.refresh(pending)
    assert pending.password_hash


def test_an_admin_copies_a_link_on_the_user_page(client, login, two_partners):
    pending = _pending(two_partners.b, "partner_admin")
    login(two_partners.admin)
    page = client.get(f"/admin/users/{pending.id}/edit").get_data(as_text=True)
    assert "Copy invitation link" in page
    response = client.post(f"/admin/users/{pending.id}/invitation-link")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _link(response) and f'value="{pending.email}"' in html  # the form still shows the user
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invitation_link")).actor_id \
        == two_partners.admin.id


def test_no_link_for_a_user_who_already_accepted(client, login, two_partners):
    login(two_partners.admin)
    assert "Copy invitation link" not in client.get(f"/admin/users/{two_partners.a_user.id}/edit").get_data(
        as_text=True)
    response = client.post(f"/admin/users/{two_partners.a_user.id}/invitation-link")
    assert response.status_code == 409
    assert "already accepted the invitation" in response.get_data(as_text=True)
    assert 'id="invitation-link"' not in response.get_data(as_text=True)
    login(two_partners.a_admin)
    response = client.post(f"/team/users/{two_partners.a_user.id}/invitation-link")
    assert response.status_code == 409 and "already accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invitation_link")) is None


@covers("team.invitation_link")
def test_a_partner_admin_cannot_copy_another_partners_link(client, login, two_partners):
    other = _pending(two_partners.b)
    login(two_partners.a_admin)
    assert client.post(f"/team/users/{other.id}/invitation-link").status_code == 404
    login(two_partners.a_user)
    own = _pending(two_partners.a)
    assert client.post(f"/team/users/{own.id}/invitation-link").status_code == 403
    assert client.post(f"/admin/users/{own.id}/invitation-link").status_code == 403
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invitation_link")) is None


def _selected_role(html: str) -> str:
    select_html = re.search(r'<select[^>]*name="role".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected', select_html).group(0)


def test_new_user_forms_start_at_the_least_privileged_role(client, login, two_partners):
    login(two_partners.a_admin)
    assert 'value="partner_user"' in _selected_role(client.get("/team/users/new").get_data(as_text=True))
    login(two_partners.admin)
    assert 'value="partner_user"' in _selected_role(client.get("/admin/users/new").get_data(as_text=True))
    prefilled = client.get(f"/admin/users/new?partner={two_partners.a.id}").get_data(as_text=True)
    assert 'value="partner_user"' in _selected_role(prefilled)
    # an edit form keeps the user's own role
    assert 'value="partner_admin"' in _selected_role(
        client.get(f"/admin/users/{two_partners.a_admin.id}/edit").get_data(as_text=True))
