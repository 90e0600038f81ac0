"""The notifications centre: in-app rows, e-mail per preference, opening, marking read."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extension_points import NotificationKind, registry
from portal.extensions import db
from portal.models import Notification, OutboxEmail
from portal.services import notifications
from tests.crosspartner import covers

KIND = NotificationKind("test_event", "Something happened (test)")


@pytest.fixture(autouse=True)
def _test_kind(app, monkeypatch):
    """A kind of this test's own, registered as a feature's init_app would."""
    monkeypatch.setitem(registry(app).notification_kinds, KIND, KIND.label)


def _outbox_for(email: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == email)))


def test_notify_writes_in_app_rows_and_emails_each_active_user_once(app, two_partners):
    a = two_partners
    with app.test_request_context():
        notes = notifications.notify([a.a_user, a.a_user, a.a_admin], KIND, "Quote Q-1 approved",
                                     "Valid until 2026-12-22.", "/quotes/1")
    assert len(notes) == 2
    mail = _outbox_for(a.a_user.email)
    assert len(mail) == 1 and mail[0].subject == "Quote Q-1 approved"
    assert "Valid until 2026-12-22." in mail[0].body_text and "/quotes/1" in mail[0].body_text
    assert notifications.unread_count(a.a_user) == 1 and notifications.unread_count(a.b_user) == 0


def test_an_unregistered_kind_is_a_programming_error(app, two_partners):
    with app.test_request_context():
        try:
            notifications.notify([two_partners.a_user], "no_such_kind", "x")
        except ValueError as exc:
            assert "no_such_kind" in str(exc)
        else:
            raise AssertionError("an unknown kind must be refused")


def test_muted_kind_still_appears_in_app_but_sends_no_email(client, login, two_partners):
    user = two_partners.a_user
    login(user)
    others = [k for k in notifications.kinds() if k != KIND]
    assert client.post("/notifications/preferences", data={"email": others}).status_code == 302
    assert client.get("/notifications/preferences").data.count(b"checked") == len(others)
    with client.application.test_request_context():
        notifications.notify([user], KIND, "Muted one")
    assert _outbox_for(user.email) == []
    page = client.get("/notifications/")
    assert b"Muted one" in page.data and b'data-testid="unread-count">1<' in page.data


def test_opening_marks_read_and_follows_the_link(client, login, two_partners):
    login(two_partners.a_user)
    with client.application.test_request_context():
        note, = notifications.notify([two_partners.a_user], KIND, "Open me", link="/catalog/")
    r = client.get(f"/notifications/{note.id}")
    assert r.status_code == 302 and r.headers["Location"].endswith("/catalog/")
    assert db.session.get(Notification, note.id).read_at is not None
    assert b"unread-count" not in client.get("/notifications/").data


def test_mark_all_read_and_the_unread_filter(client, login, two_partners):
    login(two_partners.a_user)
    with client.application.test_request_context():
        notifications.notify([two_partners.a_user], KIND, "First")
        notifications.notify([two_partners.a_user], KIND, "Second")
    assert b"Second" in client.get("/notifications/?unread=1").data
    assert client.post("/notifications/read-all").status_code == 302
    assert notifications.unread_count(two_partners.a_user) == 0
    assert b"No unread notifications." in client.get("/notifications/?unread=1").data


@covers("notifications.open_one")
def test_another_users_notification_is_a_404_and_stays_unread(client, login, two_partners):
    with client.application.test_request_context():
        note, = notifications.notify([two_partners.b_user], KIND, "Not yours")
    login(two_partners.a_user)
    assert client.get(f"/notifications/{note.id}").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None
