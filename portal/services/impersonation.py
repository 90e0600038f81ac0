"""Read-only impersonation ("view as"): who may view the portal as whom, and its audit trail.

The web layer keeps `[admin_id, target_id]` in the session under SESSION_KEY; the user loader
asks `resolve` for the viewed user on every request, so a target that can no longer log in (or
an admin who lost the role) ends the viewing at once. The API never looks at it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import joinedload

from portal.errors import Forbidden
from portal.extensions import db
from portal.models import PARTNER_ROLES, User
from portal.services import audit

SESSION_KEY = "view_as"


class ImpersonationError(Forbidden):
    code = "impersonation_refused"


def refusal(actor: Any, target: User) -> str | None:
    """Why `actor` may not view the portal as `target`; None when it may."""
    if actor is None or getattr(actor, "role", None) != "admin" or not actor.active:
        return "Only administrators can view the portal as another user."
    if target.id == actor.id:
        return "You cannot view the portal as yourself."
    if target.role not in PARTNER_ROLES:
        return "Only partner users can be viewed as: never an administrator or another staff user."
    if not target.active:
        return f"{target.name}'s account is deactivated: it cannot be viewed as."
    if target.partner is None or target.partner.status != "active":
        return f"{target.name}'s partner is suspended: its users cannot log in."
    return None


def start(actor: User, target: User, ip: str | None = None) -> list[int]:
    """Check and record the start; returns the value the session keeps."""
    problem = refusal(actor, target)
    if problem:
        raise ImpersonationError(problem)
    partner_name = target.partner.name if target.partner else ""
    audit.record(actor, "user.impersonate_start", target, ip=ip,
                 summary=f"Started viewing the portal as {target.email} ({partner_name}), read-only")
    return [actor.id, target.id]


def stop(actor: User, target_id: int | None, ip: str | None = None, why: str = "stopped") -> None:
    """Record the end of a viewing (stopped, logged out, or ended because it is no longer allowed)."""
    target = db.session.get(User, target_id) if target_id else None
    label = target.email if target is not None else f"user #{target_id}"
    audit.record(actor, "user.impersonate_stop", target, ip=ip,
                 partner_id=target.partner_id if target is not None else None,
                 summary=f"Stopped viewing the portal as {label} ({why})")


def resolve(actor: User, value: Any) -> User | None:
    """The user `actor` views through the session value, if that is still allowed."""
    target_id = viewed_id(value, actor.id)
    if target_id is None:
        return None
    target = db.session.get(User, target_id, options=[joinedload(User.partner)])
    if target is None or refusal(actor, target):
        return None
    return target


def viewed_id(value: Any, admin_id: int) -> int | None:
    """The target id in a session value, when the value belongs to this admin."""
    try:
        owner, target_id = (int(x) for x in value)
    except (TypeError, ValueError):
        return None
    return target_id if owner == admin_id else None
