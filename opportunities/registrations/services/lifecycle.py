"""After approval: one extension, the outcome (won with its order, lost with a reason), and the daily expiry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from opportunities.registrations.models import Registration
from opportunities.registrations.services import notices
from opportunities.registrations.services.events import append_event
from opportunities.registrations.services.inputs import RegistrationError
from opportunities.registrations.services import clock
from opportunities.registrations.services.registrations import setting
from opportunities.registry.index import registry_lock, unindex
from portal.db import utcnow
from portal.errors import StateConflict
from portal.extension_points import registry
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit


def _order_problem(partner: Partner, order_id: int) -> str | None:
    """Why `order_id` cannot be the won deal's order (None: it can), as the ordering feature answers
    (`registry().order_directory`). Another partner's order reads exactly like one that does not
    exist, so the answer never tells that the id is taken. Without ordering the id is kept as given."""
    orders = registry().order_directory
    if orders is None:
        return None
    state = orders.order_state(partner, order_id)
    if state is None:
        return "No such order of your partner."
    if state == "cancelled":
        return "This order is cancelled: link the order that won the deal."
    return None


def _lost_reason(reason: Any) -> str:
    text = str(reason or "").strip()
    if not text:
        raise RegistrationError("Say why the deal was lost.", fields={"reason": "Required when the deal is lost."})
    if len(text) > 1000:
        raise RegistrationError("The reason is too long.", fields={"reason": "At most 1000 characters."})
    if "\x00" in text:
        raise RegistrationError("Some fields are invalid: see fields.", fields={"reason": "Contains a NUL character."})
    return text


def request_extension(partner: Partner, actor: User, reg: Registration) -> Registration:
    """Extend an approved registration's protection once, by the configured number of days."""
    on = clock.today()
    if reg.status != "approved" or reg.protected_until is None or reg.protected_until < on:
        raise StateConflict("Only an approved registration that is still protected can be extended.",
                            code="not_extendable")
    if reg.extended_at is not None:
        raise StateConflict("This registration was already extended once; it cannot be extended again.",
                            code="already_extended")
    registry_lock()
    days = setting("EXTENSION_DAYS")
    reg.protected_until = reg.protected_until + timedelta(days=days)
    reg.extended_at, reg.reminder_sent_at = utcnow(), None
    append_event(reg, "extended", actor, {"days": days, "protected_until": reg.protected_until.isoformat()})
    notices.extended(reg)
    audit.record(actor, "registration.extend", reg, after={"protected_until": reg.protected_until},
                 summary=f"Registration #{reg.id} ({reg.customer_name}) extended by {days} days to "
                 f"{reg.protected_until.isoformat()}")
    db.session.flush()
    return reg


def record_outcome(partner: Partner, actor: User, reg: Registration, result: Any, reason: Any = None,
                   order_id: Any = None) -> Registration:
    """Record the deal's outcome: won (approved registrations, with the partner's order) or lost (with a reason)."""
    if result not in ("won", "lost"):
        raise RegistrationError("Some fields are invalid: see fields.", fields={"result": "Either won or lost."})
    if result == "won":
        if reg.status != "approved":
            raise StateConflict("Only an approved registration can be won.", code="not_winnable")
        if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 1:
            raise RegistrationError("A won deal is linked to its order.",
                                    fields={"order_id": "Give the id of the order that won the deal."})
        problem = _order_problem(partner, order_id)
        if problem:
            raise RegistrationError("Some fields are invalid: see fields.", fields={"order_id": problem})
        data: dict[str, Any] = {"order_id": order_id}
    else:
        if reg.status not in ("submitted", "in_review", "approved"):
            raise StateConflict(f"This registration is {reg.status.replace('_', ' ')}; its outcome cannot change.",
                                code="registration_closed")
        data = {"reason": _lost_reason(reason)}
    registry_lock()
    reg.status, reg.closed_at = result, utcnow()
    reg.won_order_id = data.get("order_id")
    reg.lost_reason = data.get("reason")
    unindex(registration_id=reg.id)
    append_event(reg, result, actor, data)
    detail = f"order #{order_id}" if result == "won" else data["reason"]
    audit.record(actor, f"registration.{result}", reg, after=data,
                 summary=f"Registration #{reg.id} ({reg.customer_name}) {result}: {detail}")
    db.session.flush()
    return reg


@dataclass(frozen=True)
class ExpiryRun:
    """What a run of the daily job did."""

    expired: int
    reminded: int


def expire_registrations(on: date | None = None) -> ExpiryRun:
    """Expire approved registrations past their protection; remind those ending within the reminder window."""
    on = on or clock.today()
    registry_lock()
    stale = db.session.scalars(select(Registration).where(
        Registration.status == "approved", Registration.protected_until < on).order_by(Registration.id)).all()
    for reg in stale:
        reg.status, reg.closed_at = "expired", utcnow()
        unindex(registration_id=reg.id)
        append_event(reg, "expired", None, {"protected_until": reg.protected_until.isoformat()})  # type: ignore[union-attr]
        notices.expired(reg)
    horizon = on + timedelta(days=setting("REMINDER_DAYS"))
    due = db.session.scalars(select(Registration).where(
        Registration.status == "approved", Registration.protected_until >= on,
        Registration.protected_until <= horizon, Registration.reminder_sent_at.is_(None)).order_by(Registration.id)).all()
    for reg in due:
        reg.reminder_sent_at = utcnow()
        notices.expiring(reg, on)
    db.session.flush()
    return ExpiryRun(len(stale), len(due))
