"""Request and response models of the core API (they also generate the OpenAPI description)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from portal.api.types import Amount, Days, Id, Name, text

from portal.choices import COUNTRY, CURRENCY, REGION

__all__ = ["Amount", "Body", "present"]  # Amount: the bounded one of portal.api.types (one definition)

# kind, tier, status, role (String(20)) and country, region, currency codes: the service
# normalises them and refuses unknown ones with a 422 naming each field, so the schema bound is
# looser than the column (CHOICE_MAX) and lets the service report them all at once.
CHOICE_MAX = 64
Choice = text(CHOICE_MAX)
Word = Choice
Email = text(254)


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PartnerRef(BaseModel):
    id: int
    name: str


class Me(BaseModel):
    id: int
    email: str
    name: str
    role: str
    partner: PartnerRef | None


class PartnerCreate(Body):
    name: Name
    kind: Word = Field(description="distributor, reseller or agent")
    tier: Word = Field(description="registered, silver, gold or platinum")
    country: Choice = Field(description=COUNTRY)
    region: Choice = Field(description=REGION)
    currency: Choice = Field(description=CURRENCY)
    credit_limit: Amount = Field(description="decimal string in the partner's currency")
    payment_terms_days: Days
    status: Word | None = Field(None, description="active (default) or suspended")
    manager_id: Id | None = None
    price_book_id: Id | None = None


class PartnerUpdate(Body):
    name: Name | None = None
    kind: Word | None = None
    tier: Word | None = None
    country: Choice | None = Field(None, description=COUNTRY)
    region: Choice | None = Field(None, description=REGION)
    currency: Choice | None = Field(None, description=CURRENCY)
    credit_limit: Amount | None = None
    payment_terms_days: Days | None = None
    status: Word | None = None
    manager_id: Id | None = None
    price_book_id: Id | None = None


class PartnerOut(BaseModel):
    id: int
    name: str
    kind: str
    tier: str
    country: str
    region: str
    currency: str
    credit_limit: str
    payment_terms_days: int
    status: str
    manager_id: int | None
    price_book_id: int | None
    created_at: datetime
    updated_at: datetime


class UserCreate(Body):
    email: Email
    name: Name
    role: Word = Field(description="admin, partner_manager, sales_ops, partner_admin, partner_user")
    partner_id: Id | None = None
    password: text(1000) | None = Field(None, description="without it the user is invited by e-mail")


class UserUpdate(Body):
    email: Email | None = None
    name: Name | None = None
    role: Word | None = None
    partner_id: Id | None = None
    active: bool | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    partner_id: int | None
    active: bool
    last_login_at: datetime | None
    created_at: datetime


class TokenCreate(Body):
    name: text(100) | None = None


class TokenIssued(BaseModel):
    id: int
    token: str
    name: str
    user_id: int


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class Error(BaseModel):
    error: ErrorBody


def present(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """Serialise through the response model, so the description and the output agree."""
    return model.model_validate(data).model_dump(mode="json")
