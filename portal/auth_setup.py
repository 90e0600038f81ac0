"""Log-in plumbing (user loader, tenant scope activation) and database engine settings."""
from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, g, request, session
from flask_login import current_user
from sqlalchemy import event, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.engine import Engine

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


def init_login(app: Flask) -> None:
    from portal.models import Notification, User

    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == User.id, Notification.read_at.is_(None))
              .correlate(User).scalar_subquery())

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(session_id: str) -> User | None:
        try:
            user_id, version = (int(x) for x in session_id.split(":", 1))
        except ValueError:
            return None
        # The navbar's unread-notification badge comes with the user: no extra query per page.
        row = db.session.execute(select(User, unread).options(joinedload(User.partner))
                                 .where(User.id == user_id)).first()
        if row is None:
            return None
        user, g.unread_notifications = row
        if user.auth_version != version or not user.is_active:
            return None
        return _view_as(user)

    @app.before_request
    def _scope_partner_requests() -> None:
        if request.path.startswith("/api/") or request.endpoint == "static":
            return  # the API authenticates by token and scopes itself
        user = current_user
        activate_tenant_scope(user.partner_id if user.is_authenticated else None)
        g.setdefault("impersonating", False)


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
