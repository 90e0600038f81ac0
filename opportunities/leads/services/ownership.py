"""Partner side: claim a pool lead, accept or decline an assignment, record follow-up activity,
release a lead. One owner at a time, decided by a conditional UPDATE."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from opportunities.leads.models import ACTIVITY_KINDS, Lead, LeadActivity
from opportunities.leads.queries import in_pool_of, is_offered_to, owns_lead
from opportunities.leads.rules import eligible, settings
from opportunities.leads.services import CooldownActive, LeadConflict, LeadError, LeadNotFound
from opportunities.leads.services.common import (
    RELEASED, compare_and_set, cooldown_until, current_ownership, end_ownership, now_or, record_event,
    start_ownership,
)
from portal.extensions import db
from portal.models import Partner
from portal.services import audit

ALREADY_TAKEN = "This lead has already been taken by another partner."


def _owned(user: Any, partner: Any, now: datetime) -> dict[str, Any]:
    return {"status": "claimed", "owner_partner_id": partner.id, "owner_user_id": user.id,
            "owned_since": now, "due_at": now + settings().follow_up, "last_activity_at": None,
            "warned_at": None}


def claim_lead(partner: Partner, actor: Any, lead: Lead | None, *, now: datetime | None = None) -> Lead:
    """Claim a pool lead. Outside the partner's region or tier: 404; taken meanwhile: 409;
    cooling down after a lapse: 422 saying when the partner may claim it again. The claiming
    user's own repeated claims, even concurrent ones, all succeed and change nothing."""
    now = now_or(now)
    if lead is None or lead.status == "closed" or not (
            in_pool_of(partner, lead) or _was_pool_lead_for(partner, lead)):
        raise LeadNotFound("No such lead in your pool.")
    if _claimed_by(lead, partner, actor):
        return lead  # claiming twice (a retry) changes nothing
    if lead.status != "pool":
        raise LeadConflict(ALREADY_TAKEN, code="already_taken")
    until = cooldown_until(lead.id, partner.id, now)
    if until is not None:
        raise CooldownActive(until)
    if not compare_and_set(lead, {"status": "pool"}, _owned(actor, partner, now), now=now):
        if _claimed_by(lead, partner, actor):
            return lead  # the same user's concurrent claim (two tabs, a retry) won: nothing to do
        raise LeadConflict(ALREADY_TAKEN, code="already_taken")
    start_ownership(lead, partner.id, actor.id, "claim", now)
    record_event(lead, "claimed", actor=actor, to_partner_id=partner.id,
                 reason="Claimed from the pool", now=now)
    audit.record(actor, "lead.claim", lead, partner_id=partner.id,
                 summary=f"Lead {lead.company_name} claimed from the pool by {partner.name}")
    db.session.flush()
    return lead


def _claimed_by(lead: Lead, partner: Partner, actor: Any) -> bool:
    return lead.status == "claimed" and lead.owner_partner_id == partner.id and lead.owner_user_id == actor.id


def _was_pool_lead_for(partner: Partner, lead: Lead) -> bool:
    """A lead of the partner's region and tier that left the pool (taken): 409, not 404."""
    return lead.status in ("assigned", "claimed", "converted") and eligible(
        lead.region, lead.tiers, partner.region, partner.tier)


def accept_assignment(partner: Partner, actor: Any, lead: Lead, *, now: datetime | None = None) -> Lead:
    """Accept a lead offered to the partner: the accepting user owns it and the clock starts."""
    now = now_or(now)
    if not is_offered_to(partner, lead):
        if lead.status == "claimed" and lead.owner_partner_id == partner.id:
            raise LeadConflict("This lead is already accepted.")
        raise LeadNotFound("This lead is not offered to your company (any more).")
    if lead.due_at is not None and lead.due_at <= now:
        raise LeadConflict("The time to accept this lead has passed: it goes to the pool.",
                           code="assignment_lapsed")
    if not compare_and_set(lead, {"status": "assigned", "owner_partner_id": partner.id},
                           _owned(actor, partner, now), now=now):
        raise LeadConflict("The lead changed meanwhile: reload and try again.")
    start_ownership(lead, partner.id, actor.id, "assignment", now)
    record_event(lead, "accepted", actor=actor, to_partner_id=partner.id,
                 reason="Assignment accepted", now=now)
    audit.record(actor, "lead.accept", lead, partner_id=partner.id,
                 summary=f"Lead {lead.company_name} accepted by {partner.name}")
    db.session.flush()
    return lead


def decline_assignment(partner: Partner, actor: Any, lead: Lead, reason: str = "", *,
                       now: datetime | None = None) -> Lead:
    """Decline an offered lead: it goes to the pool of its region."""
    now = now_or(now)
    if not is_offered_to(partner, lead):
        raise LeadNotFound("This lead is not offered to your company (any more).")
    if not compare_and_set(lead, {"status": "assigned", "owner_partner_id": partner.id},
                           {**RELEASED, "status": "pool"}, now=now):
        raise LeadConflict("The lead changed meanwhile: reload and try again.")
    reason = " ".join((reason or "").split())
    record_event(lead, "declined", actor=actor, from_partner_id=partner.id,
                 reason=f"Declined: {reason}" if reason else "Declined", now=now)
    audit.record(actor, "lead.decline", lead, partner_id=partner.id,
                 summary=f"Lead {lead.company_name} declined by {partner.name}" + (f": {reason}" if reason else ""))
    db.session.flush()
    return lead


def release_lead(partner: Partner, actor: Any, lead: Lead, reason: str = "", *,
                 now: datetime | None = None) -> Lead:
    """Give an owned lead back to the pool (no cool-down: releasing is a deliberate choice)."""
    now = now_or(now)
    if not owns_lead(actor, partner, lead):
        raise LeadNotFound()
    if not compare_and_set(lead, {"status": "claimed", "owner_partner_id": partner.id},
                           {**RELEASED, "status": "pool"}, now=now):
        raise LeadNotFound()
    end_ownership(lead, "released", now)
    reason = " ".join((reason or "").split())
    record_event(lead, "released", actor=actor, from_partner_id=partner.id,
                 reason=f"Released: {reason}" if reason else "Released by the partner", now=now)
    audit.record(actor, "lead.release", lead, partner_id=partner.id,
                 summary=f"Lead {lead.company_name} released to the pool by {partner.name}"
                 + (f": {reason}" if reason else ""))
    db.session.flush()
    return lead


def record_activity(partner: Partner, actor: Any, lead: Lead, kind: str, note: str, *,
                    now: datetime | None = None) -> LeadActivity:
    """A follow-up by the owner; it restarts the follow-up clock. Not the owner (any more): 404."""
    now = now_or(now)
    kind = (kind or "note").strip().lower()
    note = (note or "").strip() if isinstance(note, str) else ""
    errors = {}
    if kind not in ACTIVITY_KINDS:
        errors["kind"] = f"Choose one of: {', '.join(ACTIVITY_KINDS)}."
    if not note:
        errors["note"] = "Say what happened (a few words at least)."
    elif len(note) > 5000:
        errors["note"] = "At most 5000 characters."
    if not owns_lead(actor, partner, lead):
        raise LeadNotFound()
    if errors:
        raise LeadError("The activity could not be recorded: see fields.", fields=errors)
    if not compare_and_set(lead, {"status": "claimed", "owner_partner_id": partner.id},
                           {"last_activity_at": now, "due_at": now + settings().follow_up,
                            "warned_at": None}, now=now):
        raise LeadNotFound()
    activity = LeadActivity(lead_id=lead.id, partner_id=partner.id, user_id=actor.id, kind=kind,
                            note=note, created_at=now)
    db.session.add(activity)
    period = current_ownership(lead)
    if period is not None and period.first_activity_at is None:
        period.first_activity_at = now
    db.session.flush()
    return activity
