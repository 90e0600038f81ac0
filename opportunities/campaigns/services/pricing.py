"""The campaign price rule for the pricing engine: percent off promoted products for the partners
a campaign targets, on the campaign's dates."""
from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Date, bindparam, select

from catalog.services.lookup import built_once, core_execute, in_param
from opportunities.campaigns import targeting
from opportunities.campaigns.models import Campaign, CampaignProduct
from portal.extension_points import registry
from portal.models import Partner


def _stmt(dialect: str):
    on = bindparam("on", type_=Date)
    return (select(CampaignProduct.sku, Campaign.name, Campaign.price_rule_percent, Campaign.tiers,
                   Campaign.regions, Campaign.kinds, Campaign.starts_on, Campaign.ends_on)
            .join(Campaign, Campaign.id == CampaignProduct.campaign_id)
            .where(Campaign.status == "published", Campaign.price_rule_percent.is_not(None),
                   Campaign.starts_on <= on, Campaign.ends_on >= on,
                   in_param(CampaignProduct.sku, "skus", dialect))
            .order_by(Campaign.id))


def _all_stmt(dialect: str):
    return (select(CampaignProduct.sku, Campaign.name, Campaign.price_rule_percent, Campaign.tiers,
                   Campaign.regions, Campaign.kinds, Campaign.starts_on, Campaign.ends_on)
            .join(Campaign, Campaign.id == CampaignProduct.campaign_id)
            .where(Campaign.status == "published", Campaign.price_rule_percent.is_not(None),
                   Campaign.ends_on >= bindparam("on", type_=Date))
            .order_by(Campaign.id))


# The catalog list shows prices for 20 products per page on every page view: it reads the rules
# of running and future campaigns from a per-process copy refreshed every minute (and at once in
# the process that saves a campaign). Carts, quotes and orders always read them fresh.
_cache: dict[str, Any] = {"at": None, "rows": []}


def forget() -> None:
    """Drop this process's copy of the campaign price rules (after a campaign changed)."""
    _cache["at"] = None


def _cached_rows(on: date, skus: Collection[str]) -> list[tuple]:
    now = time.monotonic()
    seconds = current_app.config["CAMPAIGN_PRICE_CACHE_SECONDS"]
    if _cache["at"] is None or now - _cache["at"] >= seconds:
        _cache["rows"] = list(core_execute(built_once("campaign_rules_all", _all_stmt), {"on": on}).all())
        _cache["at"] = now
    wanted = set(skus)
    return [r for r in _cache["rows"] if r[0] in wanted and r[6] <= on <= r[7]]


def campaign_discounts(partner: Partner, on: date, skus: Collection[str], *,
                       cached: bool = False) -> Mapping[str, tuple[Decimal, str]]:
    """{sku: (percent, label)} for promoted SKUs; with several campaigns the largest percent wins
    (campaign discounts do not stack). Enrolment is not needed. One query, built once (it runs
    for every priced cart), or none with `cached` (the catalog list)."""
    if not skus:
        return {}
    if cached:
        rows = _cached_rows(on, skus)
    else:
        rows = core_execute(built_once("campaign_discounts", _stmt), {"on": on, "skus": list(set(skus))}).all()
    best: dict[str, tuple[Decimal, str]] = {}
    for sku, name, percent, tiers, regions, kinds, _, _ in rows:
        if not targeting.targets(tiers or (), regions or (), kinds or (), tier=partner.tier,
                                 region=partner.region, kind=partner.kind):
            continue
        percent = Decimal(percent)
        if sku not in best or percent > best[sku][0]:
            best[sku] = (percent, name)
    return best


def init_app(app: Flask) -> None:
    """The campaign price rule, for catalog pricing (portal.extension_points.CampaignDiscounts)."""
    registry(app).campaign_discounts.append(campaign_discounts)
