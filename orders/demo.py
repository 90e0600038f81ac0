"""Demo orders: saved ship-to addresses and orders of Northwind and Contoso in every status,
so the history, the timeline, the PDF and the staff order desk show real data."""
from __future__ import annotations

from flask import Flask

from catalog.services.pricing import LineInput
from orders.services import addresses, placing, status
from portal.extension_points import DemoLoader, registry

SERVER = ("SRV-100", 2, ("CPU-8C", "RAM-64", "SSD-1T", "PSU-STD"))
PLANS = [
    # partner index, PO, lines, the statuses to walk through
    (0, "NW-4711", [SERVER, ("SVC-INSTALL", 2, ())], ["confirmed", "shipped", "invoiced", "closed"]),
    (0, "NW-4733", [("HW-AP-6", 24, ()), ("HW-SWITCH-24", 4, ()), ("ACC-CBL-03", 60, ())],
     ["confirmed", "shipped"]),
    (0, "NW-4750", [("SW-ANALYTICS", 5, ()), ("SVC-SUPPORT-1Y", 5, ())], ["confirmed"]),
    (0, "NW-4761", [("SW-SEC", 30, ())], []),
    (0, "NW-4702", [("HW-AP-6", 5, ())], ["cancelled"]),
    (1, "CR-1001", [("HW-SWITCH-24", 2, ()), ("ACC-CBL-01", 20, ())], ["confirmed", "shipped", "invoiced"]),
    (1, "CR-1002", [("SW-SEC", 3, ())], []),
]
ADDRESSES = [
    (0, {"label": "Hamburg warehouse", "recipient": "Northwind Distribution GmbH", "street": "Speicherstadt 12",
         "postal_code": "20457", "city": "Hamburg", "country": "DE", "is_default": True}),
    (0, {"label": "Munich office", "recipient": "Northwind Distribution GmbH", "street": "Leopoldstraße 40",
         "postal_code": "80802", "city": "München", "country": "DE"}),
    (1, {"label": "Seattle DC", "recipient": "Contoso Resellers Inc.", "street": "1200 4th Ave",
         "postal_code": "98101", "city": "Seattle", "country": "US", "is_default": True}),
]


def load(objects: dict) -> None:
    """Add addresses and orders to the demo data (after the catalog)."""
    partners, users, staff = objects["partners"], objects["users"], objects["staff"]
    for index, data in ADDRESSES:
        addresses.add_address(partners[index], data)
    buyers = {0: users[1], 1: users[3]}  # the sales reps
    admin = staff[0]
    for index, po, lines, steps in PLANS:
        header = placing.OrderInput(po, "on_account", None, None, "Demo order", None, "cart")
        order = placing.place_lines(partners[index], buyers[index], header,
                                    [LineInput(sku, qty, opts) for sku, qty, opts in lines])
        for step in steps:
            tracking = f"DHL 00340434{order.id:06d}" if step == "shipped" else None
            note = "Customer changed plans" if step == "cancelled" else ""
            status.change_status(admin, order.id, step, tracking, note)


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("orders", 40, load))
