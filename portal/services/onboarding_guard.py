"""The public application form's spam guard, with no third-party service.

Three layers: a honeypot field people never see (bots fill it), a signed timestamp in the form
(sent sooner than APPLICATION_MIN_FILL_SECONDS after it was shown: a bot; older than
APPLICATION_FORM_MAX_HOURS: reload), and a per-IP limit on submissions kept in the database
(APPLICATION_RATE_LIMIT within APPLICATION_RATE_WINDOW_MINUTES, accepted and caught ones alike).
"""
from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone
from math import ceil

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from portal.db import utcnow
from portal.errors import DomainError, ValidationFailed
from portal.extensions import db
from portal.models import ApplicationAttempt

TOKEN_SALT = "partner-application-form"
KEEP_ATTEMPTS = timedelta(days=2)


class SpamSuspected(DomainError):
    """The honeypot was filled or the form token is missing or forged."""

    status = 400
    code = "spam_suspected"


class TooFast(ValidationFailed):
    code = "form_sent_too_fast"


class FormExpired(ValidationFailed):
    code = "form_expired"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_form_token(now: datetime | None = None) -> str:
    """A signed token carrying the time the form was shown."""
    return _serializer().dumps({"t": int((now or utcnow()).timestamp())})


def check_rate_limit(ip: str, now: datetime | None = None) -> None:
    """Refuse an IP that already sent APPLICATION_RATE_LIMIT submissions within the window."""
    cfg = current_app.config
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        # One submission per IP at a time (until commit): parallel ones cannot all slip under.
        db.session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(ip.encode()))))
    window = timedelta(minutes=cfg["APPLICATION_RATE_WINDOW_MINUTES"])
    since = now - window
    count, oldest = db.session.execute(
        select(func.count(ApplicationAttempt.id), func.min(ApplicationAttempt.created_at))
        .where(ApplicationAttempt.ip == ip, ApplicationAttempt.created_at > since)).one()
    if count >= cfg["APPLICATION_RATE_LIMIT"]:
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        wait = max(1, ceil((oldest + window - now).total_seconds() / 60)) if oldest else 1
        raise RateLimited(
            f"Too many applications were sent from your network. Try again in about "
            f"{wait} minute{'s' if wait > 1 else ''}.")


def record_attempt(ip: str, outcome: str, now: datetime | None = None) -> None:
    """Count one submission from `ip`; attempts older than two days are dropped on the way."""
    now = now or utcnow()
    db.session.execute(delete(ApplicationAttempt).where(ApplicationAttempt.created_at < now - KEEP_ATTEMPTS))
    db.session.add(ApplicationAttempt(ip=ip, outcome=outcome, created_at=now))
    db.session.flush()


def check_submission(ip: str, form_token: str | None, honeypot: str | None,
                     now: datetime | None = None) -> None:
    """Raise when the submission looks automated; caught attempts are recorded (commit them)."""
    cfg = current_app.config
    now = now or utcnow()
    check_rate_limit(ip, now)
    if (honeypot or "").strip():
        record_attempt(ip, "spam", now)
        raise SpamSuspected("Your application could not be accepted. If you are a person, reload "
                            "the page and send the form again.")
    try:
        issued = int(_serializer().loads(form_token or "")["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        record_attempt(ip, "spam", now)
        raise SpamSuspected("The form's security token is missing or invalid. Reload the page and "
                            "send the form again.") from None
    age = now.timestamp() - issued
    if age < cfg["APPLICATION_MIN_FILL_SECONDS"]:
        record_attempt(ip, "spam", now)
        raise TooFast("That was very quick: please check your answers and send the form again.")
    if age > cfg["APPLICATION_FORM_MAX_HOURS"] * 3600:
        raise FormExpired("This form was open for too long. Check your answers and send it again.")
