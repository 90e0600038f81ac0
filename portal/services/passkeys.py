"""Passkeys (WebAuthn, py_webauthn): register on the account page, use as the second step."""
from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.db import utcnow
from portal.extensions import db
from portal.models import User
from portal.models.mfa import Passkey
from portal.services import audit
from portal.services.mfa import MfaError, after_removal, check_password, factor_row, refuse_last_factor, warn

MAX_PASSKEYS = 10
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def relying_party() -> tuple[str, str]:
    """(rp id, expected origin), both from PORTAL_BASE_URL."""
    parts = urlsplit(current_app.config["PORTAL_BASE_URL"])
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def unavailable_reason() -> str | None:
    """Why passkeys cannot work at this address, or None. Browsers refuse an IP address as the
    relying party (the demo's default http://127.0.0.1:5000)."""
    rp_id, _ = relying_party()
    try:
        ipaddress.ip_address(rp_id.strip("[]"))
    except ValueError:
        return None
    port = urlsplit(current_app.config["PORTAL_BASE_URL"]).port
    local = f"http://localhost{':' + str(port) if port else ''}"
    return (f"Passkeys need the portal to have a host name, and its address ({rp_id}) is an IP address. "
            f"Set PORTAL_BASE_URL to a name (for the demo: {local}) and open the portal there.")


def user_passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id),
                                          transports=[AuthenticatorTransport(t) for t in p.transports.split() if t in _TRANSPORTS] or None)
            for p in user_passkeys(user)]


def registration_options(user: User) -> tuple[str, str]:
    """Options for navigator.credentials.create() as JSON, and the challenge (base64url) to keep."""
    if len(user_passkeys(user)) >= MAX_PASSKEYS:
        raise MfaError(f"You already have {MAX_PASSKEYS} passkeys; remove one first.", code="too_many_passkeys",
                       status=409)
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=current_app.config["PORTAL_NAME"], user_name=user.email,
        user_id=f"portal-user-{user.id}".encode(), user_display_name=user.name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(user: User, credential: Any, challenge: str, name: str, ip: str | None = None) -> Passkey:
    """Check the browser's registration response against the challenge we issued and store the key."""
    name = (name or "").strip() or "Passkey"
    if len(name) > 100:
        raise MfaError("A passkey name has at most 100 characters.", fields={"name": "At most 100 characters."})
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(credential=_as_json(credential), expected_challenge=base64url_to_bytes(challenge),
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (InvalidRegistrationResponse, WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise MfaError(f"The passkey could not be registered: {exc}", code="passkey_invalid") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise MfaError("This passkey is already registered.", code="passkey_exists", status=409)
    transports = [t for t in (_as_dict(credential).get("response", {}).get("transports") or []) if t in _TRANSPORTS]
    passkey = Passkey(user_id=user.id, name=name, credential_id=credential_id,
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      transports=" ".join(transports))
    db.session.add(passkey)
    factor_row(user)  # the second-step throttle lives there
    db.session.flush()
    audit.record(user, "mfa.passkey_added", user, summary=f"Added the passkey {name!r}", ip=ip)
    warn(user, "A passkey was added to your account",
         f"The passkey {name!r} can now be used to log in to your account. If it was not you, "
         "change your password and contact your administrator now.")
    return passkey


def authentication_options(user: User) -> tuple[str, str]:
    rp_id, _ = relying_party()
    options = generate_authentication_options(rp_id=rp_id, allow_credentials=_descriptors(user),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(user: User, credential: Any, challenge: str) -> Passkey:
    """Check an assertion from one of the user's own passkeys; the signature counter must grow."""
    data = _as_dict(credential)
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id,
                                                      Passkey.credential_id == str(data.get("id") or data.get("rawId") or "")))
    if passkey is None:
        raise MfaError("This passkey is not registered for your account.", code="passkey_unknown", status=401)
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=_as_json(credential), expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except (InvalidAuthenticationResponse, WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise MfaError(f"The passkey was not accepted: {exc}", code="passkey_invalid", status=401) from exc
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    db.session.flush()
    return passkey


def remove_passkey(user: User, passkey_id: int, password: str, ip: str | None = None) -> None:
    """Remove one of the user's own passkeys (another user's id reads as missing); needs the password."""
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise MfaError("No such passkey.", code="not_found", status=404)
    check_password(user, password)
    refuse_last_factor(user, removing_passkeys=1)
    name = passkey.name
    db.session.delete(passkey)
    db.session.flush()
    audit.record(user, "mfa.passkey_removed", user, summary=f"Removed the passkey {name!r}", ip=ip)
    after_removal(user, f"The passkey {name!r}", ip=ip)


def _as_dict(credential: Any) -> dict:
    if isinstance(credential, dict):
        return credential
    try:
        value = json.loads(credential)
    except (TypeError, ValueError) as exc:
        raise MfaError("The passkey response is not valid JSON.", code="passkey_invalid", status=400) from exc
    if not isinstance(value, dict):
        raise MfaError("The passkey response is not valid JSON.", code="passkey_invalid", status=400)
    return value


def _as_json(credential: Any) -> str:
    return json.dumps(_as_dict(credential))
