"""Server-side log-in sessions (docs/security.md "Sessions"): start, check, list and revoke them.

A log-in creates a `UserSession` row and hands the browser a random key (kept in the Flask
session and, with "remember me", in the remember cookie); only the key's SHA-256 digest is
stored. The user loader accepts a key only while its row is live: not revoked, not past its
absolute lifetime, not idle for longer than the idle timeout, and made under the user's current
auth version (so a password change anywhere ends every older session).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.models import User, UserSession
from portal.services import audit

USER_AGENT_MAX = 255
# `revoked_reason` of an ended session: logout, revoked (from the account page),
# signed_out_elsewhere, password_changed, deactivated, ended_by_admin (the user's admin page).


def digest(key: str) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def limits(remember: bool) -> tuple[timedelta, timedelta]:
    """(absolute lifetime, idle timeout) of a session, with or without "remember me"."""
    cfg = current_app.config
    if remember:
        return timedelta(days=cfg["SESSION_REMEMBER_DAYS"]), timedelta(days=cfg["SESSION_REMEMBER_IDLE_DAYS"])
    return timedelta(hours=cfg["SESSION_LIFETIME_HOURS"]), timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])


def start_session(user: User, *, ip: str | None, user_agent: str | None, remember: bool = False,
                  now: datetime | None = None) -> tuple[UserSession, str]:
    """A new session for `user`; returns the row and the raw key (shown to the browser only)."""
    now = now or utcnow()
    # Sessions left from before a password change are dead already; mark them so.
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
        UserSession.auth_version != user.auth_version,
    ).values(revoked_at=now, revoked_reason="password_changed"))
    key = secrets.token_urlsafe(32)
    lifetime, _ = limits(remember)
    row = UserSession(user_id=user.id, key_digest=digest(key), auth_version=user.auth_version,
                      remember=remember, ip=(ip or None) and ip[:45],
                      user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
                      created_at=now, last_seen_at=now, expires_at=now + lifetime)
    db.session.add(row)
    db.session.flush()
    return row, key


def is_live(row: UserSession, user: User, now: datetime) -> bool:
    """Whether `row` still logs `user` in (the user's own state is checked by the caller)."""
    if row.revoked_at is not None or now >= row.expires_at or row.auth_version != user.auth_version:
        return False
    _, idle = limits(row.remember)
    return now - row.last_seen_at < idle


def touch_due(row: UserSession, now: datetime) -> bool:
    """last_seen_at is written at most every SESSION_TOUCH_SECONDS, not on every request."""
    return now - row.last_seen_at >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])


def touch(row: UserSession, now: datetime, ip: str | None) -> None:
    """Record that the session was used (and from where it was used last)."""
    row.last_seen_at = now
    if ip and ip[:45] != row.ip:
        row.ip = ip[:45]
    db.session.flush()


def _live_filter(user: User, now: datetime):
    long_idle = timedelta(days=current_app.config["SESSION_REMEMBER_IDLE_DAYS"])
    short_idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return and_(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
        UserSession.expires_at > now, UserSession.auth_version == user.auth_version,
        or_(and_(UserSession.remember.is_(True), UserSession.last_seen_at > now - long_idle),
            and_(UserSession.remember.is_(False), UserSession.last_seen_at > now - short_idle)),
    )


def active_sessions(user: User, now: datetime | None = None) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    now = now or utcnow()
    return list(db.session.scalars(select(UserSession).where(_live_filter(user, now))
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_session(row: UserSession | None, reason: str = "logout", now: datetime | None = None) -> bool:
    """Revoke one session (log-out); False when there was nothing to end."""
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    row.revoked_reason = reason
    db.session.flush()
    return True


def revoke_session(actor: User, user: User, session_id: int, ip: str | None = None) -> UserSession:
    """Revoke one of `user`'s sessions; another user's session id is not found."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such session.")
    if end_session(row, "revoked"):
        audit.record(actor, "user.session_revoke", user, ip=ip,
                     summary=f"Revoked a session of {user.email} ({describe_agent(row.user_agent)}, "
                             f"from {row.ip or 'unknown address'})")
    return row


def revoke_all(user: User, reason: str, keep: UserSession | None = None,
               now: datetime | None = None) -> int:
    """Revoke every live session of `user` except `keep`; returns how many were ended."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    result = db.session.execute(stmt.values(revoked_at=now or utcnow(), revoked_reason=reason),
                                execution_options={"synchronize_session": "fetch"})
    return result.rowcount or 0


def sign_out_elsewhere(actor: User, current: UserSession, ip: str | None = None) -> int:
    """"Sign out everywhere else": every session of the user but this one."""
    count = revoke_all(actor, "signed_out_elsewhere", keep=current)
    audit.record(actor, "user.sessions_revoke", actor, ip=ip,
                 summary=f"Signed out everywhere else ({count} session{'s' if count != 1 else ''})")
    return count


def end_all_for(actor: User, user: User, ip: str | None = None) -> int:
    """An admin ends every session of `user` (a lost laptop, a leaver): the next request of each
    is logged out, the remember cookies too."""
    count = revoke_all(user, "ended_by_admin")
    audit.record(actor, "user.sessions_revoke", user, ip=ip,
                 summary=f"Ended {count} session{'s' if count != 1 else ''} of {user.email}")
    return count


def prune(now: datetime | None = None) -> int:
    """Delete sessions that ended more than SESSION_KEEP_DAYS ago (the account page and the
    audit log no longer need them)."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["SESSION_KEEP_DAYS"])
    result = db.session.execute(delete(UserSession).where(
        or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff)))
    return result.rowcount or 0


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_agent(user_agent: str | None) -> str:
    """A short label for a user agent ("Firefox on Windows"); the raw string when unknown."""
    ua = user_agent or ""
    if not ua:
        return "Unknown device"
    browser = next((name for mark, name in _BROWSERS if mark in ua), None)
    system = next((name for mark, name in _SYSTEMS if mark in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or re.sub(r"\s+", " ", ua)[:60]
