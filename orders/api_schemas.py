"""Request and response models of the orders API (CONTRACT.md "Orders")."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.api.schemas import Body
from portal.api.types import Id


class OrderLineIn(Body):
    sku: str
    quantity: Any = Field(description="a whole number from 1 to 1,000,000")
    options: list[str] = []


class OrderShipToIn(Body):
    address_id: Id | None = Field(None, description="a saved address; or give the fields")
    recipient: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2")


class OrderCreate(Body):
    quote_id: Id | None = Field(None, description="order an approved quote at its frozen prices")
    lines: list[OrderLineIn] | None = Field(None, description="or lines priced at today's prices")
    po_number: str
    payment_method: str = Field(description="on_account or card")
    ship_to: OrderShipToIn | None = Field(None, description="default: the partner's default address")
    requested_date: date | None = None
    opportunity_id: Id | None = None
    notes: str | None = None


class OrderStatusIn(Body):
    status: str = Field(description="confirmed, shipped, invoiced, closed or cancelled")
    tracking: str | None = None
    note: str | None = None


class OrderCancelIn(Body):
    reason: str | None = None


class OrderStepOut(BaseModel):
    step: str
    label: str
    amount: str


class OrderLineOut(BaseModel):
    sku: str
    name: str
    family: str
    quantity: int
    options: list[str]
    unit_list: str
    unit_net: str
    line_total: str
    waterfall: list[OrderStepOut]


class OrderPaymentOut(BaseModel):
    provider: str
    client_secret: str | None
    status: str
    message: str | None = None


class OrderEventOut(BaseModel):
    status: str
    from_status: str | None
    at: datetime
    by: str
    note: str


class OrderOut(BaseModel):
    id: int
    number: str
    status: str
    partner_id: int
    po_number: str
    payment_method: str
    currency: str
    total: str
    lines: list[OrderLineOut]
    ship_to: dict[str, str]
    requested_date: date | None
    notes: str
    quote_id: int | None
    opportunity_id: int | None
    tracking: str | None
    paid: bool
    created_at: datetime
    history: list[OrderEventOut]
    payment: OrderPaymentOut | None = None


class OrderSummaryOut(BaseModel):
    id: int
    number: str
    status: str
    partner_id: int
    po_number: str
    payment_method: str
    currency: str
    total: str
    created_at: datetime
