"""Request and response models of the orders API (CONTRACT.md "Orders")."""
from __future__ import annotations

from datetime import date, datetime
from pydantic import BaseModel, ConfigDict, Field

from portal.api.schemas import CHOICE_MAX, Body
from portal.api.types import Code, Id, Quantity, Text, items, text

MAX_LINES = 500  # orders.services.placing.MAX_LINES


class OrderLineIn(Body):
    sku: Code
    quantity: Quantity = Field(description="a whole number from 1 to 1,000,000")
    options: items(Code) = []


class OrderShipToIn(Body):
    address_id: Id | None = Field(None, description="a saved address; or give the fields")
    recipient: text(200) | None = None
    street: text(300) | None = None
    postal_code: text(20) | None = None
    city: text(100) | None = None
    country: text(CHOICE_MAX) | None = Field(None, description="ISO 3166 alpha-2")


class OrderCreate(Body):
    # Exactly one of quote_id and lines (a 400 otherwise), said in the description too.
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["quote_id"], "properties": {"quote_id": {"type": "integer"}}},
        {"required": ["lines"], "properties": {"lines": {"type": "array"}}}]})

    quote_id: Id | None = Field(None, description="order an approved quote at its frozen prices")
    lines: items(OrderLineIn, MAX_LINES) | None = Field(None, description="or lines priced at today's prices")
    po_number: text(64)
    payment_method: text(CHOICE_MAX) = Field(description="on_account or card")
    ship_to: OrderShipToIn | None = Field(None, description="default: the partner's default address")
    requested_date: date | None = None
    opportunity_id: Id | None = None
    notes: Text | None = None


class OrderStatusIn(Body):
    status: text(CHOICE_MAX) = Field(description="confirmed, shipped, invoiced, closed or cancelled")
    tracking: text(200) | None = None
    note: Text | None = None


class OrderCancelIn(Body):
    reason: Text | None = None


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
