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
from portal.converters import ID_MAX
from portal.listing import PAGE_MAX

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")
ERROR_TEXT = {400: "Malformed request", 401: "Missing or bad token", 403: "Not allowed for the role",
              404: "Not found (or not yours)", 409: "Not allowed in the current state",
              413: "The body is too large", 422: "Breaks a business rule", 429: "Too many requests",
              503: "A service the portal needs is unavailable"}

PATH_SCHEMAS = {"id": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
                "int": {"type": "integer", "minimum": 0}}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for m in _CONVERTER.finditer(rule):
        params.append({"name": m.group("name"), "in": "path", "required": True,
                       "schema": PATH_SCHEMAS.get(m.group("conv") or "", {"type": "string"})})
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


def _query(name: str, spec: Any) -> dict[str, Any]:
    """A query parameter: `*_id` is an id (parsed by `portal.listing.int_arg`), a tuple of
    words an enum, `"date"` a YYYY-MM-DD date; anything else text."""
    description, values = spec if isinstance(spec, tuple) else (spec, None)
    if name.endswith("_id"):
        schema: dict[str, Any] = dict(PATH_SCHEMAS["id"])
    elif values == "date":
        schema = {"type": "string", "format": "date"}
    elif values:
        schema = {"type": "string", "enum": list(values)}
    else:
        schema = {"type": "string"}
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True,
            "description": description, "schema": schema}


def _error(code: int) -> dict[str, Any]:
    return {"description": ERROR_TEXT.get(code, "Error"), "content": {"application/json": {"schema": _ref(Error)}}}


def _operation(endpoint: str, meta: dict[str, Any], params: list[dict[str, Any]]) -> dict[str, Any]:
    tag = endpoint.split(".")[-1].split("_")[-1]
    op: dict[str, Any] = {"operationId": endpoint.replace(".", "_"), "summary": meta["summary"],
                          "tags": [tag]}
    if meta["roles"]:
        op["description"] = f"Roles: {meta['roles']}."
    query = [_query(k, v) for k, v in meta["query"].items()]
    headers = [{"name": k, "in": "header", "required": True, "description": v[0], "schema": v[1]}
               for k, v in meta["headers"].items()]
    if meta["list_of"]:
        cap = current_app.config["API_MAX_PER_PAGE"]
        query += [{"name": "page", "in": "query", "required": False, "allowEmptyValue": True,
                   "description": "1 (default) or later",
                   "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}},
                  {"name": "per_page", "in": "query", "required": False, "allowEmptyValue": True,
                   "description": f"items per page, 50 by default; a value above {cap} is served as {cap}",
                   "schema": {"type": "integer", "minimum": 1}}]
    if params or query or headers:
        op["parameters"] = params + query + headers
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
    # The errors every operation of its kind can answer, whether or not the view names them:
    # bad input (400) with a body or query, a refused role or partner state (403), an id that
    # is not there or not yours (404), a body that breaks a rule (422).
    codes = {401, 403, 429, *meta["errors"]}  # 429: repeated bad tokens from one address
    if meta["body"] is not None or query or headers:
        codes.add(400)
    if params:
        codes.add(404)
    if meta["body"] is not None:
        codes.add(422)
    responses: dict[str, Any] = {str(meta["status"]): response}
    for code in sorted(codes):
        responses[str(code)] = _error(code)
    op["responses"] = responses
    return op


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(build_spec())
