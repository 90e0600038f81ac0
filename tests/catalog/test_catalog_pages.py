"""Partner catalog pages: the list at each partner's own prices, the product page and the live
configurator endpoint, the query budget of both pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest

from catalog.models import PriceBook
from catalog.services import pricebooks, products
from portal.extensions import db
from tests import factories
from tests.queries import count_queries

SERVER = {
    "sku": "SRV-1", "name": "Rack Server", "family": "hardware", "unit": "each",
    "description": "A configurable rack server.",
    "option_groups": [
        {"code": "CPU", "name": "Processor", "min": 1, "max": 1, "options": [
            {"code": "CPU-8", "name": "8 cores"}, {"code": "CPU-16", "name": "16 cores"}]},
        {"code": "MEM", "name": "Memory", "min": 1, "max": 1, "options": [
            {"code": "RAM-32", "name": "32 GB"}, {"code": "RAM-128", "name": "128 GB"}]},
        {"code": "DISK", "name": "Storage", "min": 0, "max": 2, "options": [
            {"code": "SSD-1", "name": "1 TB SSD"}, {"code": "SSD-4", "name": "4 TB SSD"},
            {"code": "HDD-8", "name": "8 TB HDD"}]},
        {"code": "PSU", "name": "Power supply", "min": 1, "max": 1, "options": [
            {"code": "PSU-S", "name": "Standard PSU"}, {"code": "PSU-H", "name": "High-output PSU"}]},
    ],
    "rules": [
        {"type": "requires", "option": "CPU-16", "target": "PSU-H"},
        {"type": "requires", "option": "RAM-128", "target": "CPU-16"},
        {"type": "excludes", "option": "HDD-8", "target": "SSD-4"},
    ],
}
ENTRIES = [
    {"code": "SRV-1", "unit_price": "1000.00",
     "tiers": [{"min_qty": 10, "unit_price": "900.00"}, {"min_qty": 50, "unit_price": "800.00"}]},
    {"code": "CPU-8", "unit_price": "100.00"}, {"code": "CPU-16", "unit_price": "300.00"},
    {"code": "RAM-32", "unit_price": "50.00"}, {"code": "RAM-128", "unit_price": "400.00"},
    {"code": "SSD-1", "unit_price": "80.00"}, {"code": "SSD-4", "unit_price": "250.00"},
    {"code": "HDD-8", "unit_price": "120.00"},
    {"code": "PSU-S", "unit_price": "40.00"}, {"code": "PSU-H", "unit_price": "70.00"},
    {"code": "SW-1", "unit_price": "500.00"},
    {"code": "HW-AP", "unit_price": "200.00", "tiers": [{"min_qty": 10, "unit_price": "180.00"}]},
    {"code": "OLD-1", "unit_price": "100.00"},
    *({"code": f"ACC-{n:02d}", "unit_price": f"{10 + n}.00"} for n in range(1, 26)),
]
VALID = ["CPU-8", "RAM-32", "PSU-S"]


@dataclass
class Catalog:
    parties: factories.TwoPartners
    book: PriceBook


def build_catalog(parties: factories.TwoPartners) -> Catalog:
    """29 active products (one configurable) and an inactive one, an EUR book with volume tiers,
    tier discounts (A is silver, B gold) and a contract price for A only."""
    products.create_product(None, SERVER)
    products.create_product(None, {"sku": "SW-1", "name": "Analytics licence", "family": "software",
                                   "unit": "licence"})
    products.create_product(None, {"sku": "HW-AP", "name": "Wireless access point", "family": "hardware"})
    products.create_product(None, {"sku": "OLD-1", "name": "Retired router", "family": "hardware",
                                   "active": False})
    for n in range(1, 26):
        products.create_product(None, {"sku": f"ACC-{n:02d}", "name": f"Cable {n:02d} m",
                                       "family": "accessories"})
    book = pricebooks.create_price_book(None, {"name": "EUR list", "currency": "EUR",
                                               "valid_from": date(2020, 1, 1), "entries": ENTRIES})
    pricebooks.set_tier_discounts(None, [
        {"tier": "silver", "family": "hardware", "percent": "5"},
        {"tier": "gold", "family": "hardware", "percent": "10"},
        {"tier": "gold", "family": "software", "percent": "20"},
    ])
    pricebooks.set_contract_prices(parties.a, None, [{"code": "HW-AP", "unit_price": "150.00"}])
    db.session.flush()
    return Catalog(parties, book)


@pytest.fixture
def catalog(two_partners) -> Catalog:
    return build_catalog(two_partners)


# The logged-in user, its partner and its server-side session come in one query (portal/auth_setup.py).
AUTH = re.compile(r"FROM (users|partners)\b.*?WHERE (users|partners)\.id = |FROM user_sessions JOIN users", re.I | re.S)


def catalog_queries(statements: list[str]) -> list[str]:
    """The page's own queries: without loading the logged-in user and its partner."""
    return [s for s in statements if not AUTH.search(s)]


def text(response) -> str:
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    """SKUs of the catalog table, in order."""
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


# --- the list -----------------------------------------------------------------------------

def test_each_partner_sees_its_own_net_prices(client, login, catalog):
    parties = catalog.parties
    login(parties.a_user)
    page = text(client.get("/catalog?q=HW-AP"))
    assert "Wireless access point" in page and "€150.00" in page  # A's contract price
    page = text(client.get("/catalog?q=SRV"))
    assert "€950.00" in page and "configurable" in page  # 1000 less silver 5%
    login(parties.b_user)
    page = text(client.get("/catalog?q=HW-AP"))
    assert "€180.00" in page and "€150.00" not in page  # gold 10%; A's contract is invisible
    assert "€400.00" in text(client.get("/catalog?q=SW-1"))  # gold software 20%


def test_search_by_name_or_sku_family_filter_sort_and_pages(client, login, catalog):
    login(catalog.parties.a_user)
    first = text(client.get("/catalog"))
    assert len(rows(first)) == 20 and "of 28" in first  # 28 active products, 20 a page
    assert "OLD-1" not in first and "Retired router" not in text(client.get("/catalog?q=retired"))
    assert rows(first)[:2] == ["SW-1", "ACC-01"]  # by name: "Analytics licence", "Cable 01 m"
    second = text(client.get("/catalog?page=2"))
    assert len(rows(second)) == 8 and not set(rows(first)) & set(rows(second))
    assert rows(text(client.get("/catalog?q=access point"))) == ["HW-AP"]
    assert rows(text(client.get("/catalog?q=hw-ap"))) == ["HW-AP"]
    assert rows(text(client.get("/catalog?family=software"))) == ["SW-1"]
    page = text(client.get("/catalog?family=hardware&sort=-sku"))
    assert rows(page) == ["SRV-1", "HW-AP"]
    assert '<option value="accessories"' in page and '<option value="software"' in page
    assert rows(text(client.get("/catalog?family=accessories&sort=sku&page=2"))) == [
        f"ACC-{n:02d}" for n in range(21, 26)]
    empty = text(client.get("/catalog?q=nothing-like-this"))
    assert "No product matches your search." in empty and '<option value="software"' in empty


def test_a_partner_without_a_price_book_sees_a_notice_not_zero_prices(client, login, catalog):
    partner = factories.make_partner(currency="USD", tier="gold")
    login(factories.make_user(partner, "partner_user"))
    page = text(client.get("/catalog"))
    assert "No price book in USD applies to your company today" in page
    assert "$0.00" not in page and "No price" in page
    login(catalog.parties.a_user)
    assert "No price book" not in text(client.get("/catalog"))


def test_list_page_stays_within_five_queries(client, login, catalog):
    login(catalog.parties.a_user)
    for url in ("/catalog", "/catalog?q=ACC&family=accessories&sort=-name&page=2"):
        client.get(url)  # warm-up: the first request of a client loads more than the page does
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        own = catalog_queries(statements)
        assert len(own) <= 5, own
        assert len(statements) - len(own) <= 2  # the logged-in user and its partner


def test_product_page_query_budget(client, login, catalog):
    login(catalog.parties.a_user)
    client.get("/catalog/HW-AP")
    with count_queries() as statements:
        assert client.get("/catalog/HW-AP").status_code == 200
    assert len(catalog_queries(statements)) <= 5, catalog_queries(statements)
    with count_queries() as statements:  # product + groups/options joined, rules; not priced yet
        assert client.get("/catalog/SRV-1").status_code == 200
    assert len(catalog_queries(statements)) <= 2, catalog_queries(statements)


# --- the product page ---------------------------------------------------------------------

def test_product_page_shows_options_as_radios_and_checkboxes(client, login, catalog):
    login(catalog.parties.a_user)
    page = text(client.get("/catalog/SRV-1"))
    assert "A configurable rack server." in page and "Sold per <strong>each</strong>" in page
    # each single-choice group is a radio group of its own; multiple choices are checkboxes
    assert re.search(r'type="radio" name="options.CPU" value="CPU-8"', page)
    assert re.search(r'type="radio" name="options.PSU" value="PSU-H"', page)
    assert re.search(r'type="checkbox" name="options" value="SSD-4"', page)
    assert "Choose at least 1 of Processor" in page and "Choose at least 1 of Memory" in page
    assert 'name="csrf-token"' in page and "js/configurator.js" in page
    assert "Complete the configuration to see your price." in page


def test_simple_product_page_shows_the_waterfall(client, login, catalog):
    login(catalog.parties.a_user)
    page = text(client.get("/catalog/HW-AP"))
    assert "Contract price for HW-AP" in page and "Net price" in page
    assert "Line total (1 × €150.00)" in page
    login(catalog.parties.b_user)
    page = text(client.get("/catalog/HW-AP"))
    assert "Gold tier discount 10% (hardware)" in page and "€180.00" in page and "Contract" not in page


def test_inactive_and_unknown_products_are_not_found(client, login, catalog):
    login(catalog.parties.a_user)
    assert client.get("/catalog/OLD-1").status_code == 404
    assert client.get("/catalog/NOPE").status_code == 404
    assert client.post("/catalog/OLD-1/configure", json={"quantity": 1}).status_code == 404


def test_staff_and_anonymous_users_do_not_use_the_catalog(client, login, catalog):
    for url in ("/catalog", "/catalog/HW-AP", "/cart"):
        assert client.get(url).status_code == 302  # to the log-in page
    login(catalog.parties.ops)
    for url in ("/catalog", "/catalog/HW-AP", "/cart"):
        assert client.get(url).status_code == 403
    assert client.post("/catalog/HW-AP/configure", json={}).status_code == 403
    assert b"Catalog" not in client.get("/dashboard").data.split(b"<main")[0]
    login(catalog.parties.a_admin)
    nav = client.get("/dashboard").data.split(b"<main")[0]
    assert b'href="/catalog"' in nav and b'href="/cart"' in nav


# --- the live configurator ----------------------------------------------------------------

def configure(client, sku: str = "SRV-1", **body):
    response = client.post(f"/catalog/{sku}/configure", json=body,
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_valid_configuration_is_priced_with_its_waterfall(client, login, catalog):
    login(catalog.parties.a_user)
    data = configure(client, quantity=1, options=VALID)
    assert data["valid"] and data["problems"] == [] and data["errors"] == {}
    price = data["price"]
    assert price["unit_list"] == "1190.00"  # 1000 + 100 + 50 + 40
    assert price["unit_net"] == "1130.50"  # less silver 5% on hardware
    assert [s["step"] for s in price["waterfall"]] == ["list", "tier_discount", "net"]
    assert price["waterfall"][1]["display"] == "-€59.50"
    assert price["line_total_display"] == "€1,130.50"


def test_volume_tier_shows_in_the_waterfall_for_the_chosen_quantity(client, login, catalog):
    login(catalog.parties.a_user)
    price = configure(client, quantity="10", options=VALID)["price"]
    labels = [s["label"] for s in price["waterfall"]]
    assert "Volume price for SRV-1 (10+ units)" in labels
    assert price["unit_net"] == "1035.50"  # (900 + 190) less 5%
    assert price["line_total"] == "10355.00" and price["quantity"] == 10


def test_an_invalid_configuration_explains_every_problem(client, login, catalog):
    login(catalog.parties.a_user)
    data = configure(client, quantity=1, options=["CPU-16", "PSU-S", "SSD-4"])
    assert not data["valid"] and data["price"] is None
    assert "Choose at least 1 of Memory" in data["problems"]
    assert "Option 16 cores (CPU-16) requires High-output PSU (PSU-H)" in data["problems"]
    hdd = data["availability"]["HDD-8"]
    assert hdd["available"] is False and hdd["reasons"] == ["excludes 4 TB SSD (SSD-4) (chosen)"]
    assert data["availability"]["SSD-4"]["chosen"] is True
    assert "options" in data["errors"]
    requires = "Option 16 cores (CPU-16) requires High-output PSU (PSU-H)"
    assert data["group_problems"] == {"CPU": [requires], "MEM": ["Choose at least 1 of Memory"],
                                      "PSU": [requires]}  # shown in each group concerned


def test_a_single_choice_group_offers_its_other_options_as_a_swap(client, login, catalog):
    login(catalog.parties.a_user)
    data = configure(client, quantity=1, options=["CPU-8"])
    assert data["availability"]["CPU-16"] == {"available": True, "reasons": [], "chosen": False}
    assert data["availability"]["RAM-128"]["available"] is False  # needs CPU-16, CPU-8 is chosen
    data = configure(client, quantity=1, options=["CPU-8", "PSU-S"])
    reasons = data["availability"]["CPU-16"]["reasons"]
    assert data["availability"]["CPU-16"]["available"] is False
    assert reasons == ["requires High-output PSU (PSU-H), but at most 1 of Power supply already chosen"]


def test_bad_quantities_and_bodies_are_reported(client, login, catalog):
    login(catalog.parties.a_user)
    data = configure(client, quantity="", options=VALID)
    assert data["errors"] == {"quantity": "The quantity must be a whole number."} and data["price"] is None
    assert data["valid"] is True
    too_few = configure(client, quantity=0, options=VALID)["errors"]["quantity"]
    assert too_few == "The quantity must be at least 1."
    response = client.post("/catalog/SRV-1/configure", json={"options": "CPU-8"})
    assert response.status_code == 400 and response.get_json()["error"]["fields"]["options"]


def test_a_missing_price_is_shown_not_hidden(client, login, catalog):
    pricebooks.replace_entries(None, catalog.book, [e for e in ENTRIES if e["code"] != "PSU-S"])
    login(catalog.parties.a_user)
    data = configure(client, quantity=1, options=VALID)
    assert data["valid"] and data["price"] is None
    assert "PSU-S has no price in price book 'EUR list'" in data["errors"]["price"]


def test_the_configure_endpoint_needs_the_csrf_token_in_a_header(client, login, catalog, csrf_on):
    login(catalog.parties.a_user)
    page = text(client.get("/catalog/SRV-1"))
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    body = {"quantity": 1, "options": VALID}
    refused = client.post("/catalog/SRV-1/configure", json=body, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    ok = client.post("/catalog/SRV-1/configure", json=body,
                     headers={"Accept": "application/json", "X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["price"]["unit_net"] == "1130.50"
