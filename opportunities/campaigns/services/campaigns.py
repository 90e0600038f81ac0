"""Campaigns: create, edit and publish (staff); what a partner may see; enrolment."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.services.lookup import products_by_sku
from catalog.services.products import like_escape
from opportunities.campaigns import targeting
from opportunities.campaigns.models import (
    Campaign,
    CampaignEnrolment,
    CampaignProduct,
    MdfRequest,
)
from opportunities.campaigns.services import CampaignError, values
from opportunities.campaigns.services.pricing import forget as forget_price_rules
from portal import choices
from portal.db import after_commit, id_in_range, utcnow
from portal.errors import NotFound, StateConflict, ValidationFailed
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import PARTNER_KINDS, PARTNER_TIERS, Partner, User
from portal.services import audit
from portal.services.notifications import notify, partner_users

AUDITED = ("name", "starts_on", "ends_on", "status", "tiers", "regions", "kinds", "price_rule_percent",
           "currency", "mdf_budget_minor")
PUBLISHED = NotificationKind("campaign_published", "New campaign for you")
NOTIFICATION_KINDS = (PUBLISHED,)  # registered by the feature's init_app


def today() -> date:
    return date.today()


def _choices(value: Any, allowed: tuple[str, ...], key: str, label: str, errors: dict[str, str]) -> list[str]:
    items = [str(v).strip().lower() for v in (value or []) if str(v).strip()]
    unknown = [v for v in items if v not in allowed]
    if unknown:
        errors[key] = f"Unknown {label} {unknown[0]!r}: choose from {', '.join(allowed)}."
    return [a for a in allowed if a in items]


def _regions(value: Any, errors: dict[str, str], kept: list[str]) -> list[str]:
    """Configured sales regions (any case, stored upper case); a region the campaign already
    targets stays allowed after it leaves the setting."""
    allowed = set(choices.regions()) | {r.upper() for r in kept}
    seen: list[str] = []
    for item in value or []:
        region = " ".join(str(item).split()).upper()
        if region and region not in allowed:
            errors["regions"] = (f"{str(item)[:20]!r} is not a sales region: choose from "
                                 f"{', '.join(choices.regions())}.")
        elif region and region not in seen:
            seen.append(region)
    return seen


def _skus(value: Any, errors: dict[str, str], kept: list[str]) -> list[str]:
    """Promoted SKUs: known, and active unless already promoted before being retired."""
    skus = sorted({str(s).strip() for s in (value or []) if str(s).strip()})
    found = products_by_sku(skus) if skus else {}
    missing = [s for s in skus if s not in found]
    retired = [s for s in skus if s in found and not found[s].active and s not in kept]
    if missing:
        errors["products"] = f"Unknown SKU {', '.join(missing)}."
    elif retired:
        errors["products"] = f"{', '.join(retired)} is retired and cannot be promoted."
    return skus


def clean_campaign(data: Mapping[str, Any], campaign: Campaign | None) -> dict[str, Any]:
    """Validate a campaign (all fields when creating, the given ones when editing)."""
    data = dict(data)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    given = (lambda key: True) if campaign is None else (lambda key: key in data)
    if given("name"):
        out["name"] = values.text(data, "name", errors, required=True, max_len=200)
    if given("description"):
        out["description"] = values.text(data, "description", errors, required=False, max_len=20000)
    for key in ("starts_on", "ends_on"):
        if given(key):
            out[key] = values.day(data.get(key), key, errors)
    starts = out.get("starts_on", campaign.starts_on if campaign else None)
    ends = out.get("ends_on", campaign.ends_on if campaign else None)
    if "ends_on" not in errors and "starts_on" not in errors:
        values.dates_in_order(starts, ends, errors, "campaign")
    if given("tiers"):
        out["tiers"] = _choices(data.get("tiers"), PARTNER_TIERS, "tiers", "tier", errors)
    if given("kinds"):
        out["kinds"] = _choices(data.get("kinds"), PARTNER_KINDS, "kinds", "partner kind", errors)
    if given("regions"):
        out["regions"] = _regions(data.get("regions"), errors, campaign.regions if campaign else [])
    if given("products"):
        out["products"] = _skus(data.get("products"), errors, campaign.skus if campaign else [])
    if given("price_rule_percent"):
        out["price_rule_percent"] = values.percent(data.get("price_rule_percent"), "price_rule_percent", errors)
    skus = out.get("products", campaign.skus if campaign else [])
    if out.get("price_rule_percent") is not None and not skus and "products" not in errors:
        errors["price_rule_percent"] = "A campaign price applies to promoted products: choose some."
    currency = campaign.currency if campaign else current_app.config["CAMPAIGN_DEFAULT_CURRENCY"]
    if data.get("currency"):
        currency = str(data["currency"]).strip().upper()
        if currency not in choices.currencies():
            errors["currency"] = f"{str(data['currency'])[:20]!r} is not a supported ISO 4217 currency code."
        elif campaign is not None and currency != campaign.currency and _has_requests(campaign):
            errors["currency"] = "The currency cannot change once MDF has been requested."
        out["currency"] = currency
    if (given("mdf_budget") or "currency" in out) and "currency" not in errors:
        raw = data.get("mdf_budget")
        if raw is None or str(raw).strip() == "":
            raw = format(campaign.mdf_budget.amount.normalize(), "f") if campaign else "0"
        budget = values.amount(raw, currency, "mdf_budget", errors, positive=False)
        if budget is not None:
            if campaign is not None and budget.amount_minor < campaign.mdf_reserved_minor:
                errors["mdf_budget"] = (f"The budget cannot be less than the {campaign.mdf_reserved.format()} "
                                        "already approved.")
            out["mdf_budget_minor"] = budget.amount_minor
    if campaign is None:
        status = str(data.get("status") or "draft").strip().lower()
        if status not in ("draft", "published"):
            errors["status"] = "Choose draft or published."
        out["status"] = status
    if errors:
        raise ValidationFailed("Some fields are invalid: see fields.", fields=errors)
    return out


def _has_requests(campaign: Campaign) -> bool:
    return db.session.scalar(select(func.count(MdfRequest.id)).where(MdfRequest.campaign_id == campaign.id)) > 0


def _apply(campaign: Campaign, values_: dict[str, Any]) -> None:
    for key, value in values_.items():
        if key == "products":
            keep = {p.sku: p for p in campaign.products}
            campaign.products = [keep.get(sku) or CampaignProduct(sku=sku) for sku in value]
        elif key != "status":
            setattr(campaign, key, value)


def create_campaign(actor: User, data: Mapping[str, Any]) -> Campaign:
    """A new campaign, a draft unless `status` is 'published'."""
    clean = clean_campaign(data, None)
    campaign = Campaign(currency=clean.get("currency") or current_app.config["CAMPAIGN_DEFAULT_CURRENCY"],
                        created_by_id=getattr(actor, "id", None), status="draft",
                        tiers=[], regions=[], kinds=[], mdf_budget_minor=0)
    _apply(campaign, clean)
    db.session.add(campaign)
    db.session.flush()
    audit.record(actor, "campaign.create", campaign, after=audit.snapshot(campaign, AUDITED),
                 summary=f"Campaign {campaign.name}")
    if clean["status"] == "published":
        publish_campaign(actor, campaign)
    after_commit(forget_price_rules)
    return campaign


def update_campaign(actor: User, campaign: Campaign, data: Mapping[str, Any]) -> Campaign:
    before = audit.snapshot(campaign, AUDITED)
    _apply(campaign, clean_campaign(data, campaign))
    db.session.flush()
    audit.record(actor, "campaign.update", campaign, before=before, after=audit.snapshot(campaign, AUDITED),
                 summary=f"Campaign {campaign.name}")
    after_commit(forget_price_rules)
    return campaign


def publish_campaign(actor: User, campaign: Campaign, on: date | None = None) -> Campaign:
    """Make a draft visible to the partners it targets; they are told when it runs or will run."""
    on = on or today()
    if campaign.status == "published":
        raise StateConflict("This campaign is already published.", code="already_published")
    if campaign.ends_on < on:
        raise CampaignError(f"This campaign ended on {campaign.ends_on.isoformat()}: change its dates first.",
                            fields={"ends_on": "The campaign has already ended."})
    campaign.status = "published"
    campaign.published_at = utcnow()
    db.session.flush()
    audit.record(actor, "campaign.publish", campaign, summary=f"Campaign {campaign.name} published")
    when = "now" if campaign.starts_on <= on else f"from {campaign.starts_on.isoformat()}"
    for partner in targeted_partners(campaign):
        notify(partner_users(partner, ("partner_admin",)), PUBLISHED, f"New campaign: {campaign.name}",
               f"{campaign.name} runs {when} until {campaign.ends_on.isoformat()}.",
               f"/campaigns/{campaign.id}")
    after_commit(forget_price_rules)
    return campaign


def targets(campaign: Campaign, partner: Partner) -> bool:
    return targeting.targets(campaign.tiers, campaign.regions, campaign.kinds,
                            tier=partner.tier, region=partner.region, kind=partner.kind)


def targeted_partners(campaign: Campaign) -> list[Partner]:
    """Active partners the campaign targets."""
    stmt = select(Partner).where(Partner.status == "active").order_by(Partner.name)
    if campaign.tiers:
        stmt = stmt.where(Partner.tier.in_(campaign.tiers))
    if campaign.kinds:
        stmt = stmt.where(Partner.kind.in_(campaign.kinds))
    return [p for p in db.session.scalars(stmt) if targets(campaign, p)]


def enrolment_of(partner: Partner, campaign_id: int) -> CampaignEnrolment | None:
    return db.session.scalars(CampaignEnrolment.for_partner(partner).where(
        CampaignEnrolment.campaign_id == campaign_id)).first()


def visible_to(partner: Partner, campaign: Campaign, on: date | None = None) -> bool:
    """Published, targeting the partner, and running (or ended with the partner enrolled)."""
    on = on or today()
    if campaign.status != "published" or not targets(campaign, partner) or campaign.starts_on > on:
        return False
    return on <= campaign.ends_on or enrolment_of(partner, campaign.id) is not None


def campaign_for_partner_or_404(partner: Partner, campaign_id: int, on: date | None = None) -> Campaign:
    """The campaign if the partner may see it; otherwise a 404, so nothing leaks."""
    campaign = db.session.get(Campaign, campaign_id) if id_in_range(campaign_id) else None
    if campaign is None or not visible_to(partner, campaign, on):
        raise NotFound("There is no such campaign.")
    return campaign


def campaigns_for_partner(partner: Partner, on: date | None = None, *, ended: bool = False) -> list[Campaign]:
    """Active campaigns that target the partner (soonest ending first); with `ended`, the ended
    ones it enrolled in instead."""
    on = on or today()
    stmt = select(Campaign).where(Campaign.status == "published", Campaign.starts_on <= on)
    if ended:
        enrolled = select(CampaignEnrolment.campaign_id).where(CampaignEnrolment.partner_id == partner.id)
        stmt = stmt.where(Campaign.ends_on < on, Campaign.id.in_(enrolled)).order_by(Campaign.ends_on.desc())
    else:
        stmt = stmt.where(Campaign.ends_on >= on).order_by(Campaign.ends_on, Campaign.id)
    return [c for c in db.session.scalars(stmt) if targets(c, partner)]


def enrolled_campaign_ids(partner: Partner) -> set[int]:
    return set(db.session.scalars(select(CampaignEnrolment.campaign_id).where(
        CampaignEnrolment.partner_id == partner.id)))


def enrol(partner: Partner, actor: User, campaign: Campaign, on: date | None = None) -> tuple[CampaignEnrolment, bool]:
    """Enrol the partner (once); returns the enrolment and whether it is new."""
    on = on or today()
    existing = enrolment_of(partner, campaign.id)
    if existing is not None:
        return existing, False
    if not campaign.is_active_on(on):
        raise StateConflict("This campaign has ended: enrolment is closed.", code="campaign_ended")
    enrolment = CampaignEnrolment(partner_id=partner.id, campaign_id=campaign.id,
                                  enrolled_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # enrolled at the same moment by a colleague
        found = enrolment_of(partner, campaign.id)
        if found is None:
            raise
        return found, False
    audit.record(actor, "campaign.enrol", campaign, partner_id=partner.id,
                 summary=f"{partner.name} enrolled in {campaign.name}")
    return enrolment, True


def staff_campaigns(status: str | None = None, state: str | None = None, q: str | None = None,
                    on: date | None = None):
    """A select of campaigns for staff lists: by status, by state (running / upcoming / ended), by name."""
    on = on or today()
    stmt = select(Campaign)
    if status in ("draft", "published"):
        stmt = stmt.where(Campaign.status == status)
    if state == "running":
        stmt = stmt.where(Campaign.starts_on <= on, Campaign.ends_on >= on)
    elif state == "upcoming":
        stmt = stmt.where(Campaign.starts_on > on)
    elif state == "ended":
        stmt = stmt.where(Campaign.ends_on < on)
    if q:
        stmt = stmt.where(Campaign.name.ilike(f"%{like_escape(q.strip())}%", escape="\\"))
    return stmt


def enrolment_counts(campaign_ids: list[int]) -> dict[int, int]:
    if not campaign_ids:
        return {}
    return dict(db.session.execute(select(CampaignEnrolment.campaign_id, func.count()).where(
        CampaignEnrolment.campaign_id.in_(campaign_ids)).group_by(CampaignEnrolment.campaign_id)).all())
