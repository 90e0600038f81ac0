"""Leads as JSON (through the API response models, so the description and output agree)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from opportunities.leads.api_schemas import ActivityOut, LeadOut, StatsOut
from opportunities.leads.models import Lead, LeadActivity, LeadEvent
from opportunities.leads.rules import LeadSettings, lead_clock
from opportunities.leads.services.stats import PoolStats, StatRow
from opportunities.registrations.services.attribution import shown_campaign
from portal.api.schemas import present


def clock_dict(lead: Lead, now: datetime, cfg: LeadSettings) -> dict[str, Any] | None:
    clock = lead_clock(lead.status, lead.due_at, now, cfg)
    if clock is None:
        return None
    return {"kind": clock.kind, "due_at": clock.due_at, "state": clock.state,
            "remaining_seconds": int(clock.remaining.total_seconds())}


def activity(a: LeadActivity) -> dict[str, Any]:
    return {"id": a.id, "lead_id": a.lead_id, "kind": a.kind, "note": a.note, "user_id": a.user_id,
            "created_at": a.created_at}


def event(e: LeadEvent) -> dict[str, Any]:
    return {"action": e.action, "created_at": e.created_at, "from_partner_id": e.from_partner_id,
            "to_partner_id": e.to_partner_id, "actor": e.actor_label, "reason": e.reason}


def campaign_shown_to(partner: Any, item: Lead) -> bool:
    """Staff see every lead's campaign; a partner only on leads offered to or held by it (not in the pool)."""
    return partner is None or item.owner_partner_id == partner.id


def lead(item: Lead, now: datetime, cfg: LeadSettings, *, claimable_from: datetime | None = None,
         activities: list[LeadActivity] | None = None,
         history: list[LeadEvent] | None = None, show_campaign: bool = True) -> dict[str, Any]:
    """A lead; `show_campaign` False hides its campaign (a partner sees it once the lead is its own)."""
    data = {
        "id": item.id, "status": item.status,
        "company": {"name": item.company_name, "domain": item.company_domain,
                    "country": item.company_country, "city": item.company_city},
        "contact": {"name": item.contact_name, "email": item.contact_email, "phone": item.contact_phone},
        "families": list(item.families or []), "region": item.region,
        "eligible_tiers": item.eligible_tiers, "notes": item.notes,
        "owner_partner_id": item.owner_partner_id, "owner_user_id": item.owner_user_id,
        "assignment_deadline": item.assignment_deadline, "owned_since": item.owned_since,
        "last_activity_at": item.last_activity_at, "clock": clock_dict(item, now, cfg),
        "claimable_from": claimable_from, "opportunity_id": item.opportunity_id,
        **shown_campaign(item.campaign if show_campaign else None),
        "created_at": item.created_at,
        "activities": [activity(a) for a in activities] if activities is not None else None,
        "history": [event(e) for e in history] if history is not None else None,
    }
    return present(LeadOut, data)


def _stat(row: StatRow) -> dict[str, Any]:
    wait = row.median_first_activity
    return {"key": row.key, "partner_id": row.partner_id, "claimed": row.claimed,
            "accepted": row.accepted, "converted": row.converted, "fell_back": row.fell_back,
            "released": row.released, "open_now": row.open_now, "in_pool": row.in_pool,
            "median_seconds_to_first_activity": int(wait.total_seconds()) if wait is not None else None}


def stats(result: PoolStats) -> dict[str, Any]:
    return present(StatsOut, {"by_region": [_stat(r) for r in result.by_region],
                              "by_partner": [_stat(r) for r in result.by_partner],
                              "total": _stat(result.total)})


def present_activity(a: LeadActivity) -> dict[str, Any]:
    return present(ActivityOut, activity(a))
