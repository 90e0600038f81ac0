"""Errors: JSON under /api, pages elsewhere, never a 500 for bad input."""
from __future__ import annotations

import json

import pytest


def test_unknown_api_route_is_a_json_404(client, two_partners, api):
    r = api(two_partners.admin).get("/nothing-here")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405(two_partners, api):
    r = api(two_partners.admin).delete("/partners")
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"


def test_html_404_page(client, two_partners, login):
    login(two_partners.admin)
    r = client.get("/no/such/page")
    assert r.status_code == 404 and b"Not found." in r.data and b"<html" in r.data


@pytest.mark.parametrize("body", [
    "", "null", "[]", "1", '"x"', "{", '{"name": {"deep": [1, 2]}}', '{"credit_limit": [1]}',
    '{"name": "' + "x" * 5000 + '", "kind": "reseller", "tier": "gold", "country": "DE", "region": "EU",'
    ' "currency": "EUR", "credit_limit": "1", "payment_terms_days": 1}',
    '{"name": "N", "kind": 5, "tier": null, "country": 1.5, "region": true, "currency": {}, '
    '"credit_limit": "1e999999", "payment_terms_days": -1}',
    '{"name": "N", "kind": "reseller", "tier": "gold", "country": "DE", "region": "EU", "currency": "EUR", '
    '"credit_limit": "Infinity", "payment_terms_days": 10}',
    '{"name": "N", "kind": "reseller", "tier": "gold", "country": "DE", "region": "EU", "currency": "EUR", '
    '"credit_limit": 1e400, "payment_terms_days": 10}',
])
@pytest.mark.parametrize("method,path", [("post", "/partners"), ("post", "/users"), ("patch", "/partners/{id}"),
                                         ("patch", "/users/{uid}"), ("post", "/users/{uid}/tokens")])
def test_bad_bodies_never_give_a_500(two_partners, api, body, method, path):
    client = api(two_partners.admin)
    url = path.format(id=two_partners.a.id, uid=two_partners.a_user.id)
    r = client._call(method, url, data=body, headers={"Content-Type": "application/json"})
    assert 200 <= r.status_code < 500, (r.status_code, r.data[:200])
    if r.status_code >= 400:
        error = r.json["error"]
        assert error["code"] and error["message"]


def test_error_body_shape(two_partners, api):
    r = api(two_partners.admin).post("/partners", {"name": ""})
    assert set(r.json) == {"error"} and set(r.json["error"]) == {"code", "message", "fields"}
    json.dumps(r.json)


def test_nul_characters_are_a_clear_400_everywhere(client, api, two_partners, login):
    """PostgreSQL cannot store NUL: refused before any view runs, in the query, a form or JSON."""
    login(two_partners.a_user)
    page = client.get("/opportunities?q=ab%00c")
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)
    assert client.get("/catalog?q=%00").status_code == 400
    form = client.post("/opportunities/new", data={"customer_name": "Acme\x00"})
    assert form.status_code == 400
    answer = api(two_partners.a_user).post("/api/v1/opportunities", json={"customer": {"name": "A\u0000B"}})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "nul_character"
    assert client.get("/opportunities?q=plain").status_code == 200
