"""API bearer tokens: issued to a user, shown once, stored hashed, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from portal.db import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.models import ApiToken, User
from portal.services import audit

PREFIX = "prm_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(actor: User, user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """Create a token for `user`; the raw value is returned once and never stored."""
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise ValidationFailed("Token names are at most 100 characters.",
                               fields={"name": "At most 100 characters."})
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.issue", token, partner_id=user.partner_id,
                 summary=f"Issued API token {token.prefix}… ({name}) for {user.email}")
    return token, raw


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))


def revoke_token(actor: User, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens; another user's token id is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token, partner_id=user.partner_id,
                     summary=f"Revoked API token {token.prefix}… of {user.email}")
    return token


def authenticate(raw: str) -> User | None:
    """The user a bearer token acts as, or None (unknown, revoked, inactive user or partner)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # written with the request's commit; at most every 5 minutes
    return token.user
