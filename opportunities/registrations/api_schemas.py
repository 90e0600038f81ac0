"""Request and response models of the deal registration API (CONTRACT.md "Deal registrations")."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, PlainValidator, StrictInt, WithJsonSchema
from pydantic_core import PydanticCustomError

from portal.api.schemas import CHOICE_MAX, Body
from portal.api.types import NUMBER_TEXT_MAX, Code, Name, StrictId, Text, as_number, items, text


def _decimal_value(value: Any) -> Any:
    """A decimal string (preferred) or a JSON number; anything else is malformed (400)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("decimal_type", "Give a decimal string, e.g. \"1234.50\".")
    return value


def _registration_amount(value: Any) -> Any:
    """Registration amounts are BIGINT minor units (the service allows 10**15 of them), so they
    get their own outer bound instead of portal.api.types.Amount's 32-bit one."""
    number = as_number(value)
    if number is not None and abs(number) > REGISTRATION_AMOUNT_MAX:
        raise ValueError(f"must be at most {REGISTRATION_AMOUNT_MAX:,}")
    return value


def _short_number(value: Any) -> Any:
    as_number(value)  # refuses text longer than NUMBER_TEXT_MAX
    return value


REGISTRATION_AMOUNT_MAX = Decimal(10**13)  # 10**15 minor units: inputs.MAX_AMOUNT_MINOR
Amount = Annotated[Any, PlainValidator(_decimal_value), AfterValidator(_registration_amount),
                   WithJsonSchema({"type": "string", "example": "1234.50", "maxLength": NUMBER_TEXT_MAX,
                                   "pattern": r"^-?[0-9]{1,13}(\.[0-9]{1,3})?$"})]
# the service checks the range (and says so on the field); the schema refuses over-long text
DiscountPercent = Annotated[Any, PlainValidator(_decimal_value), AfterValidator(_short_number), WithJsonSchema({
    "type": "string", "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$", "maxLength": NUMBER_TEXT_MAX,
    "description": "a percentage from 0 to 100"})]
Family = Code
Sku = Code


class CustomerIn(Body):
    name: text(400)
    domain: text(254) | None = Field(None, description="web domain, website or e-mail address")
    country: text(CHOICE_MAX) = Field(description="ISO 3166 alpha-2")
    city: text(100) | None = None
    vat_id: text(40) | None = None


class ContactIn(Body):
    name: Name | None = None
    email: text(254) | None = None


class RegistrationCreate(Body):
    customer: CustomerIn
    contact: ContactIn | None = None
    families: items(Family, 50) | None = Field(None, description="product families (or give skus)")
    skus: items(Sku, 100) | None = None
    amount: Amount = Field(description="estimated amount, decimal string")
    currency: text(CHOICE_MAX) = Field(description="ISO 4217")
    expected_close: text(32) = Field(description="YYYY-MM-DD, not in the past")
    campaign_id: StrictId | None = Field(None, description="a campaign running for the partner (or ended "
                                                            "within the grace period and enrolled in)")
    notes: Text | None = None


class AvailabilityCheck(Body):
    customer: CustomerIn
    families: items(Family, 50) = []


class AvailabilityOut(BaseModel):
    available: bool
    own_registration: bool | None = Field(None, description="present (true) when your own active registration "
                                                            "covers the customer")
    own_opportunity_id: int | None = Field(None, description="that registration, when you may open it")


class ApproveIn(Body):
    protection_days: Annotated[StrictInt, Field(ge=0, le=3650)] | None = Field(None, description="default 90")
    discount_percent: DiscountPercent | None = Field(None, description="deal discount, decimal string")
    reject_conflicting: bool = Field(False, description="also reject the pending registrations it conflicts with")
    rejection_reason: Text | None = Field(None, description="reason given to the rejected ones")


class ApproveOut(BaseModel):
    id: int
    status: str
    protected_until: str
    discount_percent: str | None = None
    rejected_ids: list[int] = []


class RejectIn(Body):
    reason: Text


class OutcomeIn(Body):
    result: text(CHOICE_MAX) = Field(description="won or lost")
    reason: Text | None = Field(None, description="required when lost")
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
    name: text(400)
    domain: text(254) | None = None
    country: text(CHOICE_MAX)
    city: text(100) | None = None
    vat_id: text(40) | None = None
    notes: Text | None = None


class HouseAccountOut(BaseModel):
    id: int
    name: str
    domain: str | None
    country: str
    city: str | None
    vat_id: str | None
    notes: str
    active: bool
