"""Integers that cannot be ids, pages or amounts never reach the database: ids in URLs that no
row can have are a 404 at routing, bad `page`/`per_page`/`*_id` query values a 400, ids in
bodies a 422 on the field; product list items match their schema (`configurable`)."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from portal.converters import ID_MAX, IdConverter
from portal.db import get_for_partner_or_404, get_or_404
from portal.models import Partner
from tests.catalog import builders

TOO_BIG = 2**31  # one above the largest INTEGER: PostgreSQL refused it with a 500 before
HUGE = 99999999999999999999


def test_every_id_route_uses_the_id_converter(app):
    plain = sorted(rule.rule for rule in app.url_map.iter_rules()
                   for conv in rule._converters.values()
                   if isinstance(conv, IntegerConverter) and not isinstance(conv, IdConverter))
    assert not plain, f"routes with <int:...> instead of <id:...>: {plain}"


@pytest.mark.parametrize("path", [f"/api/v1/partners/{TOO_BIG}", f"/api/v1/orders/{HUGE}",
                                  "/api/v1/quotes/0", f"/orders/{TOO_BIG}"])
def test_ids_that_cannot_exist_do_not_match_a_route(app, path):
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path)


@pytest.mark.parametrize("method, path", [
    ("PATCH", "/api/v1/partners/0"), ("PUT", f"/api/v1/partners/{TOO_BIG}/contract-prices"),
    ("DELETE", "/api/v1/users/1/tokens/0"), ("POST", "/api/v1/quotes/0/order")])
def test_a_method_of_a_shared_path_is_a_404_not_a_405_for_an_impossible_id(app, method, path):
    # Werkzeug checks the method before converting: the bound must be in the pattern itself
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path, method=method)


@pytest.mark.parametrize("value", [1, 9, 10, 1999999999, 2147483639, 2147483646, ID_MAX])
def test_every_id_in_range_matches(app, value):
    assert app.url_map.bind("localhost").match(f"/api/v1/partners/{value}")[1] == {"partner_id": value}


@pytest.mark.parametrize("text", ["0", "01", "2147483648", "2147483650", "3000000000", "-1"])
def test_ids_out_of_range_or_with_leading_zeros_do_not_match(app, text):
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(f"/api/v1/partners/{text}")


def test_out_of_range_ids_are_a_404_over_http(two_partners, api, login, client):
    admin = api(two_partners.admin)
    assert admin.get(f"/partners/{TOO_BIG}").status_code == 404
    assert admin.get(f"/partners/{ID_MAX}").status_code == 404  # in range, no such row
    assert admin.patch(f"/partners/{HUGE}", json={"name": "x"}).status_code == 404
    assert api(two_partners.a_admin).get(f"/orders/{HUGE}").status_code == 404
    login(two_partners.a_admin)
    assert client.get(f"/orders/{TOO_BIG}").status_code == 404  # HTML pages too


def test_loaders_answer_404_for_ids_no_row_can_have(app, two_partners):
    with app.test_request_context():
        for bad in (TOO_BIG, HUGE, 0, -1):
            with pytest.raises(NotFound):
                get_or_404(Partner, bad)
            with pytest.raises(NotFound):
                get_for_partner_or_404(Partner, bad, two_partners.a)


@pytest.mark.parametrize("query, field", [
    (f"page={HUGE}", "page"), ("page=0", "page"), ("page=abc", "page"), ("page=-3", "page"),
    ("per_page=0", "per_page"), ("per_page=-295696876959", "per_page"), ("per_page=x", "per_page"),
    (f"manager_id={TOO_BIG}", "manager_id"), ("manager_id=abc", "manager_id"), ("page=1.5", "page"),
    ("per_page=2.01", "per_page"), ("page=1e3", "page"),
])
def test_bad_list_parameters_are_a_400_naming_the_parameter(two_partners, api, query, field):
    response = api(two_partners.admin).get(f"/partners?{query}")
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]


def test_empty_and_integral_decimal_parameters_are_what_json_schema_says(two_partners, api):
    """An empty value is an absent one (`allowEmptyValue` in the description); "2.0" is the
    integer 2, as JSON Schema counts integers."""
    admin = api(two_partners.admin)
    assert admin.get("/partners?page=&per_page=").json["per_page"] == 50
    body = admin.get("/partners?page=1.0&per_page=2.00").json
    assert (body["page"], body["per_page"]) == (1, 2)
    described = admin.get("/openapi.json").json["paths"]["/partners"]["get"]["parameters"]
    assert all(p["allowEmptyValue"] for p in described if p["in"] == "query")


def test_per_page_above_the_cap_is_served_at_the_cap_and_huge_values_too(two_partners, api):
    admin = api(two_partners.admin)
    assert admin.get("/partners?per_page=500").json["per_page"] == 200
    assert admin.get(f"/partners?per_page={HUGE}").json["per_page"] == 200


@pytest.mark.parametrize("path", ["/leads", "/opportunities", "/quotes", "/orders"])
def test_partner_id_filters_refuse_ids_that_cannot_exist(two_partners, api, path):
    for who in (two_partners.admin, two_partners.a_admin):
        response = api(who).get(f"{path}?partner_id={TOO_BIG}")
        assert response.status_code == 400, (path, response.json)
        assert "partner_id" in response.json["error"]["fields"]


def test_mdf_campaign_filter_refuses_ids_that_cannot_exist(two_partners, api):
    response = api(two_partners.a_admin).get(f"/mdf-requests?campaign_id={HUGE}")
    assert response.status_code == 400 and "campaign_id" in response.json["error"]["fields"]


def test_order_number_search_beyond_any_id_finds_nothing(two_partners, login, client):
    login(two_partners.a_admin)
    response = client.get("/orders?q=SO-2026-99999999999")
    assert response.status_code == 200


@pytest.mark.parametrize("method, path, body, field", [
    ("post", "/pricing", {"lines": [{"sku": "SRV", "quantity": 1}], "partner_id": TOO_BIG}, "partner_id"),
    ("patch", "/partners/{a}", {"manager_id": HUGE}, "manager_id"),
    ("patch", "/partners/{a}", {"price_book_id": 0}, "price_book_id"),
    ("post", "/users", {"email": "x@example.com", "name": "X", "role": "partner_user",
                        "partner_id": TOO_BIG}, "partner_id"),
])
def test_ids_in_bodies_that_cannot_exist_are_a_422_on_the_field(two_partners, api, method, path, body, field):
    response = getattr(api(two_partners.admin), method)(path.format(a=two_partners.a.id), json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]


def test_partner_ids_in_bodies_too(two_partners, api):
    partner = api(two_partners.a_admin)
    response = partner.post("/quotes", json={"lines": [{"sku": "SRV", "quantity": 1}], "opportunity_id": TOO_BIG})
    assert response.status_code == 422 and "opportunity_id" in response.json["error"]["fields"]
    response = partner.post("/orders", json={"quote_id": HUGE, "po_number": "PO", "payment_method": "on_account"},
                            headers={"Idempotency-Key": "bounds-1"})
    assert response.status_code == 422 and "quote_id" in response.json["error"]["fields"]


def test_product_list_items_carry_configurable_as_their_schema_says(two_partners, api):
    builders.build()
    items = api(two_partners.a_admin).get("/products").json["items"]
    assert {i["sku"]: i["configurable"] for i in items} == {"SRV": True, "LIC": False}
    assert all("option_groups" not in i for i in items)


def test_the_description_states_the_bounds(client):
    spec = client.get("/api/v1/openapi.json").json
    op = spec["paths"]["/partners/{partner_id}"]["get"]
    (param,) = [p for p in op["parameters"] if p["name"] == "partner_id"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
    listing = {p["name"]: p for p in spec["paths"]["/partners"]["get"]["parameters"]}
    assert listing["page"]["schema"]["minimum"] == 1 and listing["per_page"]["schema"]["minimum"] == 1
    assert listing["manager_id"]["schema"]["maximum"] == ID_MAX
    assert {"400", "401", "403"} <= set(spec["paths"]["/partners"]["get"]["responses"])
    assert "Idempotency-Key" in {p["name"] for p in spec["paths"]["/orders"]["post"]["parameters"]}
