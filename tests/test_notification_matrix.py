"""The notification matrix (issue 9, DOMAIN.md "Notifications"): every notification, sent through
its real flow, reaches exactly its recipients in-app, opens for them and for nobody else, is
e-mailed only once the transaction commits (and never when it rolls back), respects each user's
e-mail preference, and moves the unread badge. One case per flow, named after the notification."""
from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Notification, OutboxEmail, User
from portal.services import notifications
from tests import factories
from tests.notification_flows import FLOWS, Flow, World, build_world

# The notifications DOMAIN.md names; each must be a registered kind with a flow in the matrix.
DOMAIN_KINDS = (
    "registration_submitted", "registration_approved", "registration_rejected", "registration_expiring",
    "quote_approved", "quote_rejected", "order_status", "lead_assigned", "lead_fall_back_warning",
    "mdf_approved", "mdf_rejected", "mdf_claim_approved", "mdf_claim_rejected", "mdf_paid",
)
BADGE = re.compile(r'data-testid="unread-count">(\d+)<')


@pytest.fixture
def world(app) -> World:
    return build_world()


def _marks() -> tuple[int, int]:
    """The newest notification and outbox ids: what a flow sends comes after them."""
    return (db.session.scalar(select(func.max(Notification.id))) or 0,
            db.session.scalar(select(func.max(OutboxEmail.id))) or 0)


def _sent(flow: Flow, since: tuple[int, int]) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.id > since[0], Notification.kind == flow.kind).order_by(Notification.id)))


def _mail(since: tuple[int, int], user: User, subject: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.id > since[1], OutboxEmail.recipient == user.email, OutboxEmail.subject == subject)))


def _client(user: User) -> Any:
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = factories.start_session(user), True
    return client


def _badge(user: User) -> int:
    """The unread count the navigation bar shows the user on the next page."""
    html = _client(user).get("/account/").get_data(as_text=True)
    found = BADGE.search(html)
    return int(found.group(1)) if found else 0


def _ids(users: list[User]) -> dict[int, str]:
    return {u.id: u.email for u in users}


def _check_route(flow: Flow, result: Any) -> None:
    if hasattr(result, "exit_code"):
        assert result.exit_code == 0, f"{flow.name}: the job failed: {result.output}"
    else:
        assert result.status_code < 400, f"{flow.name}: the route answered {result.status_code}: {result.get_data(as_text=True)[:500]}"


def _prepared(flow: Flow, w: World) -> Any:
    context = flow.prepare(w)
    db.session.commit()
    return context


@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
def test_a_committed_flow_notifies_exactly_its_recipients(flow: Flow, world: World):
    context = _prepared(flow, world)
    expected = flow.recipients(world)
    before = {u.id: _badge(u) for u in expected}
    since = _marks()
    if flow.route is not None:
        _check_route(flow, flow.route(world, context))  # the view, API or job commits
    else:
        flow.act(world, context)
        db.session.commit()
    db.session.expire_all()
    notes = _sent(flow, since)
    assert _ids([db.session.get(User, n.user_id) for n in notes]) == _ids(expected), \
        f"{flow.name}: in-app notification went to the wrong people"
    assert len(notes) == len(expected), f"{flow.name}: someone was notified twice"
    outsider = _client(world.p.b_user)
    for note in notes:
        user = db.session.get(User, note.user_id)
        mail = _mail(since, user, note.title)
        assert len(mail) == 1 and mail[0].sent_at is not None, f"{flow.name}: no e-mail sent to {user.email}"
        assert _badge(user) == before[user.id] + 1, f"{flow.name}: the unread badge of {user.email} did not move"
        opened = _client(user).get(f"/notifications/{note.id}")
        assert opened.status_code == 302 and opened.headers["Location"] == note.link, f"{flow.name}: {note.link}"
        page = _client(user).get(note.link)
        assert page.status_code == 200, f"{flow.name}: {user.email} cannot open {note.link} ({page.status_code})"
        assert outsider.get(f"/notifications/{note.id}").status_code == 404
        refused = 403 if note.link.startswith("/admin/") else 404
        assert outsider.get(note.link).status_code == refused, f"{flow.name}: partner B opens {note.link}"


@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
def test_a_rolled_back_flow_sends_nothing(flow: Flow, world: World, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    context = _prepared(flow, world)
    expected = flow.recipients(world)
    since = _marks()
    flow.act(world, context)
    db.session.flush()
    notes = _sent(flow, since)
    assert _ids([db.session.get(User, n.user_id) for n in notes]) == _ids(expected), flow.name
    queued = [m for n in notes for m in _mail(since, db.session.get(User, n.user_id), n.title)]
    assert len(queued) == len(notes) and all(m.sent_at is None for m in queued), \
        f"{flow.name}: an e-mail went out before the commit"
    titles = {n.title for n in notes}
    db.session.rollback()
    assert _sent(flow, since) == [], f"{flow.name}: in-app notification survived the rollback"
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.id > since[1])) == 0
    assert not any(title in caplog.text for title in titles), f"{flow.name}: e-mail sent for a rollback"


@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
def test_email_off_keeps_the_in_app_entry(flow: Flow, world: World):
    context = _prepared(flow, world)
    muted, *others = flow.recipients(world)
    notifications.set_email_preferences(muted, [k for k in notifications.kinds() if k != flow.kind])
    db.session.commit()
    since = _marks()
    flow.act(world, context)
    db.session.commit()
    notes = {n.user_id: n for n in _sent(flow, since)}
    assert muted.id in notes, f"{flow.name}: the in-app entry must stay when e-mail is off"
    assert _mail(since, muted, notes[muted.id].title) == [], f"{flow.name}: e-mailed although switched off"
    for user in others:
        sent = _mail(since, user, notes[user.id].title)
        assert len(sent) == 1 and sent[0].sent_at is not None, f"{flow.name}: {user.email} got no e-mail"


def test_every_notification_has_a_flow_in_the_matrix():
    covered = {f.kind for f in FLOWS}
    registered = {k for k in notifications.kinds() if not k.startswith("test_")}
    assert not registered - covered, f"kinds without a flow in the matrix: {sorted(registered - covered)}"
    assert not covered - registered, f"flows of unregistered kinds: {sorted(covered - registered)}"
    missing = [k for k in DOMAIN_KINDS if k not in registered]
    assert not missing, f"DOMAIN.md notifications not wired: {missing}"
    routed = {f.kind for f in FLOWS if f.route is not None}
    assert not [k for k in DOMAIN_KINDS if k not in routed], \
        "every DOMAIN.md notification is also sent through its HTTP route or job command"
