"""Request and response models of the campaigns and MDF API."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from portal.api.schemas import CHOICE_MAX, Body
from portal.api.types import Amount, Code, Name, Percent, items, text

LONG_TEXT = 20_000  # description, plan, claim notes: what the campaign services accept
DateText = text(32)  # a date as sent ("YYYY-MM-DD"); the service parses it
Tiers = items(text(CHOICE_MAX), 10)  # registered, silver, gold, platinum
Kinds = items(text(CHOICE_MAX), 10)  # distributor, reseller, agent
Regions = items(text(64), 50)
Skus = items(Code)


class CampaignCreate(Body):
    name: Name
    description: text(LONG_TEXT)
    starts_on: DateText = Field(description="YYYY-MM-DD")
    ends_on: DateText = Field(description="YYYY-MM-DD, on or after starts_on")
    tiers: Tiers | None = Field(None, description="partner tiers targeted; empty or absent: all")
    regions: Regions | None = Field(None, description="partner regions targeted; empty or absent: all")
    kinds: Kinds | None = Field(None, description="partner kinds targeted; empty or absent: all")
    mdf_budget: Amount | None = Field(None, description="decimal string in the campaign's currency; default 0")
    currency: text(CHOICE_MAX) | None = Field(None, description="ISO 4217; default CAMPAIGN_DEFAULT_CURRENCY (EUR)")
    products: Skus | None = Field(None, description="SKUs of promoted products")
    price_rule_percent: Percent | None = Field(None, description="percent off promoted products during the campaign")
    status: text(CHOICE_MAX) | None = Field(None, description="published (default: visible at once) or draft")


class CampaignUpdate(Body):
    name: Name | None = None
    description: text(LONG_TEXT) | None = None
    starts_on: DateText | None = None
    ends_on: DateText | None = None
    tiers: Tiers | None = None
    regions: Regions | None = None
    kinds: Kinds | None = None
    mdf_budget: Amount | None = None
    currency: text(CHOICE_MAX) | None = None
    products: Skus | None = None
    price_rule_percent: Percent | None = None


class AssetOut(BaseModel):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    kind: str
    url: str
    created_at: datetime


class CampaignOut(BaseModel):
    id: int
    name: str
    description: str
    description_html: str
    starts_on: date
    ends_on: date
    status: str
    active: bool
    tiers: list[str]
    regions: list[str]
    kinds: list[str]
    targeting: str
    products: list[str]
    price_rule_percent: str | None
    currency: str
    mdf_budget: str
    mdf_reserved: str
    mdf_remaining: str
    enrolled: bool | None = Field(None, description="partner users: whether their partner is enrolled")
    enrolled_partners: int | None = Field(None, description="staff: how many partners enrolled")
    assets: list[AssetOut] | None = Field(None, description="in GET /campaigns/{id}")


class EnrolmentOut(BaseModel):
    campaign_id: int
    partner_id: int
    status: str = "enrolled"
    enrolled_at: datetime


class MdfRequestCreate(Body):
    activity: Name
    plan: text(LONG_TEXT)
    starts_on: DateText = Field(description="YYYY-MM-DD, within the campaign")
    ends_on: DateText = Field(description="YYYY-MM-DD, within the campaign")
    amount: Amount = Field(description="decimal string in the campaign's currency")


class MdfDecision(Body):
    amount: Amount | None = Field(None, description="default: the full amount asked")
    comment: text(LONG_TEXT) | None = None


class Reason(Body):
    reason: text(LONG_TEXT)


class Payment(Body):
    reference: text(100) | None = None


class ProofOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class ClaimOut(BaseModel):
    id: int
    status: str
    amount: str
    approved_amount: str | None
    currency: str
    note: str
    decision_note: str
    paid_at: datetime | None
    payment_reference: str
    created_at: datetime
    proofs: list[ProofOut]


class EventOut(BaseModel):
    action: str
    actor: str
    amount: str | None
    note: str
    at: datetime


class MdfRequestOut(BaseModel):
    id: int
    campaign_id: int
    campaign_name: str
    partner_id: int
    status: str
    activity: str
    plan: str
    starts_on: date
    ends_on: date
    currency: str
    amount: str
    approved_amount: str | None
    decision_note: str
    created_at: datetime
    claims: list[ClaimOut] | None = None
    events: list[EventOut] | None = None


class MdfResultRow(BaseModel):
    partner_id: int
    partner_name: str
    enrolled_on: date | None
    figures: dict[str, str | int]


class CampaignResultsOut(BaseModel):
    campaign_id: int
    currency: str
    enrolled_partners: int
    mdf_budget: str
    mdf_reserved: str
    mdf_remaining: str
    totals: dict[str, str | int | list[str]]
    partners: list[MdfResultRow]
