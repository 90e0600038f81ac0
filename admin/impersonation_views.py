"""Read-only impersonation ("view as"): an admin starts it from a partner's page, a banner on every
page stops it, and while it lasts every change is refused (403) except stopping and logging out.

The viewed user is resolved by the user loader (`portal/auth_setup.py`); this module holds the
routes, the guard before every request, and a net that refuses any commit a GET would make.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, user_logged_in
from sqlalchemy import event
from sqlalchemy.orm import Session

from admin.blueprint import bp as admin_bp
from portal.db import get_or_404
from portal.errors import Forbidden
from portal.extensions import db
from portal.models import User
from portal.permissions import roles_required
from portal.services import impersonation

bp = Blueprint("impersonation", __name__, url_prefix="/view-as")
ALLOWED_WHILE_VIEWING = ("impersonation.stop", "auth.logout")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ReadOnly(Forbidden):
    code = "read_only_impersonation"


def _read_only() -> ReadOnly:
    viewed = current_user.name if current_user.is_authenticated else "another user"
    return ReadOnly(f"Read-only: you are viewing the portal as {viewed}, so nothing can be changed. "
                    "Stop viewing as them (in the yellow banner) to act as yourself.")


@admin_bp.post("/users/<id:user_id>/view-as")
@roles_required("admin")
def start_impersonation(user_id: int):
    target = get_or_404(User, user_id)
    value = impersonation.start(current_user, target, ip=request.remote_addr)
    db.session.commit()
    session[impersonation.SESSION_KEY] = value
    flash(f"You are viewing the portal as {target.name}, read-only. Use the banner to stop.", "warning")
    return redirect(url_for("dashboard.index"))


@bp.post("/stop")
def stop():
    if not (current_user.is_authenticated and g.get("impersonating")):
        session.pop(impersonation.SESSION_KEY, None)
        flash("You are not viewing the portal as another user.", "info")
        return redirect(url_for("dashboard.home"))
    target = current_user._get_current_object()
    impersonation.stop(g.impersonator, target.id, ip=request.remote_addr)
    db.session.commit()
    session.pop(impersonation.SESSION_KEY, None)
    flash(f"You stopped viewing the portal as {target.name}.", "success")
    return redirect(url_for("admin.partner_detail", partner_id=target.partner_id))


@bp.before_app_request
def _read_only_guard() -> Any:
    """While viewing as someone, only reading, stopping and logging out are allowed."""
    if request.path.startswith(("/api/", "/webhooks/")) or request.endpoint == "static":
        return None  # the API acts as the token's user, never as a viewed one
    current_user.is_authenticated  # noqa: B018 - loads the user, and with it the view-as state
    lapsed = g.pop("impersonation_lapsed", None)
    if lapsed and lapsed[1] is not None:
        impersonation.stop(lapsed[0], lapsed[1], ip=request.remote_addr, why="no longer allowed")
        db.session.commit()
        flash("Viewing the portal as another user ended: that user can no longer log in.", "info")
    if not g.get("impersonating"):
        return None
    if request.endpoint in ALLOWED_WHILE_VIEWING:
        g.impersonation_write_ok = True
        if request.endpoint == "auth.logout":
            impersonation.stop(g.impersonator, current_user.id, ip=request.remote_addr, why="logged out")
            db.session.commit()
            session.pop(impersonation.SESSION_KEY, None)
        return None
    if request.method not in SAFE_METHODS:
        raise _read_only()
    return None


@event.listens_for(Session, "before_commit")
def _no_commit_while_viewing(_session: Session) -> None:
    """A net under the guard: a GET that would save something (e.g. marking a notification
    read) while viewing as someone is refused too, and its changes are rolled back."""
    if has_request_context() and g.get("impersonating") and not g.get("impersonation_write_ok"):
        raise _read_only()


@user_logged_in.connect
def _fresh_session(_app: Any, **_extra: Any) -> None:
    """A log-in never inherits a viewing left in the browser's session."""
    session.pop(impersonation.SESSION_KEY, None)
