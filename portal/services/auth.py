"""Passwords, log-in with a progressive slow-down, single-use links (reset and invitation)."""
from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value
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
    retry_after: int | None = None  # seconds, for a refused (429) attempt: the Retry-After header


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
    """Check a log-in; failed attempts are counted on the user (the caller commits them).

    Nobody can lock an account out at will: after LOGIN_SLOWDOWN_AFTER failures each further
    attempt must first wait LOGIN_SLOWDOWN_SECONDS, doubling with every failure up to
    LOGIN_SLOWDOWN_MAX_SECONDS; one that comes too early is refused at once ("wait N s"), its
    password unchecked. The user's row is locked while an attempt is decided and counted, so
    concurrent attempts are decided one after the other on the real count. A hard lock
    (LOGIN_LOCK_AFTER failures, LOGIN_LOCK_MINUTES) is off by default and never applies to staff."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        _burn_time(password)
        raise AuthError("Invalid e-mail or password.")
    user = _lock_row(user)
    if user.locked_until and now < user.locked_until and not user.is_staff:
        raise _refused(
            "Too many failed log-ins: this account is locked until "
            f"{user.locked_until:%H:%M} UTC. Try again then, or reset your password.",
            "account_locked", int((user.locked_until - now).total_seconds()) + 1)
    wait = seconds_to_wait(user.failed_logins, user.last_failed_login_at, now)
    if wait:
        raise _refused(f"Too many failed log-ins: wait {wait} s before trying again.",
                       "login_throttled", wait)
    if not check_password_hash(user.password_hash, password or ""):
        raise _count_failure(user, now, ip)
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


def seconds_to_wait(failures: int, last_failure: datetime | None, now: datetime) -> int:
    """How long the next attempt must still wait (0: it may go ahead), rounded up."""
    cfg = current_app.config
    free = cfg["LOGIN_SLOWDOWN_AFTER"]
    if failures < free or last_failure is None:
        return 0
    delay = min(cfg["LOGIN_SLOWDOWN_MAX_SECONDS"],
                cfg["LOGIN_SLOWDOWN_SECONDS"] * 2 ** min(failures - free, 32))
    left = (last_failure + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(left))


def _lock_row(user: User) -> User:
    """The user's row, re-read and locked (PostgreSQL: FOR NO KEY UPDATE, which rows that
    merely reference the user do not block) until the caller's transaction ends."""
    stmt = (select(User).where(User.id == user.id).with_for_update(key_share=True)
            .execution_options(populate_existing=True))
    return db.session.scalars(stmt).one()


def _count_failure(user: User, now: datetime, ip: str | None) -> AuthError:
    """Add one failure with a single UPDATE ... RETURNING (never a read-modify-write); the
    error to raise. With the optional hard lock on, a partner account may be locked."""
    cfg = current_app.config
    failures = db.session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1, last_failed_login_at=now)
        .returning(User.failed_logins).execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(user, "failed_logins", failures)
    set_committed_value(user, "last_failed_login_at", now)
    lock_after = cfg["LOGIN_LOCK_AFTER"]
    if lock_after and failures >= lock_after and not user.is_staff:
        user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        audit.record(user, "user.locked", user, summary="Locked after repeated failed log-ins", ip=ip)
        return _refused(
            f"Too many failed log-ins: this account is locked for {cfg['LOGIN_LOCK_MINUTES']} "
            "minutes. Reset your password or try again later.", "account_locked",
            cfg["LOGIN_LOCK_MINUTES"] * 60)
    return AuthError("Invalid e-mail or password.")


def _refused(message: str, code: str, retry_after: int) -> AuthError:
    exc = AuthError(message, code=code, status=429)
    exc.retry_after = max(1, retry_after)
    return exc


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
    """Set the password through a link, once: the link is claimed with one conditional UPDATE
    (still unused and unexpired), so of concurrent uses exactly one succeeds."""
    link = find_link(raw, purpose)
    if link is None:
        raise _link_invalid()
    check_password_rules(password)  # a refused password leaves the link usable
    now = utcnow()
    claimed = db.session.execute(
        update(AuthLink).where(AuthLink.id == link.id, AuthLink.used_at.is_(None),
                               AuthLink.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise _link_invalid()
    set_committed_value(link, "used_at", now)
    set_password(link.user, password)
    action = "user.password_reset" if purpose == "reset" else "user.invitation_accepted"
    audit.record(link.user, action, link.user, summary="Password set through an e-mailed link")
    return link.user


def _link_invalid() -> ValidationFailed:
    return ValidationFailed("This link has expired or was already used. Ask for a new one.",
                            code="link_invalid")


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
