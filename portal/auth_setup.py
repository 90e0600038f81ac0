"""Log-in plumbing (user loader over server-side sessions, tenant scope activation) and
database engine settings."""
from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from flask import Flask, g, request, session
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.engine import Engine

from portal.db import utcnow
from portal.extensions import db, login_manager
from portal.tenancy import activate_tenant_scope

_ENGINE_EVENTS = False


def configure_engine_events(app: Flask) -> None:
    """SQLite: enforce foreign keys, and let SQLAlchemy drive transactions (so SAVEPOINT works)."""
    global _ENGINE_EVENTS
    if _ENGINE_EVENTS:
        return
    _ENGINE_EVENTS = True

    @event.listens_for(Engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")


# Flask session keys that survive a log-in; everything else the browser had is dropped
# (session fixation: the new session starts clean, with a new key).
_KEPT_AT_LOGIN = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds", "_flashes")


def init_login(app: Flask) -> None:
    from portal.models import Notification, User, UserSession
    from portal.services import sessions

    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == User.id, Notification.read_at.is_(None))
              .correlate(User).scalar_subquery())
    # One indexed query for every request: the session row, its user and partner, and the navbar's
    # unread badge. Built once (its construction and cache key cost more than the lookup).
    load_stmt = (select(UserSession, User, unread).join(User, User.id == UserSession.user_id)
                 .options(joinedload(User.partner)).where(UserSession.key_digest == bindparam("digest")))

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=app.config["SESSION_REMEMBER_DAYS"]))

    @login_manager.user_loader
    def _load(key: str) -> User | None:
        """`key` is a server-side session's key (from the session or the remember cookie)."""
        if not key or len(key) > 100:
            return None
        row = db.session.execute(load_stmt, {"digest": sessions.digest(key)}).first()
        if row is None:
            return None
        user_session, user, badge = row
        now = utcnow()
        if not user.is_active or not sessions.is_live(user_session, user, now):
            return None
        if sessions.touch_due(user_session, now):
            _touch(user_session, now)
        g.user_session, g.unread_notifications = user_session, badge
        return _view_as(user)

    @user_logged_in.connect_via(app, weak=False)
    def _start_session(_app: Any, user: Any, **_extra: Any) -> None:
        """Every log-in (password, second step, reset or invitation link) gets its own row."""
        remember = session.get("_remember") == "set"
        row, key = sessions.start_session(user, ip=request.remote_addr, remember=remember,
                                          user_agent=request.user_agent.string)
        kept = {name: session[name] for name in _KEPT_AT_LOGIN if name in session}
        session.clear()
        session.update(kept)
        session["_user_id"] = key  # Flask-Login copies it into the remember cookie too
        g.pop("csrf_token", None)  # Flask-WTF's cached token belonged to the cleared session
        g.user_session = row
        db.session.commit()  # the log-in's own commit came before login_user

    @user_logged_out.connect_via(app, weak=False)
    def _end_session(_app: Any, **_extra: Any) -> None:
        """Log-out revokes the row: a copy of the session or remember cookie is refused after it."""
        if sessions.end_session(g.pop("user_session", None), "logout"):
            db.session.commit()

    @app.before_request
    def _scope_partner_requests() -> None:
        if request.path.startswith("/api/") or request.endpoint == "static":
            return  # the API authenticates by token and scopes itself
        user = current_user
        activate_tenant_scope(user.partner_id if user.is_authenticated else None)
        g.setdefault("impersonating", False)


def current_session() -> Any:
    """The server-side session of this request (the real user's, also while viewing as someone)."""
    return g.get("user_session")


def _touch(user_session: Any, now: Any) -> None:
    """Write last-seen at once, in its own commit. The loader runs before any view work, so
    nothing else is pending; if something is, the write waits for a later request."""
    from portal.services import sessions

    orm = db.session()
    if orm.new or orm.dirty or orm.deleted:
        return
    sessions.touch(user_session, now, request.remote_addr)
    expire = orm.expire_on_commit
    orm.expire_on_commit = False  # keep the loaded user and partner: no reload queries
    try:
        orm.commit()
    finally:
        orm.expire_on_commit = expire


def _view_as(user: Any) -> Any:
    """Read-only impersonation (docs/onboarding.md): an admin's session may view the portal as a
    partner user; never on the API, where a token acts as its own user."""
    from portal.services import impersonation

    value = session.get(impersonation.SESSION_KEY)
    if value is None or request.path.startswith("/api/"):
        return user
    target = impersonation.resolve(user, value)
    if target is None:  # no longer allowed: back to the admin (the end is audited by the guard)
        session.pop(impersonation.SESSION_KEY, None)
        g.impersonation_lapsed = (user, impersonation.viewed_id(value, user.id))
        return user
    g.impersonator, g.impersonating = user, True
    g.pop("unread_notifications", None)  # the badge counts the viewed user's notifications
    return target
