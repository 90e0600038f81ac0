"""Request limits (Flask-Limiter): per client address on the public pages that take guesses or
send e-mail, one cap on all log-in attempts together, and one on failed API token checks.

The limits live in one table (`RULES`) naming endpoints, so a reader sees them all at once;
their values are settings read on every request (`RATELIMIT_*`, docs/security.md "throttling"),
so tests set small ones. `RATELIMIT_ENABLED` is read on every request too: a test (or an
operator) can switch the limits off without building another app. Counts are kept in
`RATELIMIT_STORAGE_URI` (memory:// per process by default; redis://... shared by all workers).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.errors import json_error, wants_json

EXTENSION = "portal.limiter"


@dataclass(frozen=True)
class Rule:
    """One limit: its setting, the endpoints that share its count, and who is counted."""

    setting: str
    endpoints: tuple[str, ...]
    methods: tuple[str, ...] | None  # None: every method
    message: str  # "{wait}" becomes "12 s"
    everyone: bool = False  # one count for all clients instead of one per address


RULES = (
    Rule("RATELIMIT_LOGIN", ("auth.login",), ("POST",),
         "Too many log-in attempts from your network: try again in {wait}."),
    Rule("RATELIMIT_LOGIN_GLOBAL", ("auth.login",), ("POST",),
         "The portal is receiving too many log-in attempts right now: try again in {wait}.",
         everyone=True),
    Rule("RATELIMIT_PASSWORD_RESET", ("auth.forgot_password",), ("POST",),
         "Too many password reset requests from your network: try again in {wait}."),
    Rule("RATELIMIT_LINK_PAGES", ("auth.reset_password", "auth.accept_invitation"), None,
         "Too many requests for e-mailed links from your network: try again in {wait}."),
    Rule("RATELIMIT_APPLY", ("apply.form", "apply.submit"), None,
         "Too many requests for the application form from your network: try again in {wait}."),
    Rule("RATELIMIT_APPLY_SUBMIT", ("apply.submit",), ("POST",),
         "Too many applications sent from your network: try again in {wait}."),
)
API_AUTH_MESSAGE = ("Too many requests with a missing or invalid token from your address: "
                    "try again in {wait}.")


def client_address() -> str:
    """The address limits count by: the peer, or with PROXY_FIX_HOPS the client the trusted
    proxies name in X-Forwarded-For (ProxyFix has set `remote_addr` from it)."""
    return request.remote_addr or "unknown"


def _everyone() -> str:
    return "everyone"


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _disabled() -> bool:
    return not current_app.config.get("RATELIMIT_ENABLED", True)


def _api_auth_exempt() -> bool:
    return not request.path.startswith("/api/")


def _unauthorized(response) -> bool:
    return response.status_code == 401


def init_app(app: Flask) -> Limiter:
    """Trust the configured proxies, build this app's limiter and wrap the limited endpoints
    (after the blueprints are registered: every endpoint in RULES must exist)."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    api_auth = ApplicationLimit(
        limit_provider=_setting("RATELIMIT_API_AUTH_FAILURES"), key_function=client_address,
        scope="api-auth", exempt_when=_api_auth_exempt, deduct_when=_unauthorized,
        error_message=API_AUTH_MESSAGE)
    limiter = Limiter(client_address, application_limits=[api_auth],
                      key_prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "portal")
    enabled = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True  # Flask-Limiter always installs its hooks ...
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = enabled  # ... and `_disabled` reads the setting per request
    limiter.request_filter(_disabled)
    for rule in RULES:
        scope = rule.setting.removeprefix("RATELIMIT_").lower()
        decorate = limiter.shared_limit(
            _setting(rule.setting), scope, key_func=_everyone if rule.everyone else client_address,
            methods=list(rule.methods) if rule.methods else None, error_message=rule.message)
        for endpoint in rule.endpoints:
            if endpoint not in app.view_functions:
                raise RuntimeError(f"Request limit {rule.setting} names an unknown endpoint {endpoint}.")
            app.view_functions[endpoint] = decorate(app.view_functions[endpoint])
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions[EXTENSION] = limiter
    return limiter


def reset(app: Flask) -> None:
    """Forget every count (tests; an operator after a false alarm)."""
    app.extensions[EXTENSION].reset()


def retry_after() -> int:
    """Seconds until the limit this request broke lets a request through again."""
    limit = current_app.extensions[EXTENSION].current_limit
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def _too_many(exc: RateLimitExceeded):
    """429 with Retry-After: JSON for the API, the log-in or reset form with the message above
    it (input kept), the error page elsewhere."""
    from portal.forms import ForgotPasswordForm, LoginForm

    wait = retry_after()
    message = (exc.description or "Too many requests: try again in {wait}.").format(wait=f"{wait} s")
    if wants_json():
        response = json_error(429, "rate_limited", message)
    elif request.endpoint in ("auth.login", "auth.forgot_password"):
        form = LoginForm() if request.endpoint == "auth.login" else ForgotPasswordForm()
        form.form_errors.append(message)
        template = "auth/login.html" if request.endpoint == "auth.login" else "auth/forgot.html"
        response = current_app.make_response((render_template(template, form=form), 429))
    else:
        response = current_app.make_response(
            (render_template("errors/error.html", status=429, message=message), 429))
    response.headers["Retry-After"] = str(wait)
    return response
