"""Configuration: safe defaults, then the environment; `create_app(config)` overrides both."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # Server-side sessions (docs/security.md "Sessions"): absolute lifetime and idle timeout,
    # without and with "remember me"; last-seen is written at most every SESSION_TOUCH_SECONDS.
    "SESSION_LIFETIME_HOURS": 12,
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_REMEMBER_DAYS": 30,  # also the remember cookie's lifetime
    "SESSION_REMEMBER_IDLE_DAYS": 14,
    "SESSION_TOUCH_SECONDS": 300,
    "SESSION_KEEP_DAYS": 30,  # ended sessions are deleted after this many days
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead of a clock
    "BOOTSTRAP_SERVE_LOCAL": True,  # never a CDN: the portal works offline
    "PASSWORD_HASH_METHOD": "scrypt",
    # Log-in throttling (docs/security.md "throttling"): after LOGIN_SLOWDOWN_AFTER failures each
    # attempt waits LOGIN_SLOWDOWN_SECONDS, doubled per failure up to LOGIN_SLOWDOWN_MAX_SECONDS.
    "LOGIN_SLOWDOWN_AFTER": 3,  # failures before each further attempt must wait
    "LOGIN_SLOWDOWN_SECONDS": 1,
    "LOGIN_SLOWDOWN_MAX_SECONDS": 60,
    "LOGIN_LOCK_AFTER": 0,  # failures that lock a partner account (0: never; staff: never)
    "LOGIN_LOCK_MINUTES": 15,
    # Request limits (portal/limits.py), per client address unless named global; limit strings
    # as Flask-Limiter reads them ("10 per minute; 100 per hour"). Storage: memory:// is per
    # process (the demo, tests); set RATELIMIT_STORAGE_URI=redis://... for several workers.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STRATEGY": "moving-window",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # storage down: count per process, log it
    "RATELIMIT_LOGIN": "20 per minute; 200 per hour",  # log-in attempts (POST)
    "RATELIMIT_LOGIN_GLOBAL": "300 per minute",  # all log-in attempts together, whoever sends them
    "RATELIMIT_PASSWORD_RESET": "5 per minute; 20 per hour",  # "forgot password" requests (POST)
    "RATELIMIT_LINK_PAGES": "30 per minute; 200 per hour",  # reset and invitation link pages
    "RATELIMIT_APPLY": "30 per minute; 300 per hour",  # the public /apply page, shown or sent
    "RATELIMIT_APPLY_SUBMIT": "20 per hour",  # /apply sent (its own guard: APPLICATION_RATE_LIMIT)
    "RATELIMIT_API_AUTH_FAILURES": "20 per minute; 200 per hour",  # 401s of the JSON API
    "PROXY_FIX_HOPS": 0,  # proxies in front that set X-Forwarded-For/-Proto (0: trust none)
    "PASSWORD_RESET_HOURS": 2,
    "INVITATION_DAYS": 7,
    "MAIL_DEFAULT_SENDER": "Partner Portal <portal@localhost>",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "PORTAL_NAME": "Partner Portal",
    "PORTAL_BASE_URL": "http://127.0.0.1:5000",
    "PER_PAGE": 25,
    # Request bounds (docs/security.md "bounds", portal/request_guards.py): every body, form fields in
    # memory, multipart parts, JSON nesting; only the upload endpoints may send more (their views then
    # apply each file's own limit, e.g. imports 25 MB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    "MAX_FORM_PARTS": 1000,
    "MAX_JSON_DEPTH": 32,
    "UPLOAD_MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    "API_MAX_PER_PAGE": 200,
    # Campaigns and MDF (docs/campaigns.md): uploaded assets and proof files, default currency.
    "STORAGE_ROOT": None,  # uploaded files; default <instance>/uploads
    "CAMPAIGN_DEFAULT_CURRENCY": "EUR",
    "CAMPAIGN_ASSET_MAX_BYTES": 20 * 1024 * 1024,
    "CAMPAIGN_ASSET_TYPES": ("pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "pptx"),
    "MDF_PROOF_MAX_BYTES": 10 * 1024 * 1024,
    "MDF_PROOF_MAX_FILES": 10,
    "MDF_PROOF_TYPES": ("pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "pptx"),
    # Shared leads (docs/leads.md): follow-up clock, warning, cool-down, assignment deadline.
    "LEADS_FOLLOW_UP_DAYS": 7,
    "LEADS_WARNING_HOURS": 24,
    "LEADS_COOLDOWN_DAYS": 14,
    "LEADS_ASSIGNMENT_DAYS": 3,
    # Quotes (docs/quotes.md): extra discount a tier may approve itself (%), validity, warning.
    "QUOTE_SELF_APPROVAL_LIMITS": {"registered": "0", "silver": "2", "gold": "5", "platinum": "8"},
    "QUOTE_VALIDITY_DAYS": 30,
    "QUOTE_EXPIRY_WARNING_DAYS": 3,
    # Orders (docs/orders.md): Stripe client retries and webhook timestamp tolerance (seconds).
    "STRIPE_MAX_NETWORK_RETRIES": 1,
    "STRIPE_WEBHOOK_TOLERANCE": 300,  # either direction: older or later than now by this is refused
    "STRIPE_WEBHOOK_MAX_BYTES": 256 * 1024,  # a larger webhook body is a 413 before it is read
    # Partner onboarding (docs/onboarding.md): the public form's spam guard and region choices.
    "APPLICATION_MIN_FILL_SECONDS": 4,  # a form sent sooner after it was shown is a bot's
    "APPLICATION_FORM_MAX_HOURS": 12,  # an older form must be reloaded
    "APPLICATION_RATE_LIMIT": 5,  # submissions per IP address within the window
    "APPLICATION_RATE_WINDOW_MINUTES": 60,
    "APPLICATION_REGIONS": ("APAC", "EMEA", "LATAM", "NA"),  # older name of REGIONS (an alias)
    # Choice lists (portal/choices.py): sales regions of partners, leads and applications (None:
    # APPLICATION_REGIONS), and the currencies offered (None: every current ISO 4217 currency).
    "REGIONS": None,
    "CURRENCIES": None,
    # Deal registrations (docs/registrations.md): protection, one extension, expiry reminder (days).
    "REGISTRATION_PROTECTION_DAYS": 90,
    "REGISTRATION_MAX_PROTECTION_DAYS": 365,
    "REGISTRATION_EXTENSION_DAYS": 30,
    "REGISTRATION_REMINDER_DAYS": 14,
    # Periodic jobs (celery beat); features add theirs to this mapping.
    "CAMPAIGN_ATTRIBUTION_GRACE_DAYS": 30,  # days after a campaign ends that enrolled partners may still attribute
    "CAMPAIGN_PRICE_CACHE_SECONDS": 60,  # the catalog list's copy of campaign price rules
    # Second factor (docs/security.md "mfa"): roles that must enrol (empty: optional for all),
    # the pending second step's lifetime and tries, the per-user lock after repeated wrong codes.
    "MFA_REQUIRED_ROLES": ("admin", "partner_manager", "sales_ops"),
    "MFA_PENDING_SECONDS": 300,
    "MFA_MAX_TRIES": 5,
    "MFA_LOCK_AFTER": 10,
    "MFA_LOCK_MINUTES": 15,
    "MFA_ENCRYPTION_KEY": None,  # encrypts TOTP secrets; default: derived from SECRET_KEY
    "CELERY_BEAT_SCHEDULE": {
        "drain-outbox": {"task": "portal.drain_outbox", "schedule": 300.0},
        "registrations-expire": {"task": "registrations.expire", "schedule": 24 * 3600.0},
        "orders-retry-refunds": {"task": "orders.retry_refunds", "schedule": 600.0},
        "quotes-expire": {"task": "quotes.expire", "schedule": 24 * 3600.0},
        "leads-fall-back": {"task": "leads.fall_back", "schedule": 900.0},
        "sessions-prune": {"task": "portal.prune_sessions", "schedule": 24 * 3600.0},
    },
}

# Environment variables read as strings (CONTRACT.md "Application and configuration").
ENV_KEYS = (
    "SECRET_KEY", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "MAIL_SERVER",
    "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "PORTAL_BASE_URL", "PORTAL_NAME",
)
ENV_INTS = ("MAIL_PORT",)
ENV_INTS += ("REGISTRATION_PROTECTION_DAYS", "REGISTRATION_EXTENSION_DAYS", "REGISTRATION_REMINDER_DAYS")
ENV_INTS += ("LEADS_FOLLOW_UP_DAYS", "LEADS_WARNING_HOURS", "LEADS_COOLDOWN_DAYS", "LEADS_ASSIGNMENT_DAYS")
ENV_KEYS += ("STORAGE_ROOT", "CAMPAIGN_DEFAULT_CURRENCY")
ENV_INTS += ("CAMPAIGN_ASSET_MAX_BYTES", "MDF_PROOF_MAX_BYTES", "MDF_PROOF_MAX_FILES", "CAMPAIGN_ATTRIBUTION_GRACE_DAYS")
ENV_INTS += ("QUOTE_VALIDITY_DAYS", "QUOTE_EXPIRY_WARNING_DAYS")
ENV_INTS += ("APPLICATION_MIN_FILL_SECONDS", "APPLICATION_RATE_LIMIT", "APPLICATION_RATE_WINDOW_MINUTES")
ENV_BOOLS = ("MAIL_USE_TLS", "SESSION_COOKIE_SECURE")
ENV_KEYS += ("RATELIMIT_STORAGE_URI", "RATELIMIT_LOGIN", "RATELIMIT_LOGIN_GLOBAL", "RATELIMIT_PASSWORD_RESET",
             "RATELIMIT_LINK_PAGES", "RATELIMIT_APPLY", "RATELIMIT_APPLY_SUBMIT", "RATELIMIT_API_AUTH_FAILURES")
ENV_INTS += ("PROXY_FIX_HOPS", "LOGIN_SLOWDOWN_AFTER", "LOGIN_SLOWDOWN_MAX_SECONDS")
ENV_BOOLS += ("RATELIMIT_ENABLED",)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults, then the environment, then `overrides` (which win)."""
    cfg: dict[str, Any] = dict(DEFAULTS)
    env = os.environ
    for key in ENV_KEYS:
        if env.get(key):
            cfg[key] = env[key]
    for key in ENV_INTS:
        if env.get(key):
            cfg[key] = int(env[key])
    for key in ENV_BOOLS:
        if env.get(key):
            cfg[key] = _truthy(env[key])
    if env.get("DATABASE_URL"):
        cfg["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(env["DATABASE_URL"])
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'portal.sqlite3'}"
    if "MFA_REQUIRED_ROLES" in env:  # comma-separated roles; an empty value: optional for all
        cfg["MFA_REQUIRED_ROLES"] = tuple(r.strip() for r in env["MFA_REQUIRED_ROLES"].split(",") if r.strip())
    if env.get("MFA_ENCRYPTION_KEY"):
        cfg["MFA_ENCRYPTION_KEY"] = env["MFA_ENCRYPTION_KEY"]
    if overrides:
        cfg.update(overrides)
    cfg["REGIONS"] = tuple(cfg.get("REGIONS") or cfg["APPLICATION_REGIONS"])
    cfg["APPLICATION_REGIONS"] = cfg["REGIONS"]  # one list, under both names
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(cfg["SQLALCHEMY_DATABASE_URI"])
    secure = cfg["SESSION_COOKIE_SECURE"]
    cfg.setdefault("REMEMBER_COOKIE_SECURE", secure)
    cfg["REMEMBER_COOKIE_SECURE"] = secure
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance_path)
    return cfg


def normalise_db_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings; we drive psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _instance_secret(instance_path: str) -> str:
    """No SECRET_KEY in the environment: a random one kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
