"""Pure pricing: price book selection, the price waterfall of a line, and price book diffs.

No database and no Flask: callers load plain dataclasses (one or two queries per cart) and map
`PricingError` to a 422 (`ValidationFailed`) in the service layer.
"""
from __future__ import annotations

from catalog.pricing.books import (
    BookDiff, EntryChange, TierChange, check_quantity, diff_books, percent_change,
    select_price_book, tier_for_quantity, unit_for_quantity,
)
from catalog.pricing.data import (
    CampaignPriceRule, ContractPriceData, DealDiscount, EntryData, InvalidPricingData,
    InvalidQuantity, MissingPrice, NoPriceBook, PriceBookData, PricingError,
)
from catalog.pricing.lines import (
    ComponentPrice, DocumentPrice, LinePrice, WaterfallStep, price_document, price_line,
    valid_contract_price,
)

__all__ = [
    "BookDiff", "CampaignPriceRule", "ComponentPrice", "ContractPriceData", "DealDiscount",
    "DocumentPrice", "EntryChange", "EntryData", "InvalidPricingData", "InvalidQuantity",
    "LinePrice", "MissingPrice", "NoPriceBook", "PriceBookData", "PricingError", "TierChange",
    "WaterfallStep", "check_quantity", "diff_books", "percent_change", "price_document",
    "price_line", "select_price_book", "tier_for_quantity", "unit_for_quantity",
    "valid_contract_price",
]
