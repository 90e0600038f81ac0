"""Catalog models: products and their configuration, price books, discounts, carts, imports."""
from catalog.models.carts import CartLine
from catalog.models.imports import ImportJob
from catalog.models.prices import ContractPrice, PriceBook, PriceBookEntry, TierDiscount
from catalog.models.products import Option, OptionGroup, OptionRule, Product

__all__ = ["Product", "OptionGroup", "Option", "OptionRule", "PriceBook", "PriceBookEntry",
           "TierDiscount", "ContractPrice", "CartLine", "ImportJob"]
