"""JSON API v1 plumbing: token authentication, body parsing, error mapping, OpenAPI metadata.

Every feature's API blueprint is made with `api_blueprint()`, so none can forget to
authenticate: the bearer token is checked before any view runs, session cookies are ignored
(so no CSRF exposure), and a partner user's requests are tenant-scoped.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, request
from pydantic import BaseModel, ValidationError

from portal.errors import Malformed, ValidationFailed, json_error
from portal.extensions import csrf, db
from portal.listing import Page, page_params, paginate
from portal.services import tokens
from portal.tenancy import activate_tenant_scope

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "/api/v1"
STRUCTURAL = {"missing", "model_type", "model_attributes_type", "dict_type", "list_type",
              "json_invalid", "json_type", "extra_forbidden"}


def api_blueprint(name: str, import_name: str) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=PREFIX)
    csrf.exempt(bp)
    bp.before_request(_authenticate)
    return bp


def public(view: F) -> F:
    """No token needed (the OpenAPI description)."""
    view._api_public = True  # type: ignore[attr-defined]
    return view


def _authenticate() -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "_api_public", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = tokens.authenticate(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        db.session.rollback()
        message = ("Send 'Authorization: Bearer <token>'." if not header
                   else "The bearer token is invalid or revoked.")
        return json_error(401, "unauthorized", message)
    if db.session.dirty:
        db.session.commit()  # token bookkeeping (last used), at most every few minutes
    g._login_user = user  # Flask-Login's current_user for this request, without a session
    g.api_user = user
    activate_tenant_scope(user.partner_id)
    return None


def parse(model: type[M]) -> M:
    """The JSON body as `model`: 400 when malformed or missing fields, 422 for bad values."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed("The body must be a JSON object.", code="malformed_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: ValidationError) -> Malformed | ValidationFailed:
    fields: dict[str, str] = {}
    structural = False
    for err in exc.errors(include_url=False):
        path = ".".join(str(p) for p in err["loc"]) or "body"
        kind = err["type"]
        structural = structural or kind in STRUCTURAL or kind.endswith(("_type", "_parsing"))
        message = "This field is required." if kind == "missing" else err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        fields.setdefault(path, message)
    if structural:
        return Malformed("The request body is malformed: see fields.", code="malformed_request",
                         fields=fields)
    return ValidationFailed("Some fields are invalid: see fields.", fields=fields)


def list_page(stmt: Any) -> Page:
    """Paginate a select by `?page=&per_page=` (max 200)."""
    page, per_page = page_params(request.args, 50, current_app.config["API_MAX_PER_PAGE"])
    return paginate(stmt, page, per_page)


def documented(*, summary: str, body: type[BaseModel] | None = None,
               response: type[BaseModel] | None = None, status: int = 200, roles: str = "",
               list_of: bool = False, query: dict[str, Any] | None = None,
               headers: dict[str, tuple[str, dict[str, Any]]] | None = None,
               errors: tuple[int, ...] = ()) -> Callable[[F], F]:
    """OpenAPI metadata on a view; `/api/v1/openapi.json` is generated from it.

    `query` maps a parameter to its description, or to `(description, values)` where values
    is a tuple of the accepted words or `"date"`; `headers` are required request headers, each
    `(description, JSON schema)`."""

    def decorator(view: F) -> F:
        view._openapi = {  # type: ignore[attr-defined]
            "summary": summary, "body": body, "response": response, "status": status,
            "roles": roles, "list_of": list_of, "query": query or {}, "errors": errors,
            "headers": headers or {},
        }
        return view

    return decorator
