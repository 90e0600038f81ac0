"""Catalog and pricing API (CONTRACT.md)."""
from __future__ import annotations

from catalog.models import PriceBookEntry, Product
from portal.extensions import db
from tests.catalog.builders import SERVER, TODAY, build
from tests.crosspartner import covers


def test_sales_ops_creates_a_configurable_product(two_partners, api):
    r = api(two_partners.ops).post("/products", dict(SERVER, description="1U server"))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["sku"] == "SRV" and body["configurable"] is True and body["active"] is True
    assert [g["code"] for g in body["option_groups"]] == ["CPU", "MEM", "PSU"]
    assert {"type": "requires", "option": "CPU-16", "target": "PSU-HI"} in body["rules"]
    got = api(two_partners.a_user).get("/products/SRV").json
    assert got["option_groups"][0]["options"][1] == {"code": "CPU-16", "name": "16 cores"}


def test_product_validation(two_partners, api):
    ops = api(two_partners.ops)
    assert ops.post("/products", SERVER).status_code == 201
    r = ops.post("/products", SERVER)
    assert r.status_code == 422 and "already exists" in r.json["error"]["fields"]["sku"]
    bad = dict(SERVER, sku="SRV2", rules=[{"type": "requires", "option": "CPU-8", "target": "CPU-8"},
                                          {"type": "requires", "option": "CPU-8", "target": "GHOST"}])
    r = ops.post("/products", bad)
    assert r.status_code == 422 and "rules" in r.json["error"]["fields"]
    bad = dict(SERVER, sku="SRV3", option_groups=[{"code": "G", "name": "G", "min": 3, "max": 1,
                                                   "options": [{"code": "X"}, {"code": "X"}]}], rules=[])
    r = ops.post("/products", bad)
    assert r.status_code == 422
    assert ops.post("/products", {"sku": "bad sku!", "name": "x", "family": "f"}).status_code == 422
    assert ops.post("/products", {"name": "x"}).status_code == 400
    assert db.session.query(Product).count() == 1


def test_only_catalog_editors_write(two_partners, api):
    for user in (two_partners.manager, two_partners.a_admin):
        assert api(user).post("/products", SERVER).status_code == 403
        assert api(user).put("/tier-discounts", {"discounts": []}).status_code == 403
    assert api(two_partners.admin).post("/products", SERVER).status_code == 201


def test_product_list_gives_partner_users_their_net_price(two_partners, api):
    build()
    items = api(two_partners.a_user).get("/products?q=lic").json["items"]
    assert items == [{"id": items[0]["id"], "sku": "LIC", "name": "Licence", "family": "software",
                      "description": "", "unit": "each", "active": True, "configurable": False,
                      "unit_price": "99.99", "currency": "EUR"}]
    staff = api(two_partners.ops).get("/products?family=hardware").json
    assert [p["sku"] for p in staff["items"]] == ["SRV"] and "unit_price" not in staff["items"][0]


def test_inactive_products_are_hidden_from_partners(two_partners, api):
    build()
    r = api(two_partners.ops).patch("/products/LIC", {"active": False})
    assert r.status_code == 200 and r.json["active"] is False
    assert api(two_partners.a_user).get("/products/LIC").status_code == 404
    assert api(two_partners.a_user).get("/products?q=LIC").json["total"] == 0
    assert api(two_partners.ops).get("/products?active=false").json["items"][0]["sku"] == "LIC"
    assert api(two_partners.ops).get("/products/NOPE").status_code == 404


def test_create_and_replace_price_book_entries(two_partners, api):
    build()
    ops = api(two_partners.ops)
    r = ops.post("/price-books", {"name": "USD 2027", "currency": "USD", "valid_from": "2027-01-01",
                                  "entries": [{"code": "LIC", "unit_price": "110.00",
                                               "tiers": [{"min_qty": 5, "unit_price": "100.00"}]}]})
    assert r.status_code == 201, r.json
    book_id = r.json["id"]
    body = ops.get(f"/price-books/{book_id}").json
    assert body["entries"] == [{"code": "LIC", "unit_price": "110.00",
                                "tiers": [{"min_qty": 5, "unit_price": "100.00"}]}]
    r = ops.put(f"/price-books/{book_id}/entries", {"entries": [
        {"code": "LIC", "unit_price": "112"}, {"code": "SRV", "unit_price": "1.005"},
        {"code": "LIC", "unit_price": "1"}, {"code": "X", "unit_price": "-1"},
        {"code": "Y", "unit_price": "5", "tiers": [{"min_qty": 1, "unit_price": "4"}]}]})
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) == {"entries.1.unit_price", "entries.2.code", "entries.3.unit_price",
                           "entries.4.tiers.0.min_qty"}
    assert ops.get(f"/price-books/{book_id}").json["entries"][0]["unit_price"] == "110.00"  # unchanged
    r = ops.put(f"/price-books/{book_id}/entries", {"entries": [{"code": "LIC", "unit_price": "112"}]})
    assert r.status_code == 200 and r.json["entry_count"] == 1
    r = ops.post("/price-books", {"name": "Bad", "currency": "EURO", "valid_from": "2027-13-01"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"currency", "valid_from"}
    r = ops.post("/price-books", {"name": "Bad", "currency": "EUR", "valid_from": "2027-01-02",
                                  "valid_to": "2027-01-01"})
    assert r.status_code == 422 and "valid_to" in r.json["error"]["fields"]


@covers("catalog_api.get_price_book", "catalog_api.replace_entries")
def test_price_books_are_staff_only(two_partners, api):
    data = build()
    book_id = data["book"].id
    for user in (two_partners.a_admin, two_partners.b_user):
        assert api(user).get(f"/price-books/{book_id}").status_code == 403
        assert api(user).put(f"/price-books/{book_id}/entries", {"entries": []}).status_code == 403
        assert api(user).get("/price-books").status_code == 403
    assert db.session.query(PriceBookEntry).count() == 7
    assert api(two_partners.ops).get("/price-books/99999").status_code == 404


def test_tier_discounts_replace_all(two_partners, api):
    ops = api(two_partners.ops)
    r = ops.put("/tier-discounts", {"discounts": [{"tier": "gold", "family": "Hardware", "percent": "12.5"}]})
    assert r.status_code == 200 and r.json["discounts"] == [{"tier": "gold", "family": "hardware", "percent": "12.5"}]
    r = ops.put("/tier-discounts", {"discounts": [{"tier": "diamond", "family": "x", "percent": "101"},
                                                  {"tier": "gold", "family": "x", "percent": "abc"}]})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"discounts.0.tier", "discounts.0.percent",
                                                                       "discounts.1.percent"}
    assert ops.get("/tier-discounts").json["discounts"][0]["percent"] == "12.5"


@covers("catalog_api.get_contract_prices", "catalog_api.put_contract_prices")
def test_contract_prices_per_partner(two_partners, api):
    build()
    ops = api(two_partners.ops)
    a = two_partners.a
    r = ops.put(f"/partners/{a.id}/contract-prices", {"prices": [
        {"code": "LIC", "unit_price": "50.00", "valid_from": TODAY.isoformat()}]})
    assert r.status_code == 200 and r.json["prices"][0]["currency"] == "EUR"
    assert api(two_partners.a_user).get("/products/LIC").json["unit_price"] == "50.00"
    # partner users can neither read nor write contract prices, their own or another partner's
    for user, partner in ((two_partners.b_admin, a), (two_partners.a_admin, a)):
        assert api(user).get(f"/partners/{partner.id}/contract-prices").status_code == 403
        assert api(user).put(f"/partners/{partner.id}/contract-prices", {"prices": []}).status_code == 403
    r = ops.put(f"/partners/{a.id}/contract-prices", {"prices": [{"code": "LIC", "unit_price": "x"}]})
    assert r.status_code == 422
    assert ops.get(f"/partners/{a.id}/contract-prices").json["prices"][0]["unit_price"] == "50.00"
    assert ops.put("/partners/999999/contract-prices", {"prices": []}).status_code == 404


def test_pricing_endpoint_with_waterfall(two_partners, api):
    build()
    r = api(two_partners.a_user).post("/pricing", {"lines": [
        {"sku": "SRV", "quantity": 10, "options": ["CPU-16", "RAM-64", "PSU-HI"]}]})
    assert r.status_code == 200, r.json
    line = r.json["lines"][0]
    # list 1000+400+180+50 = 1630; tier 900 -> 1530; silver 5% -> 1453.50
    assert (r.json["currency"], line["unit_list"], line["unit_net"], line["line_total"], r.json["total"]) == (
        "EUR", "1630.00", "1453.50", "14535.00", "14535.00")
    assert [(s["step"], s["amount"]) for s in line["waterfall"]] == [
        ("list", "1630.00"), ("volume_tier", "-100.00"), ("tier_discount", "-76.50"), ("net", "1453.50")]


def test_pricing_errors_name_each_line(two_partners, api):
    build()
    r = api(two_partners.a_user).post("/pricing", {"lines": [
        {"sku": "NOPE", "quantity": 1}, {"sku": "SRV", "quantity": -1, "options": ["CPU-16"]},
        {"sku": "LIC", "quantity": 1.5}]})
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert {"lines.0.sku", "lines.1.quantity", "lines.1.options", "lines.2.quantity"} <= set(fields)
    assert "Choose at least 1 of Memory" in fields["lines.1.options"]
    assert api(two_partners.a_user).post("/pricing", {"lines": []}).status_code == 422
    assert api(two_partners.a_user).post("/pricing", {"lines": "x"}).status_code == 400
    r = api(two_partners.a_user).post("/pricing", {"lines": [{"sku": "LIC", "quantity": 1}], "opportunity_id": 5})
    assert r.status_code == 422 and "opportunity_id" in r.json["error"]["fields"]


def test_staff_price_as_a_partner(two_partners, api):
    build()
    ops = api(two_partners.ops)
    assert ops.post("/pricing", {"lines": [{"sku": "LIC", "quantity": 1}]}).status_code == 422
    r = ops.post("/pricing", {"lines": [{"sku": "LIC", "quantity": 1}], "partner_id": two_partners.a.id})
    assert r.status_code == 200 and r.json["total"] == "99.99"
    # a partner user cannot price as another partner: partner_id is ignored for partners
    ops.put(f"/partners/{two_partners.b.id}/contract-prices", {"prices": [{"code": "LIC", "unit_price": "1.00"}]})
    r = api(two_partners.a_user).post("/pricing", {"lines": [{"sku": "LIC", "quantity": 1}],
                                                   "partner_id": two_partners.b.id})
    assert r.json["total"] == "99.99"


def test_partner_price_book_assignment_through_partner_api(two_partners, api):
    data = build()
    r = api(two_partners.admin).patch(f"/partners/{two_partners.a.id}", {"price_book_id": data["book"].id})
    assert r.status_code == 200 and r.json["price_book_id"] == data["book"].id
    r = api(two_partners.admin).patch(f"/partners/{two_partners.a.id}", {"price_book_id": 424242})
    assert r.status_code == 422 and "price_book_id" in r.json["error"]["fields"]
