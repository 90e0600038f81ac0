"""Notifications: an in-app list for every user, plus e-mail (after commit) unless switched off.

Features declare their kinds (`APPROVED = NotificationKind("quote_approved", "Quote approved")`),
register them in their `init_app` (`registry(app).add_kinds(...)`) and call `notify(users, kind, title, ...)` from their services, inside the request's transaction:
the in-app rows and the outbox e-mails commit or roll back with the change they announce.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select, update

from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extension_points import registry
from portal.extensions import db
from portal.models import Notification, NotificationPreference, Partner, User
from portal.services.mail import queue_email


def kinds() -> dict[str, str]:
    """Every registered kind of notification -> its label (`registry().notification_kinds`)."""
    return registry().notification_kinds


def partner_users(partner: Partner, roles: Sequence[str] | None = None) -> list[User]:
    """The active users of a partner, optionally only some roles."""
    stmt = select(User).where(User.partner_id == partner.id, User.active.is_(True))
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    return list(db.session.scalars(stmt.order_by(User.id)))


def manager_of(partner: Partner) -> list[User]:
    """The partner's manager as a list (empty when it has none or the manager is inactive)."""
    manager = db.session.get(User, partner.manager_id) if partner.manager_id else None
    return [manager] if manager is not None and manager.active else []


def manager_or_admins(partner: Partner) -> list[User]:
    """Who decides for a partner: its manager; without an active one, the administrators."""
    return manager_of(partner) or list(db.session.scalars(
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)))


def notify(users: Iterable[User], kind: str, title: str, body: str = "",
           link: str | None = None) -> list[Notification]:
    """Add an in-app notification for each distinct active user and queue its e-mail."""
    if kind not in kinds():
        raise ValueError(f"unregistered notification kind {kind!r}")
    recipients = {u.id: u for u in users if u is not None and u.active}
    if not recipients:
        return []
    muted = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(recipients), NotificationPreference.kind == kind,
        NotificationPreference.email.is_(False))))
    base_url = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    created = []
    for user in recipients.values():
        note = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, link=link)
        db.session.add(note)
        created.append(note)
        if user.id not in muted:
            queue_email(user.email, title[:300], "notification", user=user, title=title, body=body,
                        link=f"{base_url}{link}" if link and link.startswith("/") else link)
    db.session.flush()
    return created


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


STATES = ("all", "unread", "read")


@dataclass(frozen=True)
class Summary:
    """A user's notifications counted per kind: (all, unread), from one grouped query."""

    by_kind: dict[str, tuple[int, int]]

    @property
    def total(self) -> int:
        return sum(n for n, _ in self.by_kind.values())

    @property
    def unread(self) -> int:
        return sum(u for _, u in self.by_kind.values())

    def count(self, state: str = "all", kind: str | None = None) -> int:
        """How many notifications a filter shows (`state`: all, unread or read)."""
        rows = [self.by_kind.get(kind, (0, 0))] if kind else list(self.by_kind.values())
        if state == "unread":
            return sum(u for _, u in rows)
        if state == "read":
            return sum(n - u for n, u in rows)
        return sum(n for n, _ in rows)


def summary(user: User) -> Summary:
    unread = func.sum(case((Notification.read_at.is_(None), 1), else_=0))
    rows = db.session.execute(select(Notification.kind, func.count(Notification.id), unread)
                              .where(Notification.user_id == user.id).group_by(Notification.kind))
    return Summary({kind: (int(n), int(u or 0)) for kind, n, u in rows})


def for_user(user: User, state: str = "all", kind: str | None = None):
    """The user's notifications, newest first, optionally only unread or read ones and one kind
    (a select to paginate)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if state == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    elif state == "read":
        stmt = stmt.where(Notification.read_at.is_not(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def open_notification(user: User, notification_id: int) -> Notification | None:
    """The user's own notification marked read; None for anyone else's (a 404)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
    return note


def mark_all_read(user: User, kind: str | None = None) -> int:
    """Mark the user's unread notifications (of one kind, if given) as read; returns how many."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    result = db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def email_preferences(user: User) -> dict[str, bool]:
    """kind -> e-mail on/off for every registered kind."""
    off = set(db.session.scalars(select(NotificationPreference.kind).where(
        NotificationPreference.user_id == user.id, NotificationPreference.email.is_(False))))
    labels = kinds()
    return {kind: kind not in off for kind in sorted(labels, key=labels.get)}


def set_email_preferences(user: User, enabled: Iterable[str]) -> None:
    """Store which kinds the user wants by e-mail (the in-app list always gets everything)."""
    wanted = set(enabled)
    unknown = wanted - set(kinds())
    if unknown:
        raise ValidationFailed("Unknown notification kind.", fields={"kinds": ", ".join(sorted(unknown))})
    existing = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind in kinds():
        pref = existing.get(kind)
        if pref is None:
            pref = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(pref)
        pref.email = kind in wanted
    db.session.flush()
