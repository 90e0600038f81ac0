"""The OpenAPI description is generated from the routes and serves a readable page."""
from __future__ import annotations

import re


def test_openapi_json_is_public_and_lists_the_api(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    paths = spec["paths"]
    for path, method in [("/me", "get"), ("/partners", "post"), ("/partners", "get"), ("/partners/{partner_id}", "patch"),
                         ("/users", "post"), ("/users/{user_id}/tokens", "post")]:
        assert method in paths[path], (path, method)
    create = paths["/partners"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/PartnerCreate"
    assert "201" in create["responses"] and "422" in create["responses"]
    schema = spec["components"]["schemas"]["PartnerCreate"]
    assert set(schema["required"]) >= {"name", "kind", "tier", "country", "region", "currency", "credit_limit"}
    listing = paths["/partners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listing["required"] == ["items", "page", "per_page", "total"]
    # every documented API route is in the description, and every API route is documented
    documented = {(p, m) for p, ops in paths.items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.endpoint != "api.openapi_json":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, (path, method)


def test_openapi_validates_as_openapi_31(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)


def test_api_reference_page(client):
    html = client.get("/docs/api").data.decode()
    assert "PartnerCreate" in html and "/partners" in html and "Bearer" in html
