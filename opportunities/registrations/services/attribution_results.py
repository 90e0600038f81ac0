"""Registrations attributed to a campaign, as figures of the campaign's results.

Per partner and campaign, in the campaign's currency: registrations attributed (any status),
pipeline (estimated amounts of open ones: submitted, in review, approved), won revenue (won ones:
the linked order's total when there is one, else the estimated amount) and registrations left out
of those sums because their amount is in another currency (no exchange rates are kept). The same
SQL serves the campaign results page (one campaign, by partner) and the staff campaign report
(many campaigns). The leads feature adds its lead figures and registers the whole source
(`opportunities/leads/services/campaign_results.py`), since leads come above registrations.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services.results import Figure, Value
from opportunities.registrations.models import Registration
from portal.extension_points import registry
from portal.extensions import db
from portal.money import Money

#: Registrations counted in the pipeline.
OPEN_STATUSES = ("submitted", "in_review", "approved")
REGISTRATION_FIGURES = ("registrations", "pipeline", "won", "other_currency")
FIGURES = (
    Figure("registrations", "Registrations", "count"),
    Figure("pipeline", "Pipeline", "money"),
    Figure("won", "Won revenue", "money"),
    Figure("other_currency", "Other currency", "count"),
)


def registration_figures(*where: Any, by_partner: bool = False) -> Select:
    """Rows (campaign_id[, partner_id], registrations, pipeline, won, other_currency), amounts in
    minor units of the campaign's currency; `where` narrows the registrations."""
    directory = registry().order_directory
    # read as a table, from the ordering feature (its models stay its own); without ordering, no
    # deal has an order and won revenue is the estimated amount
    orders = directory.orders_table() if directory is not None else None
    is_open = Registration.status.in_(OPEN_STATUSES)
    is_won = Registration.status == "won"
    if orders is not None:
        linked = orders.c.id.is_not(None)
        won_minor = case((linked, orders.c.total_minor), else_=Registration.amount_minor)
        won_currency = case((linked, orders.c.currency), else_=Registration.currency)
    else:
        won_minor, won_currency = Registration.amount_minor, Registration.currency
    open_here = and_(is_open, Registration.currency == Campaign.currency)
    won_here = and_(is_won, won_currency == Campaign.currency)
    keys = [Registration.campaign_id] + ([Registration.partner_id] if by_partner else [])
    stmt = (select(*keys, func.count().label("registrations"),
                   func.coalesce(func.sum(case((open_here, Registration.amount_minor), else_=0)), 0).label("pipeline"),
                   func.coalesce(func.sum(case((won_here, won_minor), else_=0)), 0).label("won"),
                   func.count().filter(or_(and_(is_open, Registration.currency != Campaign.currency),
                                           and_(is_won, won_currency != Campaign.currency))).label("other_currency"))
            .select_from(Registration).join(Campaign, Campaign.id == Registration.campaign_id))
    if orders is not None:
        stmt = stmt.outerjoin(orders, and_(orders.c.id == Registration.won_order_id, is_won))
    return stmt.where(Registration.campaign_id.is_not(None), *where).group_by(*keys)


def values(row: Any, names: Sequence[str], currency: str) -> dict[str, Value]:
    """The figures `names` of a result row: money in the campaign's currency, counts as ints."""
    data = row._mapping
    return {name: Money(int(data[name] or 0), currency) if name in ("pipeline", "won") else int(data[name] or 0)
            for name in names}


def by_partner(campaign: Campaign) -> dict[int, dict[str, Value]]:
    """The campaign's registration figures per partner (one query, whatever the number of deals)."""
    out: dict[int, dict[str, Value]] = {}
    for row in db.session.execute(registration_figures(Registration.campaign_id == campaign.id, by_partner=True)):
        out.setdefault(row.partner_id, {}).update(values(row, REGISTRATION_FIGURES, campaign.currency))
    return out
