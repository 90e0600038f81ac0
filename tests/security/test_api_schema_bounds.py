"""Every request body is bounded in its schema: strings have a maxLength (the column's), lists a
maxItems, integers a maximum, so the OpenAPI description tells clients the limits and an
over-long or over-large value is a 422 on the field, never a database error (500)."""
from __future__ import annotations

from typing import Any

import pytest

# (schema, property) -> why it needs no bound in the description
EXCEPTIONS: dict[tuple[str, str], str] = {
    # admin/application_api.py (partner applications) is outside this change: bound it there
    **{("ApproveBody", prop): "admin/application_api.py: not bounded yet (other owner)"
       for prop in ("admin_email", "admin_name", "country", "currency", "kind", "name",
                    "payment_terms_days", "region", "tier")},
    ("RejectBody", "reason"): "admin/application_api.py: not bounded yet (other owner)",
}
BOUNDED_FORMATS = {"date", "date-time"}  # pydantic parses them: their length is bounded


def _resolve(doc: dict, node: dict) -> tuple[str | None, dict]:
    ref = node.get("$ref")
    if not ref:
        return None, node
    name = ref.rsplit("/", 1)[-1]
    return name, doc["components"]["schemas"][name]


def _problems(doc: dict, owner: str, prop: str, node: dict, seen: set[str]) -> list[str]:
    name, node = _resolve(doc, node)
    if name:
        return _walk(doc, name, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return [p for sub in node[key] for p in _problems(doc, owner, prop, sub, seen)]
    if (owner, prop) in EXCEPTIONS or "enum" in node or "const" in node:
        return []
    kind = node.get("type")
    where = f"{owner}.{prop}"
    if kind == "string" and "maxLength" not in node and node.get("format") not in BOUNDED_FORMATS:
        return [f"{where}: string without maxLength"]
    if kind == "integer" and "maximum" not in node and "exclusiveMaximum" not in node:
        return [f"{where}: integer without maximum"]
    if kind == "array":
        out = [] if "maxItems" in node else [f"{where}: array without maxItems"]
        return out + _problems(doc, owner, f"{prop}[]", node.get("items", {}), seen)
    if kind == "object" and "properties" not in node and node.get("additionalProperties") not in (None, False):
        return [f"{where}: free-form object"]
    return []


def _walk(doc: dict, name: str, seen: set[str]) -> list[str]:
    if name in seen:
        return []
    seen.add(name)
    schema = doc["components"]["schemas"][name]
    return [p for prop, node in schema.get("properties", {}).items()
            for p in _problems(doc, name, prop, node, seen)]


def _request_bodies(doc: dict) -> set[str]:
    names = set()
    for path in doc["paths"].values():
        for op in path.values():
            if not isinstance(op, dict):
                continue
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def test_every_request_body_field_is_bounded_in_the_description(client):
    doc = client.get("/api/v1/openapi.json").json
    bodies = _request_bodies(doc)
    assert {"PartnerCreate", "ProductCreate", "OrderCreate", "QuoteCreate", "LeadCreate",
            "CampaignCreate", "RegistrationCreate"} <= bodies
    seen: set[str] = set()
    problems = [p for name in sorted(bodies) for p in _walk(doc, name, seen)]
    assert not problems, "\n".join(problems)


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.json)
    return response.json["error"]["fields"]


def test_an_over_long_name_is_a_422_on_the_field(two_partners, api):
    admin = api(two_partners.admin)
    fields = _fields(admin.patch(f"/partners/{two_partners.a.id}", json={"name": "x" * 201}))
    assert "200" in fields["name"]
    fields = _fields(admin.post("/products", {"sku": "S" * 65, "name": "n", "family": "f"}))
    assert "sku" in fields


def test_a_list_of_201_items_is_a_422_on_the_field(two_partners, api):
    partner = api(two_partners.a_admin)
    lines = [{"sku": "SRV", "quantity": 1}] * 201
    fields = _fields(partner.post("/pricing", {"lines": lines}))
    assert "lines" in fields and "200" in fields["lines"]
    options = [{"sku": "SRV", "quantity": 1, "options": ["X"] * 201}]
    assert "lines.0.options" in _fields(partner.post("/pricing", {"lines": options}))


@pytest.mark.parametrize("path", ["/pricing", "/orders", "/quotes"])
def test_a_quantity_of_10_to_the_12_is_a_422_on_the_field(two_partners, api, path):
    body: dict[str, Any] = {"lines": [{"sku": "SRV", "quantity": 10**12}]}
    if path == "/orders":
        body.update(po_number="PO-1", payment_method="on_account")
    headers = {"Idempotency-Key": f"bounds-{path}"} if path == "/orders" else None
    response = api(two_partners.a_admin).post(path, body, headers=headers)
    assert "lines.0.quantity" in _fields(response)


def test_an_amount_of_99999999999_is_a_422_on_the_field(two_partners, api):
    admin = api(two_partners.admin)
    fields = _fields(admin.patch(f"/partners/{two_partners.a.id}", json={"credit_limit": "99999999999"}))
    assert "credit_limit" in fields
    book = {"name": "Big", "currency": "EUR", "valid_from": "2026-01-01",
            "entries": [{"code": "SRV", "unit_price": "99999999999"}]}
    assert "entries.0.unit_price" in _fields(admin.post("/price-books", book))


def test_over_long_values_in_nested_bodies_are_never_a_500(two_partners, api):
    partner = api(two_partners.a_admin)
    lead = {"company": {"name": "c" * 201, "country": "DE"}, "families": ["f"], "region": "EMEA"}
    response = partner.post("/leads", lead)
    assert response.status_code in (403, 422), response.json
    registration = {"customer": {"name": "Acme", "country": "DE", "vat_id": "V" * 41},
                    "families": ["f"], "amount": "100", "currency": "EUR", "expected_close": "2030-01-01"}
    assert "customer.vat_id" in _fields(partner.post("/opportunities", registration))
