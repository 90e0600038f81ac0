"""JSON shapes of catalog objects (validated through the API's response models)."""
from __future__ import annotations

from typing import Any

from catalog.api_schemas import ContractPriceList, PriceBookOut, ProductOut, TierDiscountOut
from catalog.models import ContractPrice, PriceBook, Product, TierDiscount
from catalog.services import pricebooks
from portal.api.schemas import present
from portal.models import Partner
from portal.money import Money


def product(p: Product, *, full: bool = True, price: Money | None = None, priced: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": p.id, "sku": p.sku, "name": p.name, "family": p.family,
                            "description": p.description, "unit": p.unit, "active": p.active,
                            "configurable": bool(p.groups)}
    if full:
        data["option_groups"] = [{"code": g.code, "name": g.name, "min": g.min_choices, "max": g.max_choices,
                                  "options": [{"code": o.code, "name": o.name} for o in g.options]}
                                 for g in p.groups]
        data["rules"] = [{"type": r.type, "option": r.option_code, "target": r.target_code} for r in p.rules]
    if priced:
        data["unit_price"] = price.as_str() if price else None
        data["currency"] = price.currency if price else None
    result = present(ProductOut, data)
    dropped: tuple[str, ...] = () if full else ("option_groups", "rules")
    dropped += () if priced else ("unit_price", "currency")
    for key in dropped:
        result.pop(key, None)
    return result


def price_book(book: PriceBook, *, entries: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": book.id, "name": book.name, "currency": book.currency,
                            "valid_from": book.valid_from, "valid_to": book.valid_to,
                            "entry_count": pricebooks.entry_count(book), "created_at": book.created_at}
    if entries:
        data["entries"] = [{"code": e.code, "unit_price": Money.from_decimal(e.unit_price, book.currency).as_str(),
                            "tiers": [{"min_qty": q, "unit_price": Money.from_decimal(p, book.currency).as_str()}
                                      for q, p in e.tiers]}
                           for e in sorted(pricebooks.entry_data(book).values(), key=lambda e: e.code)]
    return present(PriceBookOut, data)


def tier_discount(d: TierDiscount) -> dict[str, Any]:
    return present(TierDiscountOut, {"tier": d.tier, "family": d.family,
                                     "percent": format(d.percent.normalize(), "f")})


def contract_prices(partner: Partner, items: list[ContractPrice]) -> dict[str, Any]:
    return present(ContractPriceList, {"partner_id": partner.id, "prices": [
        {"code": c.code, "unit_price": Money(c.unit_price_minor, c.currency).as_str(), "currency": c.currency,
         "valid_from": c.valid_from, "valid_to": c.valid_to} for c in items]})
