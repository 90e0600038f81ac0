"""Request and response models of the campaigns and MDF API."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from portal.api.schemas import Amount, Body


class CampaignCreate(Body):
    name: str
    description: str
    starts_on: str = Field(description="YYYY-MM-DD")
    ends_on: str = Field(description="YYYY-MM-DD, on or after starts_on")
    tiers: list[str] | None = Field(None, description="partner tiers targeted; empty or absent: all")
    regions: list[str] | None = Field(None, description="partner regions targeted; empty or absent: all")
    kinds: list[str] | None = Field(None, description="partner kinds targeted; empty or absent: all")
    mdf_budget: Amount | None = Field(None, description="decimal string in the campaign's currency; default 0")
    currency: str | None = Field(None, description="ISO 4217; default CAMPAIGN_DEFAULT_CURRENCY (EUR)")
    products: list[str] | None = Field(None, description="SKUs of promoted products")
    price_rule_percent: Amount | None = Field(None, description="percent off promoted products during the campaign")
    status: str | None = Field(None, description="published (default: visible at once) or draft")


class CampaignUpdate(Body):
    name: str | None = None
    description: str | None = None
    starts_on: str | None = None
    ends_on: str | None = None
    tiers: list[str] | None = None
    regions: list[str] | None = None
    kinds: list[str] | None = None
    mdf_budget: Amount | None = None
    currency: str | None = None
    products: list[str] | None = None
    price_rule_percent: Amount | None = None


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
    activity: str
    plan: str
    starts_on: str = Field(description="YYYY-MM-DD, within the campaign")
    ends_on: str = Field(description="YYYY-MM-DD, within the campaign")
    amount: Amount = Field(description="decimal string in the campaign's currency")


class MdfDecision(Body):
    amount: Amount | None = Field(None, description="default: the full amount asked")
    comment: str | None = None


class Reason(Body):
    reason: str


class Payment(Body):
    reference: str | None = None


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
