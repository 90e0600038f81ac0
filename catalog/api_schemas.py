"""Request and response models of the catalog and pricing API."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from portal.api.schemas import Body
from portal.api.types import Id


class OptionIn(Body):
    code: str
    name: str | None = None


class OptionGroupIn(Body):
    code: str
    name: str | None = None
    min: int = 0
    max: int = 1
    options: list[OptionIn] = []


class RuleIn(Body):
    type: str = Field(description="requires or excludes")
    option: str
    target: str


class ProductCreate(Body):
    sku: str
    name: str
    family: str
    description: str | None = None
    unit: str | None = None
    active: bool = True
    option_groups: list[OptionGroupIn] | None = None
    rules: list[RuleIn] | None = None


class ProductUpdate(Body):
    name: str | None = None
    family: str | None = None
    description: str | None = None
    unit: str | None = None
    active: bool | None = None
    option_groups: list[OptionGroupIn] | None = None
    rules: list[RuleIn] | None = None


class OptionOut(BaseModel):
    code: str
    name: str


class OptionGroupOut(BaseModel):
    code: str
    name: str
    min: int
    max: int
    options: list[OptionOut]


class RuleOut(BaseModel):
    type: str
    option: str
    target: str


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    family: str
    description: str
    unit: str
    active: bool
    configurable: bool
    option_groups: list[OptionGroupOut] = []
    rules: list[RuleOut] = []
    unit_price: str | None = Field(None, description="partner users: net price for 1 without options")
    currency: str | None = None


class TierIn(Body):
    min_qty: Any
    unit_price: Any


class EntryIn(Body):
    code: str
    unit_price: Any = Field(description="decimal string in the book's currency")
    tiers: list[TierIn] | None = None


class PriceBookCreate(Body):
    name: str
    currency: str
    valid_from: str = Field(description="YYYY-MM-DD")
    valid_to: str | None = None
    entries: list[EntryIn] = []


class EntriesReplace(Body):
    entries: list[EntryIn]


class TierOut(BaseModel):
    min_qty: int
    unit_price: str


class EntryOut(BaseModel):
    code: str
    unit_price: str
    tiers: list[TierOut]


class PriceBookOut(BaseModel):
    id: int
    name: str
    currency: str
    valid_from: date
    valid_to: date | None
    entry_count: int
    entries: list[EntryOut] | None = None
    created_at: datetime


class TierDiscountIn(Body):
    tier: str
    family: str
    percent: Any


class TierDiscountsReplace(Body):
    discounts: list[TierDiscountIn]


class TierDiscountOut(BaseModel):
    tier: str
    family: str
    percent: str


class TierDiscountList(BaseModel):
    discounts: list[TierDiscountOut]


class ContractPriceIn(Body):
    code: str
    unit_price: Any
    valid_from: str | None = None
    valid_to: str | None = None


class ContractPricesReplace(Body):
    prices: list[ContractPriceIn]


class ContractPriceOut(BaseModel):
    code: str
    unit_price: str
    currency: str
    valid_from: date | None
    valid_to: date | None


class ContractPriceList(BaseModel):
    partner_id: int
    prices: list[ContractPriceOut]


class LineIn(Body):
    sku: str
    quantity: Any = Field(description="a whole number from 1 to 1,000,000")
    options: list[str] = []


class PricingRequest(Body):
    lines: list[LineIn]
    opportunity_id: Id | None = None
    partner_id: Id | None = Field(None, description="staff only: price as this partner")


class StepOut(BaseModel):
    step: str
    label: str
    amount: str


class PricedLineOut(BaseModel):
    sku: str
    quantity: int
    options: list[str]
    unit_list: str
    unit_net: str
    line_total: str
    waterfall: list[StepOut]


class PricingOut(BaseModel):
    currency: str
    total: str
    lines: list[PricedLineOut]
