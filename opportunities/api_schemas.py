"""Request and response models of the deal registration API (CONTRACT.md "Deal registrations")."""
from __future__ import annotations

from datetime import datetime

from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from portal.api.schemas import Body
from portal.api.types import StrictId


def _decimal_value(value: Any) -> Any:
    """A decimal string (preferred) or a JSON number; anything else is malformed (400)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("decimal_type", "Give a decimal string, e.g. \"1234.50\".")
    return value


Amount = Annotated[Any, PlainValidator(_decimal_value), WithJsonSchema({"type": "string", "example": "1234.50"})]


class CustomerIn(Body):
    name: str
    domain: str | None = Field(None, description="web domain, website or e-mail address")
    country: str = Field(description="ISO 3166 alpha-2")
    city: str | None = None
    vat_id: str | None = None


class ContactIn(Body):
    name: str | None = None
    email: str | None = None


class RegistrationCreate(Body):
    customer: CustomerIn
    contact: ContactIn | None = None
    families: list[str] | None = Field(None, description="product families (or give skus)")
    skus: list[str] | None = None
    amount: Amount = Field(description="estimated amount, decimal string")
    currency: str = Field(description="ISO 4217")
    expected_close: str = Field(description="YYYY-MM-DD, not in the past")
    campaign_id: StrictId | None = Field(None, description="a campaign running for the partner (or ended "
                                                            "within the grace period and enrolled in)")
    notes: str | None = None


class AvailabilityCheck(Body):
    customer: CustomerIn
    families: list[str] = []


class AvailabilityOut(BaseModel):
    available: bool
    own_registration: bool | None = Field(None, description="present (true) when your own active registration "
                                                            "covers the customer")
    own_opportunity_id: int | None = Field(None, description="that registration, when you may open it")


class ApproveIn(Body):
    protection_days: StrictInt | None = Field(None, description="default 90")
    discount_percent: Amount | None = Field(None, description="deal discount, decimal string")
    reject_conflicting: bool = Field(False, description="also reject the pending registrations it conflicts with")
    rejection_reason: str | None = Field(None, description="reason given to the rejected ones")


class ApproveOut(BaseModel):
    id: int
    status: str
    protected_until: str
    discount_percent: str | None = None
    rejected_ids: list[int] = []


class RejectIn(Body):
    reason: str


class OutcomeIn(Body):
    result: str = Field(description="won or lost")
    reason: str | None = Field(None, description="required when lost")
    order_id: StrictId | None = Field(None, description="required when won: the partner's order")


class ConflictOut(BaseModel):
    reasons: list[str]
    score: float
    own_opportunity_id: int | None = Field(None, description="the partner's own registration it duplicates")
    opportunity_id: int | None = Field(None, description="staff only: the other registration")
    partner_id: int | None = Field(None, description="staff only: the other partner (null: house account)")
    house_account_id: int | None = Field(None, description="staff only")


class CustomerOut(BaseModel):
    name: str
    domain: str | None
    country: str
    city: str | None
    vat_id: str | None


class RegistrationOut(BaseModel):
    id: int
    status: str
    conflict: bool
    conflicts: list[ConflictOut]
    partner_id: int
    customer: CustomerOut
    contact: ContactIn
    families: list[str]
    skus: list[str]
    amount: str
    currency: str
    expected_close: str | None
    notes: str
    source: str
    lead_id: int | None
    campaign_id: int | None = Field(None, description="the campaign it is attributed to")
    campaign_name: str | None = None
    external_ref: str | None
    submitted_at: datetime
    decided_at: datetime | None
    protected_until: str | None
    protection_days: int | None
    discount_percent: str | None
    rejection_reason: str | None
    extended: bool
    won_order_id: int | None
    lost_reason: str | None


class HouseAccountCreate(Body):
    name: str
    domain: str | None = None
    country: str
    city: str | None = None
    vat_id: str | None = None
    notes: str | None = None


class HouseAccountOut(BaseModel):
    id: int
    name: str
    domain: str | None
    country: str
    city: str | None
    vat_id: str | None
    notes: str
    active: bool
