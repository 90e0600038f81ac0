"""Access decorators (JSON 401/403 for the API, log-in redirect or 403 page for HTML) and
named predicates shared by views, API and templates."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from portal.errors import wants_json
from portal.models import STAFF_ROLES

F = TypeVar("F", bound=Callable[..., Any])


def deny_anonymous() -> Any:
    if wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return deny_anonymous()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return deny_anonymous()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def partner_required(view: F) -> F:
    """Any user of a partner (partner_admin or partner_user)."""
    return roles_required("partner_admin", "partner_user")(view)


def partner_admin_required(view: F) -> F:
    return roles_required("partner_admin")(view)


def staff_required(*roles: str) -> Callable[[F], F]:
    """Staff only; with roles, only those staff roles (admin is always allowed)."""
    allowed = tuple(roles) if roles else STAFF_ROLES
    if "admin" not in allowed:
        allowed = allowed + ("admin",)
    return roles_required(*allowed)


# --- named predicates --------------------------------------------------------------------

def is_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role in STAFF_ROLES)


def is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role == "admin")


def can_manage_partners(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role in ("admin", "partner_manager"))


def can_manage_users(user: Any) -> bool:
    """Admins manage every user; partner admins their own partner's users."""
    return bool(user and user.is_authenticated and user.role in ("admin", "partner_admin"))


def can_edit_partner(user: Any, partner: Any) -> bool:
    """Every staff role edits partners (CONTRACT: PATCH /partners/{id} is staff); sales ops
    assign price books, managers and admins the commercial terms."""
    return is_staff(user)


def can_manage_user(actor: Any, target: Any) -> bool:
    if not (actor and actor.is_authenticated):
        return False
    if actor.role == "admin":
        return True
    return (actor.role == "partner_admin" and target.partner_id == actor.partner_id
            and target.role in ("partner_admin", "partner_user"))


def can_impersonate(actor: Any, target: Any) -> bool:
    """Admins may view the portal as an active partner user (read-only); never as staff."""
    from portal.services.impersonation import refusal

    return bool(actor and actor.is_authenticated) and refusal(actor, target) is None


TEMPLATE_PREDICATES = {
    "is_staff": is_staff,
    "is_admin": is_admin,
    "can_manage_partners": can_manage_partners,
    "can_manage_users": can_manage_users,
    "can_edit_partner": can_edit_partner,
    "can_manage_user": can_manage_user,
    "can_impersonate": can_impersonate,
}
