"""Demo catalog: a configurable server, software and services, price books in five currencies
(one of them a prepared future book), tier discounts and a contract price."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask

from catalog.services import pricebooks, products
from portal.extension_points import DemoLoader, registry

SERVER = {
    "sku": "SRV-100", "name": "Edge Server 100", "family": "hardware", "unit": "each",
    "description": "A 1U edge server. Choose a processor, memory, storage and power supply.",
    "option_groups": [
        {"code": "CPU", "name": "Processor", "min": 1, "max": 1, "options": [
            {"code": "CPU-8C", "name": "8-core processor"}, {"code": "CPU-16C", "name": "16-core processor"}]},
        {"code": "MEM", "name": "Memory", "min": 1, "max": 1, "options": [
            {"code": "RAM-32", "name": "32 GB"}, {"code": "RAM-64", "name": "64 GB"},
            {"code": "RAM-128", "name": "128 GB"}]},
        {"code": "STO", "name": "Storage", "min": 0, "max": 2, "options": [
            {"code": "SSD-1T", "name": "1 TB SSD"}, {"code": "SSD-4T", "name": "4 TB SSD"},
            {"code": "HDD-8T", "name": "8 TB HDD"}]},
        {"code": "PSU", "name": "Power supply", "min": 1, "max": 1, "options": [
            {"code": "PSU-STD", "name": "Standard 450 W"}, {"code": "PSU-HI", "name": "High-output 800 W"}]},
    ],
    "rules": [
        {"type": "requires", "option": "CPU-16C", "target": "PSU-HI"},
        {"type": "requires", "option": "RAM-128", "target": "CPU-16C"},
        {"type": "excludes", "option": "HDD-8T", "target": "SSD-4T"},
    ],
}
SIMPLE = [
    ("SW-ANALYTICS", "Analytics Suite (annual licence)", "software", "licence"),
    ("SW-SEC", "Security Gateway (annual licence)", "software", "licence"),
    ("HW-SWITCH-24", "Switch, 24 ports", "hardware", "each"),
    ("HW-AP-6", "Wi-Fi 6 access point", "hardware", "each"),
    ("SVC-INSTALL", "On-site installation", "services", "day"),
    ("SVC-SUPPORT-1Y", "Premium support, 1 year", "services", "year"),
    ("HW-LEGACY-1", "Legacy router (discontinued)", "hardware", "each"),
]
# Base prices in EUR; other currencies derive from these.
EUR_PRICES: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "SRV-100": ("2400.00", [(10, "2300.00"), (50, "2200.00")]),
    "CPU-8C": ("600.00", []), "CPU-16C": ("1150.00", []),
    "RAM-32": ("180.00", []), "RAM-64": ("340.00", []), "RAM-128": ("650.00", []),
    "SSD-1T": ("120.00", []), "SSD-4T": ("420.00", []), "HDD-8T": ("210.00", []),
    "PSU-STD": ("90.00", []), "PSU-HI": ("160.00", []),
    "SW-ANALYTICS": ("1200.00", [(10, "1100.00"), (100, "950.00")]),
    "SW-SEC": ("800.00", [(25, "720.00")]),
    "HW-SWITCH-24": ("540.00", [(20, "510.00")]),
    "HW-AP-6": ("189.00", [(10, "179.00"), (50, "169.00")]),
    "SVC-INSTALL": ("950.00", []), "SVC-SUPPORT-1Y": ("480.00", []),
    "HW-LEGACY-1": ("300.00", []),
}
ACCESSORIES = [(f"ACC-CBL-{n:02d}", f"Patch cable, {n} m", "hardware", "each") for n in range(1, 31)]
RATES = {"EUR": Decimal("1"), "USD": Decimal("1.08"), "GBP": Decimal("0.86"), "JPY": Decimal("162")}
TIER_DISCOUNTS = [
    ("silver", "hardware", "5"), ("gold", "hardware", "10"), ("platinum", "hardware", "15"),
    ("silver", "software", "3"), ("gold", "software", "8"), ("platinum", "software", "12"),
    ("gold", "services", "5"), ("platinum", "services", "8"),
]


def _convert(amount: str, currency: str, uplift: Decimal = Decimal(1)) -> str:
    value = Decimal(amount) * RATES[currency] * uplift
    return str(value.quantize(Decimal(1) if currency == "JPY" else Decimal("0.01")))


def _entries(currency: str, uplift: Decimal = Decimal(1), skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows = []
    for code, (price, tiers) in EUR_PRICES.items():
        if code not in skip:
            rows.append({"code": code, "unit_price": _convert(price, currency, uplift),
                         "tiers": [{"min_qty": q, "unit_price": _convert(p, currency, uplift)} for q, p in tiers]})
    for sku, *_ in ACCESSORIES:
        rows.append({"code": sku, "unit_price": _convert(str(4 + int(sku[-2:])) + ".50", currency, uplift)})
    return rows


def load(objects: dict) -> None:
    """Add the catalog to the demo data."""
    admin = objects["staff"][0]
    products.create_product(admin, SERVER)
    for sku, name, family, unit in SIMPLE + ACCESSORIES:
        products.create_product(admin, {"sku": sku, "name": name, "family": family, "unit": unit,
                                        "active": sku != "HW-LEGACY-1",
                                        "description": f"{name}. Sold per {unit}."})
    year = date.today().year
    for currency in RATES:
        pricebooks.create_price_book(admin, {"name": f"{currency} list {year}", "currency": currency,
                                             "valid_from": date(year, 1, 1), "entries": _entries(currency)})
    future = _entries("EUR", Decimal("1.04"), skip=("HW-LEGACY-1",))
    future.append({"code": "SVC-TRAINING", "unit_price": "700.00"})
    pricebooks.create_price_book(admin, {"name": f"EUR list {year + 1}", "currency": "EUR",
                                         "valid_from": date(year + 1, 1, 1), "entries": future})
    pricebooks.set_tier_discounts(admin, [{"tier": t, "family": f, "percent": p} for t, f, p in TIER_DISCOUNTS])
    northwind = objects["partners"][0]
    pricebooks.set_contract_prices(northwind, admin, [
        {"code": "SW-ANALYTICS", "unit_price": "900.00"},
        {"code": "RAM-64", "unit_price": "300.00", "valid_from": date(year, 1, 1)},
    ])


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("catalog", 10, load))
