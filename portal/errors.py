"""Domain errors, and the HTML and JSON error responses (JSON under /api/)."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
    500: "internal_error",
}
HTTP_MESSAGES = {
    400: "The request is malformed.",
    401: "Authentication is required: send a valid bearer token.",
    403: "Your role does not allow this action.",
    404: "Not found.",
    405: "This method is not allowed here.",
    409: "This action conflicts with the object's current state.",
    413: "The request is too large.",
    500: "Something went wrong on our side; the error has been logged.",
}


class DomainError(Exception):
    """A business rule was broken; services raise subclasses, views map them to responses."""

    status = 422
    code = "unprocessable"

    def __init__(self, message: str, *, code: str | None = None,
                 fields: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class Malformed(DomainError):
    status = 400
    code = "malformed_request"


class StateConflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path.startswith("/webhooks/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def json_error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Any:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def register_error_handlers(app: Flask) -> None:
    from portal import request_guards  # it raises the errors defined here

    request_guards.init_app(app)  # size, JSON depth and NUL checks before any view

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        from portal.extensions import db

        db.session.rollback()
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields)
        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = ("The form's security token (CSRF) is missing or expired. Reload the page and "
                   "send the form again.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            message = HTTP_MESSAGES.get(status) or exc.description or "Error."
            if status in (400, 413) and exc.description and "browser" not in exc.description:
                message = exc.description
            response = json_error(status, HTTP_CODES.get(status, "error"), message)
            if status == 405 and exc.get_response().headers.get("Allow"):
                response.headers["Allow"] = exc.get_response().headers["Allow"]
            return response
        return render_template("errors/error.html", status=status,
                               message=HTTP_MESSAGES.get(status, exc.description)), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from portal.extensions import db

        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_UNHANDLED"):
            raise exc
        if wants_json():
            return json_error(500, "internal_error", HTTP_MESSAGES[500])
        return render_template("errors/error.html", status=500, message=HTTP_MESSAGES[500]), 500
