"""Registrations and leads attributed to a campaign, as figures of the campaign's results: the
registration figures (`opportunities.registrations.services.attribution_results`), then the leads
held by the partner (offered, claimed or converted) and the leads converted. Per partner, in the
campaign's currency; the same SQL serves the campaign results page and the staff campaign report.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import Select, func, select

from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services.results import Figure, ResultSource, Value
from opportunities.leads.models import Lead
from opportunities.registrations.services import attribution_results as registration_results
from portal.extension_points import registry
from portal.extensions import db

LEAD_FIGURES = ("leads", "leads_converted")
FIGURES = (
    *registration_results.FIGURES,
    Figure("leads", "Leads", "count"),
    Figure("leads_converted", "Leads converted", "count"),
)


def lead_figures(*where: Any, by_partner: bool = False) -> Select:
    """Rows (campaign_id[, partner_id], leads, leads_converted): leads a partner holds or converted."""
    keys = [Lead.campaign_id] + ([Lead.owner_partner_id.label("partner_id")] if by_partner else [])
    return (select(*keys, func.count().label("leads"),
                   func.count().filter(Lead.status == "converted").label("leads_converted"))
            .where(Lead.campaign_id.is_not(None), Lead.owner_partner_id.is_not(None),
                   Lead.status.in_(("assigned", "claimed", "converted")), *where)
            .group_by(*keys))


def by_partner(campaign: Campaign) -> Mapping[int, Mapping[str, Value]]:
    """The campaign's figures per partner (two queries, whatever the number of deals)."""
    out = registration_results.by_partner(campaign)
    for row in db.session.execute(lead_figures(Lead.campaign_id == campaign.id, by_partner=True)):
        out.setdefault(row.partner_id, {}).update(
            registration_results.values(row, LEAD_FIGURES, campaign.currency))
    return out


def init_app(app: Flask) -> None:
    """Attributed registrations and leads in every campaign's results (after the MDF figures,
    which the campaigns feature puts first)."""
    registry(app).campaign_results.append(ResultSource(FIGURES, by_partner))
