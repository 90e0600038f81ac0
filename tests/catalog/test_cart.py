"""The cart: only valid configurations get in, it is re-priced on every view, a line that became
unorderable is flagged and left out of the total, and a cart belongs to one user of one partner."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from catalog.models import CartLine, Product
from catalog.services import carts, pricebooks, products
from portal.extensions import db
from tests.catalog.test_catalog_pages import ENTRIES, VALID, Catalog, build_catalog, catalog_queries
from tests.queries import count_queries
from tests.crosspartner import covers


@pytest.fixture
def catalog(two_partners) -> Catalog:
    return build_catalog(two_partners)


def text(response) -> str:
    return response.get_data(as_text=True)


def lines_of(user) -> list[CartLine]:
    return list(db.session.scalars(select(CartLine).where(CartLine.user_id == user.id).order_by(CartLine.id)))


def line_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CartLine))


def add(client, sku: str, quantity, options=()):
    return client.post(f"/catalog/{sku}/add", data={"quantity": quantity, "options": list(options)})


def total(page: str) -> str:
    return re.search(r'data-testid="cart-total">([^<]*)<', page).group(1).strip()


# --- adding -------------------------------------------------------------------------------

def test_a_valid_configuration_goes_into_the_cart(client, login, catalog):
    user = catalog.parties.a_user
    login(user)
    form = {"quantity": 2, "options.CPU": "CPU-8", "options.MEM": "RAM-32", "options.PSU": "PSU-S",
            "options": ["SSD-1"]}  # as the product page's radio buttons and checkboxes send them
    response = client.post("/catalog/SRV-1/add", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    (line,) = lines_of(user)
    assert (line.partner_id, line.sku, line.quantity) == (catalog.parties.a.id, "SRV-1", 2)
    assert line.options == ["CPU-8", "RAM-32", "SSD-1", "PSU-S"]  # in the product's order
    page = text(client.get("/cart"))
    assert "2 × Rack Server added to your cart." in page
    assert "8 cores" in page and "Standard PSU" in page and "1 TB SSD" in page
    assert total(page) == "€2,413.00"  # 2 × (1270 less 5%)


def test_an_invalid_configuration_is_refused_and_nothing_is_written(client, login, catalog):
    login(catalog.parties.a_user)
    response = add(client, "SRV-1", 1, ["CPU-16", "PSU-S", "SSD-4", "HDD-8"])
    assert response.status_code == 422
    page = text(response)
    assert "Choose at least 1 of Memory" in page
    assert "Option 16 cores (CPU-16) requires High-output PSU (PSU-H)" in page
    assert "4 TB SSD (SSD-4) and 8 TB HDD (HDD-8) cannot be chosen together" in page
    assert re.search(r'value="CPU-16"[^>]*checked', page)  # the choices are kept
    memory = page.split('data-group="MEM"')[1].split("</fieldset>")[0]
    assert "Choose at least 1 of Memory" in memory  # next to the options concerned
    response = add(client, "SRV-1", 1, ["RAM-32", "PSU-S", ""])  # "" is a radio group's "None"
    assert response.status_code == 422 and "Choose at least 1 of Processor" in text(response)
    assert line_count() == 0
    response = add(client, "SRV-1", 0, VALID)
    assert response.status_code == 400 and "Enter a quantity from 1 to 1,000,000." in text(response)
    assert add(client, "OLD-1", 1).status_code == 404
    assert line_count() == 0


def test_an_add_loads_the_product_once_and_nothing_after_its_commit(app, client, login, catalog, monkeypatch):
    """The 25-step order flow adds lines one by one: an add costs the product (with its options),
    whether it can be priced (books, entries; campaign rules from the per-process copy), the cart's
    lines and the insert."""
    monkeypatch.setitem(app.config, "CAMPAIGN_PRICE_CACHE_SECONDS", 60)  # production's copy (tests: 0)
    login(catalog.parties.a_user)
    add(client, "HW-AP", 1)  # warm-up: the first request of a client loads more than an add does
    with count_queries() as statements:
        response = add(client, "SW-1", 2)
    assert response.status_code == 302
    own = catalog_queries(statements)
    assert len([s for s in own if "FROM products" in s and "campaign" not in s]) == 1, own
    assert len(own) == 5, own  # product, books, entries, cart lines, insert (campaign rules: cached)
    assert "2 × " in text(client.get("/cart"))


def test_the_service_refuses_what_the_configurator_refuses(catalog):
    parties = catalog.parties
    with pytest.raises(carts.InvalidConfiguration) as refused:
        carts.add_line(parties.a, parties.a_user, "SRV-1", 1, ["CPU-8", "RAM-128", "PSU-S"])
    assert "requires 16 cores (CPU-16)" in refused.value.fields["options"]
    with pytest.raises(carts.CartError):
        carts.add_line(parties.a, parties.a_user, "OLD-1", 1, [])
    with pytest.raises(carts.CartError):
        carts.add_line(parties.a, parties.a_user, "HW-AP", 1, ["CPU-8"])  # not an option of it
    assert line_count() == 0


def test_adding_the_same_configuration_again_adds_to_its_quantity(client, login, catalog):
    user = catalog.parties.a_user
    login(user)
    add(client, "SRV-1", 1, VALID)
    add(client, "SRV-1", 9, list(reversed(VALID)))
    add(client, "SRV-1", 1, ["CPU-8", "RAM-32", "PSU-S", "SSD-1"])
    assert [(l.quantity, len(l.options)) for l in lines_of(user)] == [(10, 3), (1, 4)]


def test_quick_add_by_sku(client, login, catalog):
    user = catalog.parties.a_user
    login(user)
    assert client.post("/cart/add", data={"sku": " HW-AP ", "quantity": 3}).status_code == 302
    response = client.post("/cart/add", data={"sku": "SRV-1", "quantity": 1})
    assert response.status_code == 422
    assert "Choose at least 1 of Processor" in text(response) and "on its product page" in text(response)
    response = client.post("/cart/add", data={"sku": "NOPE", "quantity": 1})
    assert response.status_code == 422 and "Unknown or unavailable SKU NOPE." in text(response)
    assert [(l.sku, l.quantity) for l in lines_of(user)] == [("HW-AP", 3)]


# --- the priced cart ----------------------------------------------------------------------

def test_cart_total_is_the_sum_of_the_lines_with_each_waterfall(client, login, catalog):
    login(catalog.parties.a_user)
    add(client, "SRV-1", 10, VALID)
    add(client, "HW-AP", 2)
    page = text(client.get("/cart"))
    assert "Volume price for SRV-1 (10+ units)" in page  # in the line's price details
    assert "€10,355.00" in page and "€300.00" in page  # 10 × 1035.50; 2 × 150.00 contract
    assert total(page) == "€10,655.00"
    priced = carts.price_cart(catalog.parties.a, catalog.parties.a_user)
    assert priced.total.as_str() == "10655.00" and priced.excluded == []


def test_quantity_update_remove_and_clear(client, login, catalog):
    user = catalog.parties.a_user
    login(user)
    add(client, "HW-AP", 1)
    add(client, "SW-1", 1)
    first, second = lines_of(user)
    assert client.post(f"/cart/lines/{first.id}", data={"quantity": 10}).status_code == 302
    page = text(client.get("/cart"))
    assert "€1,500.00" in page  # the contract price has no volume tier: 10 × 150
    response = client.post(f"/cart/lines/{first.id}", data={"quantity": "ten"})
    assert response.status_code == 400 and lines_of(user)[0].quantity == 10
    assert client.post(f"/cart/lines/{second.id}/remove").status_code == 302
    assert [l.sku for l in lines_of(user)] == ["HW-AP"]
    assert client.post("/cart/clear").status_code == 302
    assert lines_of(user) == [] and "Your cart is empty." in text(client.get("/cart"))


@covers("catalog.update_line", "catalog.remove_line")
def test_a_cart_line_of_another_user_or_partner_is_not_found(client, login, catalog):
    parties = catalog.parties
    theirs = carts.add_line(parties.b, parties.b_user, "HW-AP", 1, [])
    colleague = carts.add_line(parties.a, parties.a_admin, "SW-1", 1, [])
    login(parties.a_user)
    for line in (theirs, colleague):
        assert client.post(f"/cart/lines/{line.id}", data={"quantity": 5}).status_code == 404
        assert client.post(f"/cart/lines/{line.id}/remove").status_code == 404
    assert client.post("/cart/lines/999999/remove").status_code == 404
    page = text(client.get("/cart"))
    assert "Your cart is empty." in page and "Wireless access point" not in page
    client.post("/cart/clear")
    assert [l.quantity for l in lines_of(parties.b_user)] == [1] and len(lines_of(parties.a_admin)) == 1
    login(parties.b_user)
    assert "Wireless access point" in text(client.get("/cart"))


def test_the_cart_survives_logging_out(client, login, catalog):
    user = catalog.parties.a_user
    login(user)
    add(client, "HW-AP", 4)
    assert client.post("/logout").status_code == 302
    assert client.get("/cart").status_code == 302  # logged out
    login(user)
    assert "Wireless access point" in text(client.get("/cart"))


def test_the_cart_is_repriced_when_the_price_book_changes(client, login, catalog):
    login(catalog.parties.b_user)
    add(client, "HW-AP", 1)
    assert total(text(client.get("/cart"))) == "€180.00"
    changed = [e if e["code"] != "HW-AP" else {"code": "HW-AP", "unit_price": "250.00"} for e in ENTRIES]
    pricebooks.replace_entries(None, catalog.book, changed)
    assert total(text(client.get("/cart"))) == "€225.00"  # 250 less gold 10%


def test_a_deactivated_product_is_flagged_and_left_out_of_the_total(client, login, catalog):
    login(catalog.parties.a_user)
    add(client, "HW-AP", 1)
    add(client, "SW-1", 2)
    products.update_product(None, db.session.scalar(select(Product).where(Product.sku == "SW-1")),
                            {"active": False})
    page = text(client.get("/cart"))
    assert "Analytics licence (SW-1) is no longer available." in page
    assert "1 line is not included in the total" in page
    assert total(page) == "€150.00"
    add(client, "HW-AP", 1)  # the other lines stay usable
    assert total(text(client.get("/cart"))) == "€300.00"


def test_a_line_whose_configuration_or_price_broke_shows_why(client, login, catalog):
    login(catalog.parties.a_user)
    add(client, "SRV-1", 1, VALID)
    add(client, "HW-AP", 1)
    server = db.session.scalar(select(Product).where(Product.sku == "SRV-1"))
    products.update_product(None, server, {"rules": [
        {"type": "requires", "option": "CPU-8", "target": "SSD-1"}]})
    page = text(client.get("/cart"))
    assert "The configuration is no longer valid: Option 8 cores (CPU-8) requires 1 TB SSD (SSD-1)." in page
    assert total(page) == "€150.00"
    products.update_product(None, server, {"rules": []})
    pricebooks.replace_entries(None, catalog.book, [e for e in ENTRIES if e["code"] != "RAM-32"])
    page = text(client.get("/cart"))
    assert "RAM-32 has no price in price book" in page and total(page) == "€150.00"


def test_without_a_price_book_the_whole_cart_says_so(client, login, catalog):
    login(catalog.parties.a_user)
    add(client, "HW-AP", 1)
    pricebooks.update_price_book(None, catalog.book, {"valid_to": date.today() - timedelta(days=1)})
    page = text(client.get("/cart"))
    assert "No price book in EUR is valid on" in page and "your cart cannot be priced" in page
    assert total(page) == "—" and "Wireless access point" in page


# --- several lines at once (quick order, reorder) ------------------------------------------

def test_adding_many_lines_reports_each_refusal_and_adds_the_rest(catalog):
    a, user = catalog.parties.a, catalog.parties.a_user
    carts.add_line(a, user, "HW-AP", 1, [])
    out = carts.add_lines(a, user, [("HW-AP", 2, []), ("NOPE", 1, []), ("SRV-1", 1, ["CPU-8"]),
                                    ("SRV-1", 3, VALID), ("HW-AP", "x", []), ("OLD-1", 1, [])])
    assert isinstance(out[0], CartLine) and out[0].quantity == 3  # merged with the line already there
    assert "Unknown or unavailable SKU NOPE" in out[1].fields["sku"]
    assert isinstance(out[2], carts.InvalidConfiguration) and "options" in out[2].fields
    assert isinstance(out[3], CartLine) and out[3].quantity == 3
    assert "quantity" in out[4].fields and "sku" in out[5].fields
    assert [(line.sku, line.quantity) for line in lines_of(user)] == [("HW-AP", 3), ("SRV-1", 3)]


def test_adding_many_lines_takes_a_fixed_number_of_queries(catalog):
    from tests.queries import count_queries

    a, user = catalog.parties.a, catalog.parties.a_user
    counts = []
    for skus in (["SW-1"], [f"ACC-{n:02d}" for n in range(1, 21)]):
        carts.clear_cart(a, user)
        db.session.expire_all()
        a.tier, user.id  # noqa: B018 - loaded outside the count, as a request has them
        with count_queries() as statements:
            carts.add_lines(a, user, [(sku, 2, []) for sku in skus])
        counts.append(len(statements))
    assert counts[0] == counts[1], (counts, statements)
