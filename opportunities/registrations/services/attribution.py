"""Campaign attribution: which channel campaign a deal registration or a lead may name, and recording it.

A partner attributes its own registration or lead to a campaign it can see (published, targeting it,
started) that runs today, or that ended at most `grace_days()` ago and that the partner enrolled in.
Attributing to a running campaign enrols the partner when it was not enrolled yet. Whatever the reason
a campaign does not qualify (unknown id, draft, another tier's, upcoming, ended without the partner),
the partner gets the same message, so ids reveal nothing. Staff (creating or importing leads) may name
any published campaign that has started and is within the same grace period.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services import campaigns
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit

NOT_YOURS = "Choose one of the campaigns running for your company."


class AttributionError(ValidationFailed):
    """The campaign cannot be named here (422, field `campaign_id`)."""

    code = "campaign_not_attributable"

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"campaign_id": message})


def grace_days() -> int:
    """Days after a campaign's end during which deals may still be attributed to it
    (setting `CAMPAIGN_ATTRIBUTION_GRACE_DAYS`, default 30 in portal/config.py)."""
    return int(current_app.config["CAMPAIGN_ATTRIBUTION_GRACE_DAYS"])


def closes_on(campaign: Campaign) -> date:
    """The last day a deal can be attributed to the campaign."""
    return campaign.ends_on + timedelta(days=grace_days())


def id_value(value: Any) -> int | None:
    """An id from a form or a file: digits (or an int), None when empty; anything else is unknown (-1)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value if 0 < value < 2**31 else -1
    text = str(value).strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 and 0 < int(text) < 2**31 else -1


def attributable_campaigns(partner: Partner, on: date | None = None) -> list[Campaign]:
    """What the partner may choose: its running campaigns, then the recently ended ones it enrolled in."""
    on = on or campaigns.today()
    running = campaigns.campaigns_for_partner(partner, on)
    ended = [c for c in campaigns.campaigns_for_partner(partner, on, ended=True) if closes_on(c) >= on]
    return running + ended


def staff_campaigns(on: date | None = None) -> list[Campaign]:
    """What staff may name on a lead: published campaigns that started and are within the grace period."""
    on = on or campaigns.today()
    stmt = select(Campaign).where(Campaign.status == "published", Campaign.starts_on <= on,
                                  Campaign.ends_on >= on - timedelta(days=grace_days()))
    return list(db.session.scalars(stmt.order_by(Campaign.ends_on, Campaign.id)))


def campaign_for_partner(partner: Partner, campaign_id: Any, on: date | None = None) -> Campaign:
    """The campaign the partner names, if it qualifies; AttributionError otherwise."""
    on = on or campaigns.today()
    ident = id_value(campaign_id)
    campaign = db.session.get(Campaign, ident) if ident and ident > 0 else None
    if campaign is None or not campaigns.visible_to(partner, campaign, on):
        raise AttributionError(NOT_YOURS)
    if closes_on(campaign) < on:  # visible (the partner enrolled), so it may hear why
        raise AttributionError(f"{campaign.name} ended on {campaign.ends_on.isoformat()}: deals can be attributed "
                               f"to it up to {grace_days()} days after its end.")
    return campaign


def campaign_for_staff(campaign_id: Any, on: date | None = None, *, partner: Partner | None = None) -> Campaign:
    """A campaign staff name on a lead: published, started, not past the grace period, and
    targeting `partner` when the lead goes to one."""
    on = on or campaigns.today()
    ident = id_value(campaign_id)
    campaign = db.session.get(Campaign, ident) if ident and ident > 0 else None
    if campaign is None:
        raise AttributionError("There is no such campaign.")
    if campaign.status != "published":
        raise AttributionError(f"{campaign.name} is a draft: publish it first.")
    if campaign.starts_on > on:
        raise AttributionError(f"{campaign.name} starts on {campaign.starts_on.isoformat()}.")
    if closes_on(campaign) < on:
        raise AttributionError(f"{campaign.name} ended on {campaign.ends_on.isoformat()}: too long ago to "
                               "attribute leads to it.")
    if partner is not None and not campaigns.targets(campaign, partner):
        raise AttributionError(f"{campaign.name} does not target {partner.name}.")
    return campaign


def record_attribution(partner: Partner, actor: User | None, campaign: Campaign, subject: str,
                       on: date | None = None) -> None:
    """Log that the partner attributed `subject` to the campaign, and enrol the partner when the
    campaign runs and it was not enrolled yet (both go to the audit log)."""
    on = on or campaigns.today()
    audit.record(actor, "campaign.attribute", campaign, partner_id=partner.id,
                 summary=f"{partner.name} attributed {subject} to {campaign.name}")
    if campaign.is_active_on(on) and campaigns.enrolment_of(partner, campaign.id) is None:
        campaigns.enrol(partner, actor, campaign, on)  # type: ignore[arg-type]


def shown_campaign(campaign: Campaign | None) -> dict[str, Any]:
    """`campaign_id` and `campaign_name` for JSON and pages (both None without a campaign)."""
    return {"campaign_id": campaign.id if campaign else None, "campaign_name": campaign.name if campaign else None}
