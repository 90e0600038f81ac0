"""Staff distribution: create leads, assign or reassign them to a partner, put them in the pool,
close them. Every change of owner is logged with its reason."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any

from opportunities.leads.inputs import clean_lead, clean_tiers
from opportunities.leads.models import Lead
from opportunities.leads.rules import settings, tiers_list
from opportunities.leads.services import LEAD_ASSIGNED, LeadConflict, LeadError, partner_link
from opportunities.leads.services.common import (
    RELEASED, compare_and_set, end_ownership, find_duplicate, now_or, partner_contacts, record_event,
)
from opportunities.registrations.services import attribution
from portal.choices import check_region
from portal.extensions import db
from portal.models import Partner
from portal.services import audit
from portal.services.notifications import notify

HELD = ("assigned", "claimed")


def _partner(value: Any) -> Partner:
    try:
        partner = db.session.get(Partner, int(value))
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        raise LeadError("Unknown partner.", fields={"partner_id": "No such partner."})
    if not partner.is_active:
        raise LeadError("This partner is suspended: it cannot take leads.",
                        fields={"partner_id": f"{partner.name} is suspended."})
    return partner


def _deadline(value: Any, now: datetime) -> datetime:
    """The accept-or-decline deadline: a date (end of that day, UTC) or a timestamp."""
    if value in (None, ""):
        return now + settings().assignment
    try:
        if isinstance(value, datetime):
            when = value
        elif isinstance(value, date):
            when = datetime.combine(value, time(23, 59), tzinfo=timezone.utc)
        elif len(str(value).strip()) == 10:
            when = datetime.combine(date.fromisoformat(str(value).strip()), time(23, 59),
                                    tzinfo=timezone.utc)
        else:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise LeadError("The deadline is not a date.", fields={
            "assignment_deadline": "Use YYYY-MM-DD or an ISO 8601 timestamp."}) from None
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    if when <= now:
        raise LeadError("The deadline must be in the future.",
                        fields={"assignment_deadline": "Must be in the future."})
    return when


def create_lead(actor: Any, data: Mapping[str, Any], *, source: str = "manual",
                now: datetime | None = None, audited: bool = True) -> Lead:
    """A new lead: assigned when `partner_id` is given, otherwise in the pool of its region.
    An import passes `audited=False` and writes one audit entry for the whole file."""
    on = now.date() if now else None
    now = now_or(now)
    values = clean_lead(data)
    partner = _partner(data["partner_id"]) if data.get("partner_id") not in (None, "") else None
    if attribution.id_value(data.get("campaign_id")) is not None:
        try:
            values["campaign_id"] = attribution.campaign_for_staff(
                data["campaign_id"], on, partner=partner).id
        except attribution.AttributionError as exc:
            raise LeadError(exc.message, fields=exc.fields) from None
    duplicate = find_duplicate(values)
    if duplicate is not None:
        raise LeadError(f"There is already an open lead for this company with a product family in "
                        f"common: lead #{duplicate.id} ({duplicate.company_name}).",
                        code="duplicate_lead", fields={"company.name": f"Duplicate of lead #{duplicate.id}."})
    lead = Lead(**values, status="pool", source=source, created_by_id=getattr(actor, "id", None),
                created_at=now, updated_at=now)
    db.session.add(lead)
    db.session.flush()
    where = f"pool of {lead.region}" + (f" ({', '.join(lead.eligible_tiers)})" if lead.tiers else "")
    if lead.campaign is not None:
        where += f", for the campaign {lead.campaign.name}"
    record_event(lead, "created", actor=actor, reason=f"Created ({source}) in the {where}", now=now)
    if audited:
        audit.record(actor, "lead.create", lead, summary=f"Lead {lead.company_name} created ({source})")
    if partner is not None:
        assign_lead(partner, actor, lead, deadline=data.get("assignment_deadline"),
                    reason=str(data.get("reason") or ""), now=now, audited=audited)
    return lead


def assign_lead(partner: Partner, actor: Any, lead: Lead, *, deadline: Any = None,
                reason: str = "", now: datetime | None = None, audited: bool = True) -> Lead:
    """Offer a lead to one partner, which accepts or declines before the deadline (else it goes
    to the pool). On a lead another partner holds this is a reassignment and needs a reason."""
    now = now_or(now)
    partner = _partner(partner.id)
    if lead.status in ("converted", "closed"):
        raise LeadConflict(f"This lead is {lead.status}: it cannot be assigned.")
    if lead.owner_partner_id == partner.id and lead.status in HELD:
        raise LeadConflict(f"This lead is already {lead.status} to {partner.name}.")
    reason = " ".join((reason or "").split())
    previous = lead.owner_partner_id if lead.status in HELD else None
    if previous is not None and not reason:
        raise LeadError("Say why the lead is taken from its current partner.",
                        fields={"reason": "A reason is required to reassign a lead."})
    due = _deadline(deadline, now)
    was = lead.status
    if not compare_and_set(lead, {"status": was, "owner_partner_id": lead.owner_partner_id},
                           {**RELEASED, "status": "assigned", "owner_partner_id": partner.id,
                            "due_at": due}, now=now):
        raise LeadConflict("The lead changed meanwhile (claimed or reassigned): reload and try again.")
    if was == "claimed":
        end_ownership(lead, "reassigned", now)
    action = "reassigned" if previous is not None else "assigned"
    record_event(lead, action, actor=actor, from_partner_id=previous, to_partner_id=partner.id,
                 reason=reason or f"Assigned to {partner.name}", now=now)
    if audited:
        audit.record(actor, "lead.reassign" if previous is not None else "lead.assign", lead,
                     partner_id=partner.id, summary=f"Lead {lead.company_name} {action} to {partner.name}")
    notify(partner_contacts(partner.id), LEAD_ASSIGNED, f"New lead for you: {lead.company_name}",
           body=(f"{lead.company_name} ({lead.company_country}) is interested in "
                 f"{', '.join(lead.families)}. Accept or decline it before "
                 f"{due.strftime('%Y-%m-%d %H:%M UTC')}, or it goes to the lead pool."),
           link=partner_link(lead.id))
    db.session.flush()
    return lead


def put_in_pool(actor: Any, lead: Lead, *, region: str | None = None, tiers: Any = None,
                reason: str = "", now: datetime | None = None) -> Lead:
    """Put a lead (back) into the pool of a region and, optionally, of some tiers only."""
    now = now_or(now)
    if lead.status in ("converted", "closed"):
        raise LeadConflict(f"This lead is {lead.status}: it cannot go to the pool.")
    reason = " ".join((reason or "").split())
    values: dict[str, Any] = {}
    if region is not None:
        if not " ".join(str(region).split()):
            raise LeadError("Give the pool's region.", fields={"region": "This field is required."})
        try:
            values["region"] = check_region(region)
        except ValueError as exc:
            raise LeadError("Choose one of the sales regions.", fields={"region": str(exc)}) from None
    if tiers is not None:
        try:
            values["tiers"] = clean_tiers(tiers)
        except ValueError as exc:
            raise LeadError("Unknown tier.", fields={"tiers": str(exc)}) from None
    previous = lead.owner_partner_id if lead.status in HELD else None
    if previous is not None and not reason:
        raise LeadError("Say why the lead is taken from its partner.",
                        fields={"reason": "A reason is required to take a lead from a partner."})
    was = lead.status
    if not compare_and_set(lead, {"status": was, "owner_partner_id": lead.owner_partner_id},
                           {**RELEASED, **values, "status": "pool"}, now=now):
        raise LeadConflict("The lead changed meanwhile (claimed or reassigned): reload and try again.")
    if was == "claimed":
        end_ownership(lead, "pooled", now)
    tiers_label = ", ".join(tiers_list(lead.tiers)) or "every tier"
    record_event(lead, "pooled", actor=actor, from_partner_id=previous,
                 reason=reason or f"In the pool of {lead.region} ({tiers_label})", now=now)
    audit.record(actor, "lead.pool", lead, partner_id=previous,
                 summary=f"Lead {lead.company_name} put in the {lead.region} pool")
    db.session.flush()
    return lead


def close_lead(actor: Any, lead: Lead, reason: str, *, now: datetime | None = None) -> Lead:
    """Withdraw a lead (e.g. not a real prospect); it leaves the pool and its owner."""
    now = now_or(now)
    reason = " ".join((reason or "").split())
    if not reason:
        raise LeadError("Say why the lead is closed.", fields={"reason": "A reason is required."})
    if lead.status in ("converted", "closed"):
        raise LeadConflict(f"This lead is already {lead.status}.")
    was, previous = lead.status, lead.owner_partner_id
    if not compare_and_set(lead, {"status": was, "owner_partner_id": previous},
                           {**RELEASED, "status": "closed"}, now=now):
        raise LeadConflict("The lead changed meanwhile: reload and try again.")
    if was == "claimed":
        end_ownership(lead, "closed", now)
    record_event(lead, "closed", actor=actor, from_partner_id=previous, reason=reason, now=now)
    audit.record(actor, "lead.close", lead, partner_id=previous,
                 summary=f"Lead {lead.company_name} closed: {reason}"[:300])
    db.session.flush()
    return lead
