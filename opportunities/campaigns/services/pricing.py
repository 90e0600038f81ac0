"""The campaign price rule for the pricing engine: percent off promoted products for the partners
a campaign targets, on the campaign's dates."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, bindparam, select

from catalog.services import pricing as catalog_pricing
from opportunities.campaigns.models import Campaign, CampaignProduct
from catalog.services.lookup import built_once, core_execute, in_param
from opportunities.campaigns import targeting
from portal.extensions import db
from portal.models import Partner


def _stmt(dialect: str):
    on = bindparam("on", type_=Date)
    return (select(CampaignProduct.sku, Campaign.name, Campaign.price_rule_percent, Campaign.tiers,
                   Campaign.regions, Campaign.kinds)
            .join(Campaign, Campaign.id == CampaignProduct.campaign_id)
            .where(Campaign.status == "published", Campaign.price_rule_percent.is_not(None),
                   Campaign.starts_on <= on, Campaign.ends_on >= on,
                   in_param(CampaignProduct.sku, "skus", dialect))
            .order_by(Campaign.id))


def campaign_discounts(partner: Partner, on: date, skus: Collection[str]) -> Mapping[str, tuple[Decimal, str]]:
    """{sku: (percent, label)} for promoted SKUs; with several campaigns the largest percent wins
    (campaign discounts do not stack). Enrolment is not needed. One query, built once (it runs
    for every priced cart and catalog page)."""
    if not skus:
        return {}
    best: dict[str, tuple[Decimal, str]] = {}
    rows = core_execute(built_once("campaign_discounts", _stmt), {"on": on, "skus": list(set(skus))})
    for sku, name, percent, tiers, regions, kinds in rows.all():
        if not targeting.targets(tiers or (), regions or (), kinds or (), tier=partner.tier,
                                 region=partner.region, kind=partner.kind):
            continue
        percent = Decimal(percent)
        if sku not in best or percent > best[sku][0]:
            best[sku] = (percent, name)
    return best


if campaign_discounts not in catalog_pricing.CAMPAIGN_DISCOUNTS:
    catalog_pricing.CAMPAIGN_DISCOUNTS.append(campaign_discounts)
