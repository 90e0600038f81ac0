"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 description, generated from the routes and models."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portal.api.blueprint import bp
from portal.api.core import PREFIX, public
from portal.api.schemas import Error

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
ERROR_TEXT = {400: "Malformed request", 401: "Missing or bad token", 403: "Not allowed for the role",
              404: "Not found (or not yours)", 409: "Not allowed in the current state",
              422: "Breaks a business rule"}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for m in _CONVERTER.finditer(rule):
        kind = "integer" if m.group("conv") == "int" else "string"
        params.append({"name": m.group("name"), "in": "path", "required": True, "schema": {"type": kind}})
    return _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule), params


def build_spec() -> dict[str, Any]:
    operations: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]]]] = []
    models: set[type[BaseModel]] = {Error}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", None)
        if meta is None:
            continue
        path, params = _path(rule.rule[len(PREFIX):] or "/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((path, method.lower(), rule.endpoint, meta, params))
        models.update(m for m in (meta["body"], meta["response"]) if m)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, top = models_json_schema([(m, "serialization") for m in ordered],
                                ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, method, endpoint, meta, params in sorted(operations):
        paths.setdefault(path, {})[method] = _operation(endpoint, meta, params)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{current_app.config['PORTAL_NAME']} API", "version": "1",
                 "description": "JSON in and out. Authenticate with `Authorization: Bearer <token>`. "
                                "Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`. Money is a "
                                "decimal string next to a `currency`; lists are paginated with "
                                "`?page=&per_page=` (at most 200)."},
        "servers": [{"url": PREFIX}],
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(endpoint: str, meta: dict[str, Any], params: list[dict[str, Any]]) -> dict[str, Any]:
    tag = endpoint.split(".")[-1].split("_")[-1]
    op: dict[str, Any] = {"operationId": endpoint.replace(".", "_"), "summary": meta["summary"],
                          "tags": [tag]}
    if meta["roles"]:
        op["description"] = f"Roles: {meta['roles']}."
    query = [{"name": k, "in": "query", "required": False, "description": v, "schema": {"type": "string"}}
             for k, v in meta["query"].items()]
    if meta["list_of"]:
        query += [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                  {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}}]
    if params or query:
        op["parameters"] = params + query
    if meta["body"] is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(meta["body"])}}}
    response: dict[str, Any] = {"description": "OK"}
    if meta["response"] is not None:
        schema = _ref(meta["response"])
        if meta["list_of"]:
            schema = {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
                "items": {"type": "array", "items": schema}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "total": {"type": "integer"}}}
        response["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {str(meta["status"]): response}
    responses["401"] = {"description": ERROR_TEXT[401], "content": {"application/json": {"schema": _ref(Error)}}}
    for code in meta["errors"]:
        responses[str(code)] = {"description": ERROR_TEXT.get(code, "Error"),
                                "content": {"application/json": {"schema": _ref(Error)}}}
    op["responses"] = responses
    return op


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(build_spec())
