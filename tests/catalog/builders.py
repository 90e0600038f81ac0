"""Catalog data for tests: a configurable server, simple products, books, discounts."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from catalog.services import pricebooks, products

TODAY = date.today()
SERVER = {
    "sku": "SRV", "name": "Server", "family": "hardware",
    "option_groups": [
        {"code": "CPU", "name": "Processor", "min": 1, "max": 1,
         "options": [{"code": "CPU-8", "name": "8 cores"}, {"code": "CPU-16", "name": "16 cores"}]},
        {"code": "MEM", "name": "Memory", "min": 1, "max": 2,
         "options": [{"code": "RAM-32", "name": "32 GB"}, {"code": "RAM-64", "name": "64 GB"}]},
        {"code": "PSU", "name": "Power", "min": 0, "max": 1,
         "options": [{"code": "PSU-HI", "name": "High output"}]},
    ],
    "rules": [{"type": "requires", "option": "CPU-16", "target": "PSU-HI"},
              {"type": "excludes", "option": "RAM-32", "target": "RAM-64"}],
}
EUR_ENTRIES = [
    {"code": "SRV", "unit_price": "1000.00", "tiers": [{"min_qty": 10, "unit_price": "900.00"}]},
    {"code": "CPU-8", "unit_price": "200.00"}, {"code": "CPU-16", "unit_price": "400.00"},
    {"code": "RAM-32", "unit_price": "100.00"}, {"code": "RAM-64", "unit_price": "180.00"},
    {"code": "PSU-HI", "unit_price": "50.00"},
    {"code": "LIC", "unit_price": "99.99"},
]


def build(extra_products: int = 0) -> dict[str, Any]:
    """Products SRV (configurable) and LIC (software), an EUR book valid since 30 days, gold and
    silver discounts; `extra_products` simple hardware products ACC-0001... priced 10.00."""
    server = products.create_product(None, SERVER)
    lic = products.create_product(None, {"sku": "LIC", "name": "Licence", "family": "software"})
    entries = list(EUR_ENTRIES)
    for n in range(1, extra_products + 1):
        sku = f"ACC-{n:04d}"
        products.create_product(None, {"sku": sku, "name": f"Accessory {n}", "family": "hardware"})
        entries.append({"code": sku, "unit_price": "10.00"})
    book = pricebooks.create_price_book(None, {"name": "EUR", "currency": "EUR",
                                               "valid_from": TODAY - timedelta(days=30), "entries": entries})
    pricebooks.set_tier_discounts(None, [
        {"tier": "silver", "family": "hardware", "percent": "5"},
        {"tier": "gold", "family": "hardware", "percent": "10"},
        {"tier": "gold", "family": "software", "percent": "20"},
    ])
    return {"server": server, "lic": lic, "book": book}
