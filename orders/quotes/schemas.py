"""Request and response models of the quotes API (they also generate the OpenAPI description)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.api.schemas import Body
from portal.api.types import Code, Id, Percent, Quantity, Text, items, text

TITLE_MAX = 200  # quotes.title; long texts get TEXT_MAX, the service enforces its own (shorter) limits
MAX_LINES = 500  # like an order

PERCENT = "decimal string from 0 to 100, at most 2 decimals (\"7.5\")"


class QuoteLineIn(Body):
    sku: Code
    quantity: Quantity = Field(description="a whole number from 1 to 1,000,000")
    options: items(Code) = []


class QuoteCreate(Body):
    lines: items(QuoteLineIn, MAX_LINES)
    opportunity_id: Id | None = Field(None, description="one of your approved deal registrations")
    requested_discount_percent: Percent | None = Field(None, description=f"extra discount asked for: {PERCENT}")
    justification: Text | None = None
    title: text(TITLE_MAX) | None = Field(None, description="your reference, e.g. the end customer")


class QuoteUpdate(Body):
    lines: items(QuoteLineIn, MAX_LINES) | None = Field(None, description="replaces all lines when given")
    opportunity_id: Id | None = None
    requested_discount_percent: Percent | None = Field(None, description=PERCENT)
    justification: Text | None = None
    title: text(TITLE_MAX) | None = None
    change_note: Text | None = Field(None, description="why this revision (shown in the history)")


class QuoteApprove(Body):
    discount_percent: Percent | None = Field(None, description=f"defaults to the requested one; at most that: {PERCENT}")
    comment: Text | None = None


class QuoteReason(Body):
    reason: Text


class QuoteAccept(Body):
    order_id: Id | None = Field(None, description="the order placed from this quote (ordering)")


class QuoteStepOut(BaseModel):
    step: str
    label: str
    amount: str


class QuoteLineOut(BaseModel):
    sku: str
    name: str
    family: str
    quantity: int
    options: list[str]
    option_names: list[str]
    unit_list: str
    unit_net: str
    line_total: str
    waterfall: list[QuoteStepOut]


class QuoteRevisionOut(BaseModel):
    revision: int
    created_at: datetime
    total: str
    currency: str
    requested_discount_percent: str
    approved_discount_percent: str | None
    decision: str | None = Field(None, description="auto_approved, approved, rejected or none yet")
    decision_comment: str
    valid_until: date | None
    change_note: str


class QuoteEventOut(BaseModel):
    at: datetime
    revision: int
    action: str
    by: str
    note: str


class QuoteOut(BaseModel):
    id: int
    number: str
    status: str
    revision: int
    partner_id: int
    partner_name: str
    title: str
    currency: str
    total: str
    list_total: str
    opportunity_id: int | None
    requested_discount_percent: str
    approved_discount_percent: str | None
    justification: str
    valid_until: date | None
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_comment: str
    decline_reason: str
    closed_at: datetime | None
    order_id: int | None
    actions: list[str] = Field(description="what may be done next in this status")
    lines: list[QuoteLineOut] = []
    revisions: list[QuoteRevisionOut] = []
    history: list[QuoteEventOut] = []


class QuoteRevisionDetail(BaseModel):
    quote_id: int
    number: str
    revision: QuoteRevisionOut
    lines: list[QuoteLineOut]
    diff: dict[str, Any] | None = Field(None, description="changes from the previous revision")
