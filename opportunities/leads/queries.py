"""Who sees which lead: the pool of a partner, a user's own leads, and the named predicates
that views, the API and templates share.

Ownership: a lead is owned by a partner (`owner_partner_id`) and, within it, by the user who
claimed it or accepted its assignment (`owner_user_id`). A partner user sees and works the
leads it owns; a partner admin sees and works all of its partner's. A lead offered to a partner
(assigned, not yet accepted) is visible to all the partner's users, and whoever accepts owns it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, func, literal, or_, select

from opportunities.leads.models import Lead, LeadActivity, LeadCooldown, LeadEvent
from opportunities.leads.rules import eligible
from opportunities.leads.services import LeadNotFound
from portal.db import UTCDateTime, id_in_range, utcnow
from portal.extensions import db
from portal.models import Partner

MINE_STATUSES = ("assigned", "claimed", "converted")
NEVER = datetime(9999, 12, 31, tzinfo=timezone.utc)


def sees_all_partner_leads(user: Any) -> bool:
    """A partner admin sees every lead of its partner; a partner user only its own."""
    return getattr(user, "role", None) == "partner_admin"


def owns_lead(user: Any, partner: Any, lead: Lead) -> bool:
    """May act as the lead's owner (record activity, release, convert)."""
    return (lead.status == "claimed" and partner is not None and lead.owner_partner_id == partner.id
            and (sees_all_partner_leads(user) or lead.owner_user_id == user.id))


def is_offered_to(partner: Any, lead: Lead) -> bool:
    return lead.status == "assigned" and partner is not None and lead.owner_partner_id == partner.id


def in_pool_of(partner: Any, lead: Lead) -> bool:
    return (lead.status == "pool" and partner is not None
            and eligible(lead.region, lead.tiers, partner.region, partner.tier))


def can_see_lead(user: Any, partner: Any, lead: Lead) -> bool:
    """The lead is in the partner's pool, offered to it, or owned (by the user, or by the
    partner for a partner admin; converted leads stay visible to their owner)."""
    if in_pool_of(partner, lead) or is_offered_to(partner, lead):
        return True
    return (lead.status in ("claimed", "converted") and partner is not None
            and lead.owner_partner_id == partner.id
            and (sees_all_partner_leads(user) or lead.owner_user_id == user.id))


def lead_for_partner_or_404(partner: Any, user: Any, lead_id: Any) -> Lead:
    """The lead if the partner's user may see it (`can_see_lead`), else LeadNotFound, so nothing
    leaks. Leads are not tenant rows (a pool lead belongs to nobody), so this is
    `portal.db.load_owned`'s rule with `can_see_lead` in place of the partner compare."""
    lead = db.session.get(Lead, lead_id) if id_in_range(lead_id) else None
    if lead is None or not can_see_lead(user, partner, lead):
        raise LeadNotFound("No such lead.")
    return lead


def pool_stmt(partner: Any) -> Select:
    """Pool leads of the partner's region and tier (leads it is cooling down on included: the
    page says when it may claim them)."""
    return select(Lead).where(
        Lead.status == "pool",
        func.lower(Lead.region) == (partner.region or "").strip().lower(),
        or_(Lead.tiers == "", Lead.tiers.contains(f",{partner.tier},")),
    )


def mine_stmt(partner: Any, user: Any) -> Select:
    """Leads offered to or owned by the partner; a partner user only sees its own (and offers)."""
    stmt = select(Lead).where(Lead.owner_partner_id == partner.id, Lead.status.in_(MINE_STATUSES))
    if not sees_all_partner_leads(user):
        stmt = stmt.where(or_(Lead.status == "assigned", Lead.owner_user_id == user.id))
    return stmt


def dashboard_counts(partner: Any, user: Any, due_before: datetime) -> dict[str, int]:
    """The partner dashboard's figures: offered, owned, owned and due before `due_before`, pool."""
    mine = mine_stmt(partner, user).subquery()
    rows = dict(db.session.execute(select(mine.c.status, func.count()).group_by(mine.c.status)).all())
    soon = db.session.scalar(select(func.count()).select_from(mine).where(
        mine.c.status == "claimed", mine.c.due_at <= due_before)) or 0
    pool = db.session.scalar(select(func.count()).select_from(pool_stmt(partner).subquery())) or 0
    return {"offered": rows.get("assigned", 0), "owned": rows.get("claimed", 0), "due_soon": soon,
            "pool": pool}


def cooldowns_for(partner: Any, lead_ids: list[int]) -> dict[int, Any]:
    """lead id -> until, for the partner's running cool-downs among these leads."""
    if not lead_ids:
        return {}
    rows = db.session.execute(select(LeadCooldown.lead_id, LeadCooldown.until).where(
        LeadCooldown.partner_id == partner.id, LeadCooldown.lead_id.in_(lead_ids),
        LeadCooldown.until > utcnow()))
    return dict(rows.all())


def activities_for(lead: Lead, partner: Any | None) -> list[LeadActivity]:
    """A lead's activities, newest first: a partner sees only its own, staff see all."""
    stmt = select(LeadActivity).where(LeadActivity.lead_id == lead.id)
    if partner is not None:
        stmt = stmt.where(LeadActivity.partner_id == partner.id)
    return list(db.session.scalars(stmt.order_by(LeadActivity.created_at.desc(),
                                                 LeadActivity.id.desc())))


def due_order() -> Any:
    """Sort key for "most urgent first": the due time, leads without a clock last."""
    return func.coalesce(Lead.due_at, literal(NEVER, UTCDateTime()))


def staff_stmt(*, status: str | None = None, region: str | None = None,
               partner_id: int | None = None, q: str | None = None) -> Select:
    """Every lead, for staff, optionally filtered."""
    stmt = select(Lead)
    if status:
        stmt = stmt.where(Lead.status == status)
    if region:
        stmt = stmt.where(func.lower(Lead.region) == region.strip().lower())
    if partner_id:
        stmt = stmt.where(Lead.owner_partner_id == partner_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Lead.company_name.ilike(like), Lead.company_domain.ilike(like),
                              Lead.contact_name.ilike(like)))
    return stmt


def history_of(lead: Lead) -> list[Any]:
    """The lead's history, oldest first (staff)."""
    return list(db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)
                                   .order_by(LeadEvent.created_at, LeadEvent.id)))


def regions() -> list[str]:
    """Regions known from partners and leads (form suggestions)."""
    names = set(db.session.scalars(select(Partner.region).distinct()))
    names |= set(db.session.scalars(select(Lead.region).distinct()))
    return sorted(n for n in names if n)
