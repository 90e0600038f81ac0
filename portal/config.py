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
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead of a clock
    "BOOTSTRAP_SERVE_LOCAL": True,  # never a CDN: the portal works offline
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_SLOWDOWN_AFTER": 3,  # failures before each further attempt must wait
    "LOGIN_LOCK_AFTER": 10,  # failures that lock the account
    "LOGIN_LOCK_MINUTES": 15,
    "PASSWORD_RESET_HOURS": 2,
    "INVITATION_DAYS": 7,
    "MAIL_DEFAULT_SENDER": "Partner Portal <portal@localhost>",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "PORTAL_NAME": "Partner Portal",
    "PORTAL_BASE_URL": "http://127.0.0.1:5000",
    "PER_PAGE": 25,
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,  # uploads: imports allow 25 MB files
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
    "STRIPE_WEBHOOK_TOLERANCE": 300,
    # Partner onboarding (docs/onboarding.md): the public form's spam guard and region choices.
    "APPLICATION_MIN_FILL_SECONDS": 4,  # a form sent sooner after it was shown is a bot's
    "APPLICATION_FORM_MAX_HOURS": 12,  # an older form must be reloaded
    "APPLICATION_RATE_LIMIT": 5,  # submissions per IP address within the window
    "APPLICATION_RATE_WINDOW_MINUTES": 60,
    "APPLICATION_REGIONS": ("APAC", "EMEA", "LATAM", "NA"),
    # Deal registrations (docs/registrations.md): protection, one extension, expiry reminder (days).
    "REGISTRATION_PROTECTION_DAYS": 90,
    "REGISTRATION_MAX_PROTECTION_DAYS": 365,
    "REGISTRATION_EXTENSION_DAYS": 30,
    "REGISTRATION_REMINDER_DAYS": 14,
    # Periodic jobs (celery beat); features add theirs to this mapping.
    "CAMPAIGN_ATTRIBUTION_GRACE_DAYS": 30,  # days after a campaign ends that enrolled partners may still attribute
    "CAMPAIGN_PRICE_CACHE_SECONDS": 60,  # the catalog list's copy of campaign price rules
    "CELERY_BEAT_SCHEDULE": {
        "drain-outbox": {"task": "portal.drain_outbox", "schedule": 300.0},
        "registrations-expire": {"task": "registrations.expire", "schedule": 24 * 3600.0},
        "orders-retry-refunds": {"task": "orders.retry_refunds", "schedule": 600.0},
        "quotes-expire": {"task": "quotes.expire", "schedule": 24 * 3600.0},
        "leads-fall-back": {"task": "leads.fall_back", "schedule": 900.0},
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
    if overrides:
        cfg.update(overrides)
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
