"""Request and response models of the catalog and pricing API."""
from __future__ import annotations

from datetime import date, datetime
from pydantic import BaseModel, Field

from portal.api.schemas import CHOICE_MAX, Body
from portal.api.types import Amount, Code, Id, Name, Percent, Quantity, SmallInt, Text, items, text

DateText = text(32)  # a date as sent ("YYYY-MM-DD"); the service parses it
ENTRIES_MAX = 10_000  # a price book lists every SKU: more than MAX_ITEMS is normal


class OptionIn(Body):
    code: Code
    name: Name | None = None


class OptionGroupIn(Body):
    code: Code
    name: Name | None = None
    min: SmallInt = 0
    max: SmallInt = 1
    options: items(OptionIn) = []


class RuleIn(Body):
    type: DateText = Field(description="requires or excludes")
    option: Code
    target: Code


class ProductCreate(Body):
    sku: Code
    name: Name
    family: Code
    description: Text | None = None
    unit: text(20) | None = None
    active: bool = True
    option_groups: items(OptionGroupIn) | None = None
    rules: items(RuleIn) | None = None


class ProductUpdate(Body):
    name: Name | None = None
    family: Code | None = None
    description: Text | None = None
    unit: text(20) | None = None
    active: bool | None = None
    option_groups: items(OptionGroupIn) | None = None
    rules: items(RuleIn) | None = None


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
    min_qty: Quantity
    unit_price: Amount


class EntryIn(Body):
    code: Code
    unit_price: Amount = Field(description="decimal string in the book's currency")
    tiers: items(TierIn) | None = None


class PriceBookCreate(Body):
    name: Name
    currency: text(CHOICE_MAX)
    valid_from: DateText = Field(description="YYYY-MM-DD")
    valid_to: DateText | None = None
    entries: items(EntryIn, ENTRIES_MAX) = []


class EntriesReplace(Body):
    entries: items(EntryIn, ENTRIES_MAX)


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
    tier: text(CHOICE_MAX)
    family: Code
    percent: Percent


class TierDiscountsReplace(Body):
    discounts: items(TierDiscountIn)


class TierDiscountOut(BaseModel):
    tier: str
    family: str
    percent: str


class TierDiscountList(BaseModel):
    discounts: list[TierDiscountOut]


class ContractPriceIn(Body):
    code: Code
    unit_price: Amount
    valid_from: DateText | None = None
    valid_to: DateText | None = None


class ContractPricesReplace(Body):
    prices: items(ContractPriceIn)


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
    sku: Code
    quantity: Quantity = Field(description="a whole number from 1 to 1,000,000")
    options: items(Code) = []


class PricingRequest(Body):
    lines: items(LineIn)
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
