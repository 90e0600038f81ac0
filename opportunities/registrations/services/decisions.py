"""The partner manager's decisions: approve (protection, deal discount) or reject with a reason."""
from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal
from typing import Any

from opportunities.registrations.models import Registration
from opportunities.registrations.services import notices
from opportunities.registrations.services.events import append_event
from opportunities.registrations.services.inputs import RegistrationError, clean_percent
from opportunities.registrations.services import clock
from opportunities.registrations.services.registrations import Link, links_of, setting
from opportunities.registry.index import is_active, registry_lock, unindex
from portal.db import utcnow
from portal.errors import Forbidden, StateConflict
from portal.extensions import db
from portal.models import User
from portal.services import audit

DEFAULT_REJECTION = "Another registration for this customer was approved."
DECIDERS = ("admin", "partner_manager")


def can_decide(user: Any) -> bool:
    """Partner managers and admins approve and reject registrations."""
    return bool(user and getattr(user, "role", None) in DECIDERS)


def _check_decidable(actor: User, reg: Registration) -> None:
    if not can_decide(actor):
        raise Forbidden("Only partner managers and administrators decide on registrations.")
    if not reg.is_pending:
        raise StateConflict(f"This registration is {reg.status.replace('_', ' ')}: it was already decided.",
                            code="registration_decided")


def pending_conflicting(reg: Registration) -> list[Registration]:
    """Other registrations linked to this one by a conflict that still wait for a decision."""
    return [link.other for link in links_of(reg) if link.other is not None and link.other.is_pending]


def _clean_reason(reason: Any, path: str = "reason") -> str:
    text = str(reason or "").strip()
    if not text:
        raise RegistrationError("A rejection needs a reason.", fields={path: "Say why it is rejected."})
    if len(text) > 1000:
        raise RegistrationError("The reason is too long.", fields={path: "At most 1000 characters."})
    if "\x00" in text:
        raise RegistrationError("Some fields are invalid: see fields.", fields={path: "Contains a NUL character."})
    return text


def _clean_days(value: Any) -> int:
    """Protection days: the default when empty, else a whole number from 1 to the maximum."""
    if value is None or value == "":
        return setting("PROTECTION_DAYS")
    limit = setting("MAX_PROTECTION_DAYS")
    try:
        days = int(str(value).strip()) if not isinstance(value, bool) else 0
    except ValueError:
        days = 0
    if not 1 <= days <= limit:
        raise RegistrationError("Some fields are invalid: see fields.",
                                fields={"protection_days": f"A whole number of days from 1 to {limit}."})
    return days


def blocking(reg: Registration, links: list[Link] | None = None) -> Registration | None:
    """Another partner's approved, still protected registration of the same customer: it blocks approval."""
    on = clock.today()
    for link in links if links is not None else links_of(reg):
        other = link.other
        if other is not None and other.partner_id != reg.partner_id and other.status == "approved" \
                and is_active(other, on):
            return other
    return None


def approve_registration(actor: User, reg: Registration, protection_days: Any = None, discount_percent: Any = None,
                         reject_ids: Collection[int] = (), rejection_reason: str | None = None) -> list[Registration]:
    """Approve a pending registration; optionally reject, in the same step, pending registrations it conflicts
    with (`reject_ids`). Returns the registrations rejected."""
    _check_decidable(actor, reg)
    days = _clean_days(protection_days)
    percent = clean_percent(discount_percent, "discount_percent")
    registry_lock()
    on = clock.today()
    links = links_of(reg)
    other = blocking(reg, links)
    if other is not None:
        raise StateConflict(f"Registration #{other.id} for this customer is approved and protected until "
                            f"{other.protected_until}; it must end before this one can be approved.",
                            code="customer_protected")
    pending = {l.other.id: l.other for l in links if l.other is not None and l.other.is_pending}
    unknown = [i for i in reject_ids if i not in pending]
    if unknown:
        raise RegistrationError("Only pending registrations that conflict with this one can be rejected with it.",
                                fields={"reject_ids": f"Not a pending conflicting registration: {unknown}."})
    reason = _clean_reason(rejection_reason or DEFAULT_REJECTION, "rejection_reason") if reject_ids else ""
    now = utcnow()
    reg.status, reg.decided_at, reg.decided_by_id = "approved", now, actor.id
    reg.protection_days, reg.protected_until = days, on + timedelta(days=days)
    reg.discount_percent = percent
    append_event(reg, "approved", actor, {"protection_days": days, "protected_until": reg.protected_until.isoformat(),
                                          "discount_percent": str(percent) if percent is not None else None})
    notices.approved(reg)
    audit.record(actor, "registration.approve", reg, after={
        "protected_until": reg.protected_until, "discount_percent": percent},
        summary=f"Registration #{reg.id} ({reg.customer_name}) approved: protected until "
        f"{reg.protected_until.isoformat()}" + (f", deal discount {percent} %" if percent is not None else ""))
    rejected = [_reject(actor, pending[i], reason, approved_id=reg.id) for i in dict.fromkeys(reject_ids)]
    db.session.flush()
    return rejected


def _reject(actor: User, reg: Registration, reason: str, approved_id: int | None = None) -> Registration:
    reg.status, reg.decided_at, reg.decided_by_id = "rejected", utcnow(), actor.id
    reg.rejection_reason = reason
    unindex(registration_id=reg.id)
    append_event(reg, "rejected", actor, {"reason": reason, "with_approval_of": approved_id})
    notices.rejected(reg)
    with_approval = f" (with the approval of #{approved_id})" if approved_id is not None else ""
    audit.record(actor, "registration.reject", reg, summary=(
        f"Registration #{reg.id} ({reg.customer_name}) rejected{with_approval}: {reason}"))
    return reg


def reject_registration(actor: User, reg: Registration, reason: Any) -> Registration:
    """Reject a pending registration with a reason (shown to the partner)."""
    _check_decidable(actor, reg)
    text = _clean_reason(reason)
    registry_lock()
    _reject(actor, reg, text)
    db.session.flush()
    return reg


def deal_percent(reg: Registration) -> Decimal:
    """The approved deal discount (0 when none was given)."""
    return reg.discount_percent if reg.discount_percent is not None else Decimal(0)
