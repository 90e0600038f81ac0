"""Second factor: TOTP enrolment and checks (±1 step, no replay), recovery codes, the
second-step throttle, switching a factor off (password) and an administrator's reset."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash

from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import User
from portal.models.mfa import Passkey, RecoveryCode, SecondFactor
from portal.services import audit, mail

STEP = 30  # seconds per TOTP code
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


class MfaError(DomainError):
    status = 422
    code = "second_factor_failed"


def warn(user: User, subject: str, body: str) -> None:
    """A security e-mail (sent after commit, through the outbox); it cannot be switched off."""
    mail.queue_email(user.email, subject, "second_factor", user=user, body=body)


# --- secrets at rest ------------------------------------------------------------------------

def _key_material() -> bytes:
    cfg = current_app.config
    return hashlib.sha256(b"portal-mfa:" + str(cfg.get("MFA_ENCRYPTION_KEY") or cfg["SECRET_KEY"]).encode()).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material()))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # the key changed: the factor must be reset by an admin
        raise MfaError("This second factor cannot be read any more; ask an administrator to reset it.",
                       code="second_factor_unreadable") from exc


def _code_hash(code: str) -> str:
    return hmac.new(_key_material(), normalise_recovery_code(code).encode(), hashlib.sha256).hexdigest()


# --- state ----------------------------------------------------------------------------------

def factor_of(user: User) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def factor_row(user: User) -> SecondFactor:
    factor = factor_of(user)
    if factor is None:
        factor = SecondFactor(user_id=user.id, failed_attempts=0)
        db.session.add(factor)
        db.session.flush()
    return factor


def passkey_count(user: User) -> int:
    return db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user.id)) or 0


def has_totp(user: User) -> bool:
    factor = factor_of(user)
    return factor is not None and factor.totp_enabled


def has_second_factor(user: User) -> bool:
    return has_totp(user) or passkey_count(user) > 0


def is_required(user: User) -> bool:
    return user.role in tuple(current_app.config.get("MFA_REQUIRED_ROLES") or ())


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


# --- TOTP -----------------------------------------------------------------------------------

def begin_totp(user: User) -> str:
    """A new secret, stored encrypted and not yet switched on; returns it for the QR code."""
    factor = factor_row(user)
    if factor.totp_enabled:
        raise MfaError("An authenticator app is already set up. Turn it off first to replace it.",
                       code="totp_already_enabled", status=409)
    secret = pyotp.random_base32()
    factor.totp_secret = _encrypt(secret)
    factor.totp_confirmed_at = None
    factor.totp_last_step = None
    db.session.flush()
    return secret


def pending_totp_secret(user: User) -> str | None:
    """The secret of an enrolment not confirmed yet (never once it is switched on)."""
    factor = factor_of(user)
    if factor is None or factor.totp_secret is None or factor.totp_confirmed_at is not None:
        return None
    return _decrypt(factor.totp_secret)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["PORTAL_NAME"])


def qr_svg(data: str) -> Markup:
    """An inline SVG QR code (no external service, no script)."""
    svg = segno.make(data, error="m").svg_inline(scale=5, dark="#212529", light="#ffffff",
                                                 title="QR code for your authenticator app")
    return Markup(svg)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):  # one step of clock drift either way
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Atomically move the last used step forward; False when this step (or a later one) was used."""
    result = db.session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == user.id,
               or_(SecondFactor.totp_last_step.is_(None), SecondFactor.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    return result.rowcount == 1


def confirm_totp(user: User, code: str, now: datetime | None = None, ip: str | None = None) -> list[str]:
    """Switch the pending secret on once a current code proves the app has it; returns the new
    recovery codes (shown once)."""
    now = now or utcnow()
    secret = pending_totp_secret(user)
    if secret is None:
        raise MfaError("Start the set-up again: no authenticator app is waiting for confirmation.",
                       code="totp_not_pending", status=409)
    step = _matching_step(secret, code, now)
    if step is None or not _claim_step(user, step):
        raise MfaError("That code is not valid. Enter the 6-digit code your app shows now.",
                       fields={"code": "That code is not valid. Enter the 6-digit code your app shows now."})
    factor = factor_row(user)
    factor.totp_confirmed_at = now
    audit.record(user, "mfa.totp_enabled", user, summary="Turned on an authenticator app", ip=ip)
    warn(user, "An authenticator app was added to your account",
         "Log-ins to your account now ask for a code from an authenticator app. If it was not you, "
         "change your password and contact your administrator now.")
    return regenerate_recovery_codes(user, ip=ip, initial=True)


def check_totp(user: User, code: str, now: datetime | None = None) -> bool:
    factor = factor_of(user)
    if factor is None or not factor.totp_enabled:
        return False
    step = _matching_step(_decrypt(factor.totp_secret or ""), code, now or utcnow())
    return step is not None and _claim_step(user, step)


# --- recovery codes -------------------------------------------------------------------------

def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def regenerate_recovery_codes(user: User, ip: str | None = None, initial: bool = False) -> list[str]:
    """Ten new single-use codes replace the old ones; only keyed hashes are stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    db.session.flush()
    if not initial:
        audit.record(user, "mfa.recovery_codes_regenerated", user, summary="New recovery codes", ip=ip)
    return codes


def use_recovery_code(user: User, code: str, now: datetime | None = None, ip: str | None = None) -> bool:
    """Spend one unused code (atomically, so two requests cannot both use it); audited, and the
    user is warned in the portal and by e-mail."""
    if len(normalise_recovery_code(code)) != 10:
        return False
    now = now or utcnow()
    result = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    left = remaining_recovery_codes(user)
    audit.record(user, "mfa.recovery_code_used", user, summary=f"Logged in with a recovery code ({left} left)", ip=ip)
    warn(user, "A recovery code was used to log in to your account",
         f"Someone logged in with one of your recovery codes ({left} left) from {ip or 'an unknown address'}. "
         "If it was not you, change your password and contact your administrator now.")
    return True


# --- the second step of log-in --------------------------------------------------------------

def verify_second_step(user: User, code: str, now: datetime | None = None, ip: str | None = None) -> str:
    """Check a TOTP or recovery code at log-in; returns the method used. Wrong codes are counted
    on the user: after MFA_LOCK_AFTER of them the second step is locked for MFA_LOCK_MINUTES."""
    now = now or utcnow()
    ensure_not_locked(user, now)
    if check_totp(user, code, now):
        method = "totp"
    elif use_recovery_code(user, code, now, ip=ip):
        method = "recovery_code"
    else:
        record_failure(user, now, ip=ip)
        raise MfaError("That code is not valid. Enter the current code from your app, or a recovery code.",
                       code="second_factor_invalid", status=401,
                       fields={"code": "That code is not valid."})
    record_success(user, method, ip=ip)
    return method


def ensure_not_locked(user: User, now: datetime) -> None:
    factor = factor_of(user)
    if factor is not None and factor.locked_until and now < factor.locked_until:
        raise MfaError(f"Too many wrong codes: the second step is locked until {factor.locked_until:%H:%M} UTC.",
                       code="second_factor_locked", status=429)


def record_failure(user: User, now: datetime, ip: str | None = None) -> None:
    factor = factor_row(user)
    db.session.execute(update(SecondFactor).where(SecondFactor.user_id == user.id)
                       .values(failed_attempts=SecondFactor.failed_attempts + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(factor)
    audit.record(user, "mfa.failed", user, summary="Wrong second-factor code at log-in", ip=ip)
    if factor.failed_attempts >= current_app.config["MFA_LOCK_AFTER"]:
        factor.locked_until = now + timedelta(minutes=current_app.config["MFA_LOCK_MINUTES"])
        factor.failed_attempts = 0
        audit.record(user, "mfa.locked", user, summary="Second step locked after repeated wrong codes", ip=ip)
    db.session.flush()


def record_success(user: User, method: str, ip: str | None = None) -> None:
    factor = factor_row(user)
    factor.failed_attempts = 0
    factor.locked_until = None
    audit.record(user, "mfa.verified", user, summary=f"Second factor passed ({method.replace('_', ' ')})", ip=ip)
    db.session.flush()


# --- switching off, administrator reset ------------------------------------------------------

def check_password(user: User, password: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise MfaError("This is not your current password.", code="password_wrong", status=403,
                       fields={"password": "This is not your current password."})


def after_removal(user: User, what: str, ip: str | None = None) -> None:
    """Recovery codes go with the last factor; the user is told in the portal and by e-mail."""
    if not has_second_factor(user):
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    warn(user, f"{what} was removed from your account",
         f"{what} was removed from your account. If it was not you, change your password "
         "and contact your administrator now.")


def refuse_last_factor(user: User, removing_totp: bool = False, removing_passkeys: int = 0) -> None:
    remaining = (0 if removing_totp else int(has_totp(user))) + passkey_count(user) - removing_passkeys
    if is_required(user) and remaining <= 0:
        raise MfaError("Your role requires a second factor: set up another one before removing this one.",
                       code="second_factor_required", status=409)


def disable_totp(user: User, password: str, ip: str | None = None) -> None:
    """Turn the authenticator app off; needs the account password."""
    check_password(user, password)
    if not has_totp(user):
        raise MfaError("No authenticator app is set up.", code="totp_not_enabled", status=409)
    refuse_last_factor(user, removing_totp=True)
    factor = factor_row(user)
    factor.totp_secret = None
    factor.totp_confirmed_at = None
    factor.totp_last_step = None
    audit.record(user, "mfa.totp_disabled", user, summary="Turned off the authenticator app", ip=ip)
    db.session.flush()
    after_removal(user, "The authenticator app", ip=ip)


def admin_reset(actor: User | None, user: User, ip: str | None = None) -> None:
    """An administrator (None: the command line) removes every second factor of a user who lost the device."""
    if actor is not None and actor.id == user.id:
        raise MfaError("Change your own second factor on your account page.", code="own_second_factor", status=409)
    if not has_second_factor(user) and remaining_recovery_codes(user) == 0:
        raise MfaError(f"{user.email} has no second factor to reset.", code="nothing_to_reset", status=409)
    before = {"totp": has_totp(user), "passkeys": passkey_count(user),
              "recovery_codes": remaining_recovery_codes(user)}
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.expire_all()
    audit.record(actor, "mfa.reset", user, before=before, after={"totp": False, "passkeys": 0, "recovery_codes": 0},
                 summary=f"Reset the second factor of {user.email}", ip=ip)
    warn(user, "An administrator reset your second factor",
         f"{actor.name if actor else 'An administrator'} removed the second factor from your account. "
         "Set up a new one on your account page.")
