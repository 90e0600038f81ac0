"""Invitation links a staff member or partner admin copies by hand (the e-mail did not arrive)."""
from __future__ import annotations

from flask import current_app

from portal.errors import StateConflict
from portal.models import User
from portal.services import audit, auth


def is_pending(user: User) -> bool:
    """Invited but not accepted yet: active and no password chosen."""
    return user.active and not user.password_hash


def copy_invitation_link(actor: User, user: User) -> str:
    """A new invitation link for a user who has not accepted yet, as an absolute URL. Each call
    makes a new link and revokes the earlier unused ones (the e-mailed link too), so only the
    link last handed out works; the audit log says who took it."""
    if not is_pending(user):
        raise StateConflict(f"{user.email} has already accepted the invitation (or is deactivated): "
                            "there is no invitation link to copy.", code="invitation_accepted")
    raw = auth.create_link(user, "invite")
    audit.record(actor, "user.invitation_link", user,
                 summary=f"Copied an invitation link for {user.email}; earlier links stop working")
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build("auth.accept_invitation", {"token": raw})
