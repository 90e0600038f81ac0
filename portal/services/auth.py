"""Passwords, log-in with slow-down and lock-out, one-time links (reset and invitation)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.db import utcnow
from portal.errors import DomainError, ValidationFailed
from portal.extensions import db
from portal.models import AuthLink, User
from portal.services import audit, mail

MIN_PASSWORD = 10
_DUMMY_HASH: dict[str, str] = {}


class AuthError(DomainError):
    status = 401
    code = "login_failed"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"Passwords need at least {MIN_PASSWORD} characters.",
                               fields={"password": f"At least {MIN_PASSWORD} characters."})


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.auth_version = (user.auth_version or 0) + 1  # other sessions are logged out
    user.failed_logins = 0
    user.locked_until = None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def authenticate(email: str, password: str, now: datetime | None = None,
                 ip: str | None = None) -> User:
    """Check a log-in. Failed attempts are counted on the user (the caller commits them):
    after LOGIN_SLOWDOWN_AFTER failures each attempt must wait longer (1 s, 2 s, 4 s ... up to a
    minute); after LOGIN_LOCK_AFTER the account is locked for LOGIN_LOCK_MINUTES."""
    cfg = current_app.config
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        _burn_time(password)
        raise AuthError("Invalid e-mail or password.")
    if user.locked_until and now < user.locked_until:
        raise AuthError(
            "Too many failed log-ins: this account is locked until "
            f"{user.locked_until:%H:%M} UTC. Try again then, or reset your password.",
            code="account_locked", status=429)
    slow_after = cfg["LOGIN_SLOWDOWN_AFTER"]
    if user.failed_logins >= slow_after and user.last_failed_login_at:
        wait = min(60, 2 ** (user.failed_logins - slow_after))
        ready = user.last_failed_login_at + timedelta(seconds=wait)
        if now < ready:
            seconds = max(1, int((ready - now).total_seconds() + 0.999))
            raise AuthError(f"Too many failed log-ins: wait {seconds} s before trying again.",
                            code="login_throttled", status=429)
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins += 1
        user.last_failed_login_at = now
        if user.failed_logins >= cfg["LOGIN_LOCK_AFTER"]:
            user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record(user, "user.locked", user, summary="Locked after repeated failed log-ins", ip=ip)
            raise AuthError(
                f"Too many failed log-ins: this account is locked for {cfg['LOGIN_LOCK_MINUTES']} "
                "minutes. Reset your password or try again later.", code="account_locked", status=429)
        raise AuthError("Invalid e-mail or password.")
    if not user.active:
        raise AuthError("This account has been deactivated. Contact your administrator.",
                        code="account_inactive", status=403)
    if user.partner is not None and user.partner.status != "active":
        raise AuthError("Your partner account is suspended. Contact your partner manager.",
                        code="partner_suspended", status=403)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(user, "user.login", user, summary="Logged in", ip=ip)
    return user


def _burn_time(password: str) -> None:
    """Hash anyway, so an unknown e-mail takes as long as a wrong password."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    check_password_hash(_DUMMY_HASH[method], password or "")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_link(user: User, purpose: str) -> str:
    """A new single-use link; earlier unused links of the same purpose stop working."""
    hours = (current_app.config["PASSWORD_RESET_HOURS"] if purpose == "reset"
             else 24 * current_app.config["INVITATION_DAYS"])
    now = utcnow()
    db.session.execute(update(AuthLink).where(
        AuthLink.user_id == user.id, AuthLink.purpose == purpose, AuthLink.used_at.is_(None)
    ).values(used_at=now))
    raw = secrets.token_urlsafe(32)
    db.session.add(AuthLink(user_id=user.id, purpose=purpose, token_hash=_digest(raw),
                            expires_at=now + timedelta(hours=hours)))
    db.session.flush()
    return raw


def find_link(raw: str, purpose: str, now: datetime | None = None) -> AuthLink | None:
    link = db.session.scalar(select(AuthLink).where(AuthLink.token_hash == _digest(raw or ""),
                                                    AuthLink.purpose == purpose))
    now = now or utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def use_link(raw: str, purpose: str, password: str) -> User:
    link = find_link(raw, purpose)
    if link is None:
        raise ValidationFailed("This link has expired or was already used. Ask for a new one.",
                               code="link_invalid")
    set_password(link.user, password)
    link.used_at = utcnow()
    action = "user.password_reset" if purpose == "reset" else "user.invitation_accepted"
    audit.record(link.user, action, link.user, summary="Password set through an e-mailed link")
    return link.user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; the answer never says whether it does."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    raw = create_link(user, "reset")
    mail.queue_email(user.email, "Reset your password", "password_reset", user=user,
                     link=_external("auth.reset_password", raw),
                     hours=current_app.config["PASSWORD_RESET_HOURS"])


def send_invitation(user: User, inviter: User | None) -> None:
    raw = create_link(user, "invite")
    mail.queue_email(user.email, f"You are invited to the {current_app.config['PORTAL_NAME']}",
                     "invitation", user=user, inviter=inviter,
                     link=_external("auth.accept_invitation", raw),
                     days=current_app.config["INVITATION_DAYS"])


def _external(endpoint: str, token: str) -> str:
    """An absolute link for an e-mail, built without a request (jobs send these too)."""
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, {"token": token})
