"""Request and response models of the leads API (CONTRACT.md "Leads")."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from portal.api.schemas import CHOICE_MAX, Body
from opportunities.registrations.api_schemas import Amount as LeadAmount  # a registration amount (BIGINT)
from portal.api.types import Code, Id, Name, Text, items, text

DateText = text(40)  # "YYYY-MM-DD" or an ISO timestamp; the service parses it
Families = items(Code, 20)  # leads.inputs.MAX_FAMILIES
Tiers = items(text(CHOICE_MAX), 10)  # registered, silver, gold, platinum
Reason = text(500)  # lead_events.reason is String(500)
from portal.choices import REGION, RegionCode


class CompanyIn(Body):
    name: Name
    domain: text(254) | None = Field(None, description="web or e-mail domain, e.g. acme.com")
    country: text(64) = Field(description="ISO 3166 alpha-2")
    city: text(120) | None = None


class ContactIn(Body):
    name: Name | None = None
    email: text(254) | None = None
    phone: text(50) | None = None


class LeadCreate(Body):
    company: CompanyIn
    contact: ContactIn | None = None
    families: Families = Field(description="product families the prospect is interested in")
    region: text(64) = Field(description=f"the pool's sales region: {REGION}")
    partner_id: Id | None = Field(None, description="assign to this partner; without it the lead "
                                                     "goes to the pool")
    tiers: Tiers | None = Field(None, description="pool only for these partner tiers (default all)")
    notes: Text | None = None
    assignment_deadline: DateText | None = Field(None, description="YYYY-MM-DD or ISO timestamp; "
                                                              "default LEADS_ASSIGNMENT_DAYS")
    campaign_id: Id | None = Field(None, description="the published campaign the lead comes from")


class CampaignIn(Body):
    campaign_id: Id | None = Field(description="a campaign running for your company, or null to clear")


class ActivityIn(Body):
    note: Text
    kind: text(CHOICE_MAX) = Field("note", description="call, email, meeting or note")


class ReasonIn(Body):
    reason: Reason | None = None


class AssignIn(Body):
    partner_id: Id
    assignment_deadline: DateText | None = None
    reason: Reason | None = Field(None, description="required when the lead is held by another partner")


class PoolIn(Body):
    region: Annotated[RegionCode, Field(max_length=CHOICE_MAX)] | None = None
    tiers: Tiers | None = None
    reason: Reason | None = Field(None, description="required when a partner holds the lead")


class CloseIn(Body):
    reason: Reason


class ConvertIn(Body):
    amount: LeadAmount = Field(description="estimated deal amount, decimal string")
    currency: text(CHOICE_MAX) | None = Field(None, description="default: the partner's currency")
    expected_close: DateText = Field(description="YYYY-MM-DD")
    families: items(Code, 50) | None = Field(None, description="default: the lead's product families")
    notes: Text | None = Field(None, description="default: the lead's notes")
    vat_id: text(40) | None = Field(None, description="the customer's VAT id, if known")


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
