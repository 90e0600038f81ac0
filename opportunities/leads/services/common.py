"""Helpers shared by the lead services: race-safe state changes, ownership periods, history."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update

from opportunities.leads.models import OPEN_STATUSES, Lead, LeadCooldown, LeadEvent, LeadOwnership
from portal.db import utcnow
from portal.extensions import db

# Columns cleared whenever a lead stops being held by a partner.
RELEASED = {"owner_partner_id": None, "owner_user_id": None, "owned_since": None, "due_at": None,
            "last_activity_at": None, "warned_at": None}


def now_or(now: datetime | None) -> datetime:
    return now or utcnow()


def compare_and_set(lead: Lead, expect: Mapping[str, Any], values: Mapping[str, Any],
                    *extra: Any, now: datetime | None = None) -> bool:
    """One conditional UPDATE: change the lead only if it is still as `expect` says.

    Two requests racing for the same lead both run this; the database lets exactly one match
    (on PostgreSQL the second waits for the first to commit, then re-checks its WHERE clause)."""
    conditions = [Lead.id == lead.id, *extra]
    for name, value in expect.items():
        column = getattr(Lead, name)
        conditions.append(column.is_(None) if value is None else column == value)
    stmt = (update(Lead).where(*conditions).values(**values, updated_at=now_or(now))
            .execution_options(synchronize_session=False))
    changed = db.session.execute(stmt).rowcount == 1
    db.session.refresh(lead)
    return changed


def record_event(lead: Lead, action: str, *, actor: Any = None, from_partner_id: int | None = None,
                 to_partner_id: int | None = None, reason: str = "",
                 now: datetime | None = None) -> LeadEvent:
    """Append to the lead's history (who, when, why); the system acts with no actor."""
    entry = LeadEvent(lead_id=lead.id, action=action, from_partner_id=from_partner_id,
                      to_partner_id=to_partner_id, actor_id=getattr(actor, "id", None),
                      actor_label=getattr(actor, "email", None) or "system",
                      reason=reason[:500], created_at=now_or(now))
    db.session.add(entry)
    return entry


def current_ownership(lead: Lead) -> LeadOwnership | None:
    return db.session.scalar(select(LeadOwnership).where(
        LeadOwnership.lead_id == lead.id, LeadOwnership.ended_at.is_(None))
        .order_by(LeadOwnership.id.desc()).limit(1))


def start_ownership(lead: Lead, partner_id: int, user_id: int | None, via: str,
                    now: datetime) -> LeadOwnership:
    period = LeadOwnership(lead_id=lead.id, partner_id=partner_id, user_id=user_id, via=via,
                           started_at=now)
    db.session.add(period)
    return period


def end_ownership(lead: Lead, outcome: str, now: datetime) -> None:
    period = current_ownership(lead)
    if period is not None:
        period.ended_at, period.outcome = now, outcome


def set_cooldown(lead: Lead, partner_id: int, until: datetime, reason: str) -> None:
    """The partner may not claim this lead again before `until` (a later lapse extends it)."""
    row = db.session.scalar(select(LeadCooldown).where(
        LeadCooldown.lead_id == lead.id, LeadCooldown.partner_id == partner_id))
    if row is None:
        db.session.add(LeadCooldown(lead_id=lead.id, partner_id=partner_id, until=until, reason=reason))
    elif row.until < until:
        row.until, row.reason = until, reason


def cooldown_until(lead_id: int, partner_id: int, now: datetime) -> datetime | None:
    """When the partner may claim this lead again, if it is cooling down now."""
    until = db.session.scalar(select(LeadCooldown.until).where(
        LeadCooldown.lead_id == lead_id, LeadCooldown.partner_id == partner_id))
    return until if until is not None and until > now else None


def find_duplicate(values: Mapping[str, Any], exclude_id: int | None = None) -> Lead | None:
    """An open lead for the same company (same domain, or same normalised name in the same
    country) with at least one product family in common."""
    same = and_(Lead.company_key == values["company_key"],
                Lead.company_country == values["company_country"])
    if values.get("company_domain"):
        same = or_(same, Lead.company_domain == values["company_domain"])
    stmt = select(Lead).where(Lead.status.in_(OPEN_STATUSES), same).order_by(Lead.id)
    if exclude_id is not None:
        stmt = stmt.where(Lead.id != exclude_id)
    wanted = set(values["families"])
    return next((lead for lead in db.session.scalars(stmt) if wanted & set(lead.families or [])), None)


def partner_contacts(partner_id: int, owner_user_id: int | None = None) -> list[Any]:
    """Who hears about a partner's lead: its admins, plus the owning rep (or, for a partner
    without an admin, all its users)."""
    from portal.models import Partner, User
    from portal.services.notifications import partner_users

    partner = db.session.get(Partner, partner_id)
    if partner is None:
        return []
    users = partner_users(partner, roles=("partner_admin",)) or partner_users(partner)
    owner = db.session.get(User, owner_user_id) if owner_user_id else None
    if owner is not None and owner.partner_id == partner_id:
        users.append(owner)
    return users
