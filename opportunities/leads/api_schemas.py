"""Request and response models of the leads API (CONTRACT.md "Leads")."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from portal.api.schemas import Body
from portal.api.types import Id
from portal.choices import REGION, RegionCode


class CompanyIn(Body):
    name: str
    domain: str | None = Field(None, description="web or e-mail domain, e.g. acme.com")
    country: str = Field(description="ISO 3166 alpha-2")
    city: str | None = None


class ContactIn(Body):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class LeadCreate(Body):
    company: CompanyIn
    contact: ContactIn | None = None
    families: list[str] = Field(description="product families the prospect is interested in")
    region: str = Field(description=f"the pool's sales region: {REGION}")
    partner_id: Id | None = Field(None, description="assign to this partner; without it the lead "
                                                     "goes to the pool")
    tiers: list[str] | None = Field(None, description="pool only for these partner tiers (default all)")
    notes: str | None = None
    assignment_deadline: str | None = Field(None, description="YYYY-MM-DD or ISO timestamp; "
                                                              "default LEADS_ASSIGNMENT_DAYS")
    campaign_id: Id | None = Field(None, description="the published campaign the lead comes from")


class CampaignIn(Body):
    campaign_id: Id | None = Field(description="a campaign running for your company, or null to clear")


class ActivityIn(Body):
    note: str
    kind: str = Field("note", description="call, email, meeting or note")


class ReasonIn(Body):
    reason: str | None = None


class AssignIn(Body):
    partner_id: int
    assignment_deadline: str | None = None
    reason: str | None = Field(None, description="required when the lead is held by another partner")


class PoolIn(Body):
    region: RegionCode | None = None
    tiers: list[str] | None = None
    reason: str | None = Field(None, description="required when a partner holds the lead")


class CloseIn(Body):
    reason: str


class ConvertIn(Body):
    amount: str | int | float = Field(description="estimated deal amount, decimal string")
    currency: str | None = Field(None, description="default: the partner's currency")
    expected_close: str = Field(description="YYYY-MM-DD")
    families: list[str] | None = Field(None, description="default: the lead's product families")
    notes: str | None = Field(None, description="default: the lead's notes")
    vat_id: str | None = Field(None, description="the customer's VAT id, if known")


class CompanyOut(BaseModel):
    name: str
    domain: str | None
    country: str
    city: str


class ContactOut(BaseModel):
    name: str
    email: str
    phone: str


class ClockOut(BaseModel):
    kind: str = Field(description="follow_up (record activity) or answer (accept or decline)")
    due_at: datetime
    state: str = Field(description="ok, warning or overdue")
    remaining_seconds: int


class ActivityOut(BaseModel):
    id: int
    lead_id: int
    kind: str
    note: str
    user_id: int | None
    created_at: datetime


class EventOut(BaseModel):
    action: str
    created_at: datetime
    from_partner_id: int | None
    to_partner_id: int | None
    actor: str
    reason: str


class LeadOut(BaseModel):
    id: int
    status: str = Field(description="pool, assigned, claimed, converted or closed")
    company: CompanyOut
    contact: ContactOut
    families: list[str]
    region: str
    eligible_tiers: list[str] = Field(description="empty: every tier")
    notes: str
    owner_partner_id: int | None
    owner_user_id: int | None
    assignment_deadline: datetime | None
    owned_since: datetime | None
    last_activity_at: datetime | None
    clock: ClockOut | None
    claimable_from: datetime | None = Field(None, description="partners: the end of their cool-down")
    opportunity_id: int | None
    campaign_id: int | None = Field(None, description="the campaign it is attributed to (partners: "
                                                      "shown once the lead is theirs)")
    campaign_name: str | None = None
    created_at: datetime
    activities: list[ActivityOut] | None = None
    history: list[EventOut] | None = Field(None, description="staff only")


class StatOut(BaseModel):
    key: str = Field(description="the region, or the partner's name")
    partner_id: int | None
    claimed: int
    accepted: int
    converted: int
    fell_back: int
    released: int
    open_now: int
    in_pool: int
    median_seconds_to_first_activity: int | None


class StatsOut(BaseModel):
    by_region: list[StatOut]
    by_partner: list[StatOut]
    total: StatOut
