"""The owning partner attributes its lead to a channel campaign, or clears the attribution."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from opportunities.leads.models import Lead
from opportunities.leads.queries import owns_lead
from opportunities.leads.services import LeadConflict, LeadError, LeadNotFound
from opportunities.leads.services.common import now_or, record_event
from opportunities.registrations.services import attribution
from portal.extensions import db
from portal.models import Partner


def set_lead_campaign(partner: Partner, actor: Any, lead: Lead, campaign_id: Any, *,
                      now: datetime | None = None) -> Lead:
    """Attribute an owned lead to a campaign (the rules of opportunities.registrations.services.attribution;
    a running campaign enrols the partner), or clear it with `campaign_id` None.

    Not the owner (any more): 404. Converted: 409, the registration keeps the campaign."""
    on = now.date() if now else None
    now = now_or(now)
    if not owns_lead(actor, partner, lead):
        if lead.status == "converted" and lead.owner_partner_id == partner.id:
            raise LeadConflict("This lead is converted: its deal registration keeps the campaign.",
                               code="already_converted")
        raise LeadNotFound()
    wanted = attribution.id_value(campaign_id)
    if wanted is not None and wanted == lead.campaign_id:
        return lead  # unchanged (even if it would not qualify today)
    if wanted is None:
        if lead.campaign_id is not None:
            name = lead.campaign.name if lead.campaign else f"#{lead.campaign_id}"
            lead.campaign = None
            record_event(lead, "campaign", actor=actor, to_partner_id=partner.id, now=now,
                         reason=f"No longer attributed to the campaign {name}")
        db.session.flush()
        return lead
    try:
        campaign = attribution.campaign_for_partner(partner, campaign_id, on)
    except attribution.AttributionError as exc:
        raise LeadError(exc.message, code=exc.code, fields=exc.fields) from None
    if lead.campaign_id != campaign.id:
        lead.campaign = campaign
        record_event(lead, "campaign", actor=actor, to_partner_id=partner.id, now=now,
                     reason=f"Attributed to the campaign {campaign.name}")
        attribution.record_attribution(partner, actor, campaign, f"lead #{lead.id} ({lead.company_name})", on)
    db.session.flush()
    return lead
