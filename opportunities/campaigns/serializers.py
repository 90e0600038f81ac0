"""JSON shapes of campaigns, MDF requests and results (validated through the response models)."""
from __future__ import annotations

from typing import Any

from flask import url_for

from opportunities.campaigns import richtext, targeting
from opportunities.campaigns.api_schemas import (
    AssetOut, CampaignOut, CampaignResultsOut, ClaimOut, EventOut, MdfRequestOut, ProofOut,
)
from opportunities.campaigns.models import Campaign, CampaignAsset, MdfClaim, MdfEvent, MdfRequest
from opportunities.campaigns.services.campaigns import today
from opportunities.campaigns.services.results import CampaignResults
from opportunities.campaigns.services.values import percent_text
from portal.api.schemas import present
from portal.money import Money


def asset(campaign: Campaign, a: CampaignAsset) -> dict[str, Any]:
    return present(AssetOut, {
        "id": a.id, "title": a.title, "filename": a.filename, "content_type": a.content_type,
        "size": a.size_bytes, "kind": a.kind, "created_at": a.created_at,
        "url": url_for("campaigns_api.download_asset", campaign_id=campaign.id, asset_id=a.id)})


def campaign(c: Campaign, *, enrolled: bool | None = None, enrolled_partners: int | None = None,
             assets: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": c.id, "name": c.name, "description": c.description,
        "description_html": str(richtext.render(c.description)), "starts_on": c.starts_on,
        "ends_on": c.ends_on, "status": c.status, "active": c.is_active_on(today()), "tiers": list(c.tiers),
        "regions": list(c.regions), "kinds": list(c.kinds), "targeting": targeting.describe(c.tiers, c.regions, c.kinds),
        "products": c.skus, "price_rule_percent": percent_text(c.price_rule_percent), "currency": c.currency,
        "mdf_budget": c.mdf_budget.as_str(), "mdf_reserved": c.mdf_reserved.as_str(),
        "mdf_remaining": c.mdf_remaining.as_str(), "enrolled": enrolled, "enrolled_partners": enrolled_partners,
        "assets": [asset(c, a) for a in c.assets] if assets else None,
    }
    result = present(CampaignOut, data)
    for key in ("enrolled", "enrolled_partners", "assets"):
        if result.get(key) is None:
            result.pop(key, None)
    return result


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else Money(minor, currency).as_str()


def claim(req: MdfRequest, c: MdfClaim) -> dict[str, Any]:
    return present(ClaimOut, {
        "id": c.id, "status": c.status, "amount": c.amount.as_str(), "approved_amount": _money(c.approved_minor, c.currency),
        "currency": c.currency, "note": c.note, "decision_note": c.decision_note, "paid_at": c.paid_at,
        "payment_reference": c.payment_reference, "created_at": c.created_at,
        "proofs": [present(ProofOut, {"id": p.id, "filename": p.filename, "content_type": p.content_type,
                                      "size": p.size_bytes,
                                      "url": url_for("campaigns_api.download_proof", request_id=req.id, file_id=p.id)})
                   for p in c.proofs]})


def event(e: MdfEvent) -> dict[str, Any]:
    return present(EventOut, {"action": e.action, "actor": e.actor_label, "amount": _money(e.amount_minor, e.currency),
                              "note": e.note, "at": e.created_at})


def mdf_request(r: MdfRequest, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": r.id, "campaign_id": r.campaign_id, "campaign_name": r.campaign.name, "partner_id": r.partner_id,
        "status": r.status, "activity": r.activity, "plan": r.plan, "starts_on": r.starts_on, "ends_on": r.ends_on,
        "currency": r.currency, "amount": r.requested.as_str(), "approved_amount": _money(r.approved_minor, r.currency),
        "decision_note": r.decision_note, "created_at": r.created_at,
        "claims": [claim(r, c) for c in r.claims] if full else None,
        "events": [event(e) for e in r.events] if full else None,
    }
    result = present(MdfRequestOut, data)
    if not full:
        result.pop("claims", None)
        result.pop("events", None)
    return result


def _value(value: Any) -> str | int:
    return value.as_str() if isinstance(value, Money) else int(value)


def results(res: CampaignResults) -> dict[str, Any]:
    c = res.campaign
    totals: dict[str, Any] = {}
    for fig in res.figures:
        total = res.totals.get(fig.key)
        if fig.kind == "count":
            totals[fig.key] = int(total or 0)  # type: ignore[arg-type]
        else:
            money = [m for m in (total or []) if isinstance(m, Money)] or [Money.zero(c.currency)]  # type: ignore[union-attr]
            totals[fig.key] = money[0].as_str() if len(money) == 1 and money[0].currency == c.currency else \
                [str(m) for m in money]
    return present(CampaignResultsOut, {
        "campaign_id": c.id, "currency": c.currency, "enrolled_partners": res.enrolled,
        "mdf_budget": c.mdf_budget.as_str(), "mdf_reserved": c.mdf_reserved.as_str(),
        "mdf_remaining": c.mdf_remaining.as_str(), "totals": totals,
        "partners": [{"partner_id": r.partner.id, "partner_name": r.partner.name,
                      "enrolled_on": r.enrolled_at.date() if r.enrolled_at else None,
                      "figures": {k: _value(v) for k, v in r.values.items()}} for r in res.rows]})
