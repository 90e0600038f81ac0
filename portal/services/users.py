"""Users: staff and partner accounts, created by admins or by a partner's own admins."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.errors import Forbidden, ValidationFailed
from portal.extensions import db
from portal.models import PARTNER_ROLES, ROLES, STAFF_ROLES, Partner, User
from portal.services import audit, auth, sessions

AUDITED = ("email", "name", "role", "partner_id", "active")


class UserError(ValidationFailed):
    pass


def _email(value: Any) -> str:
    try:
        return validate_email(str(value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def _clean(data: Mapping[str, Any], user: User | None, allowed_roles: tuple[str, ...]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if user is None:
        for key in ("email", "name", "role"):
            if data.get(key) in (None, ""):
                errors[key] = "This field is required."
    if "email" in data and "email" not in errors:
        try:
            out["email"] = _email(data["email"])
        except ValueError as exc:
            errors["email"] = str(exc)
    if "name" in data and "name" not in errors:
        name = str(data["name"] or "").strip()
        if not name or len(name) > 200:
            errors["name"] = "Give a name of 1 to 200 characters."
        out["name"] = name
    if "role" in data and "role" not in errors:
        role = str(data["role"] or "").strip()
        if role not in ROLES:
            errors["role"] = f"role must be one of: {', '.join(ROLES)}"
        elif role not in allowed_roles:
            raise Forbidden(f"You may not give the role {role}.")
        out["role"] = role
    if "active" in data:
        out["active"] = bool(data["active"])
    if "email" in out and "email" not in errors:
        clash = select(User.id).where(func.lower(User.email) == out["email"])
        if user is not None:
            clash = clash.where(User.id != user.id)
        if db.session.scalar(clash) is not None:
            errors["email"] = "A user with this e-mail already exists."
    if data.get("password") not in (None, ""):
        if len(str(data["password"])) < auth.MIN_PASSWORD:
            errors["password"] = f"At least {auth.MIN_PASSWORD} characters."
    if errors:
        raise UserError("The user could not be saved: check the highlighted fields.", fields=errors)
    return out


def _partner_for_role(role: str, partner_id: Any) -> Partner | None:
    if role in STAFF_ROLES:
        return None
    if partner_id in (None, ""):
        raise UserError("Partner users need a partner.", fields={"partner_id": "Choose the user's partner."})
    try:
        partner = db.session.get(Partner, int(partner_id))
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        raise UserError("Unknown partner.", fields={"partner_id": "No such partner."})
    return partner


def _create(actor: User, partner: Partner | None, values: dict[str, Any], password: str | None) -> User:
    user = User(partner_id=partner.id if partner else None, **values)
    user.partner = partner
    db.session.add(user)
    if password:
        user.password_hash = auth.hash_password(password)
    db.session.flush()
    audit.record(actor, "user.create", user, after=audit.snapshot(user, AUDITED),
                 summary=f"Created {user.role} {user.email}")
    if not password:
        auth.send_invitation(user, actor)
    return user


def create_user(actor: User, data: Mapping[str, Any]) -> User:
    """An admin creates any user; without a password the user is invited by e-mail."""
    values = _clean(data, None, ROLES)
    partner = _partner_for_role(values["role"], data.get("partner_id"))
    return _create(actor, partner, values, data.get("password") or None)


def create_partner_user(partner: Partner, actor: User, data: Mapping[str, Any]) -> User:
    """A partner admin creates a user of its own partner (partner roles only)."""
    sent = data.get("partner_id")
    if sent not in (None, "") and str(sent) != str(partner.id):
        raise UserError("You can only create users of your own partner.",
                        fields={"partner_id": "Must be your own partner, or left out."})
    values = _clean(data, None, PARTNER_ROLES)
    return _create(actor, partner, values, data.get("password") or None)


def update_user(actor: User, user: User, data: Mapping[str, Any]) -> User:
    """Admins change any user; partner admins (through `update_partner_user`) their own."""
    allowed = ROLES if actor.role == "admin" else PARTNER_ROLES
    before = audit.snapshot(user, AUDITED)
    values = _clean(data, user, allowed)
    if user.id == actor.id and (values.get("active") is False or values.get("role", user.role) != user.role):
        raise UserError("You cannot deactivate yourself or change your own role.")
    role = values.get("role", user.role)
    if actor.role == "admin" and ("partner_id" in data or "role" in values):
        partner = _partner_for_role(role, data.get("partner_id", user.partner_id))
        user.partner_id = partner.id if partner else None
        user.partner = partner
    for key, value in values.items():
        setattr(user, key, value)
    if "active" in values and not values["active"]:
        user.auth_version += 1
        sessions.revoke_all(user, "deactivated")  # every session and remember cookie ends now
    db.session.flush()
    after = audit.snapshot(user, AUDITED)
    if after != before:
        audit.record(actor, "user.update", user, before=before, after=after,
                     summary=f"Updated user {user.email}")
    return user


def update_partner_user(partner: Partner, actor: User, user: User, data: Mapping[str, Any]) -> User:
    if user.partner_id != partner.id:
        raise Forbidden("Not a user of your partner.")
    return update_user(actor, user, {k: v for k, v in data.items() if k != "partner_id"})


def resend_invitation(actor: User, user: User) -> None:
    auth.send_invitation(user, actor)
    audit.record(actor, "user.invite", user, summary=f"Sent an invitation to {user.email}")
