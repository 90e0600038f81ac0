"""The second step of log-in (`/login/verify`): after a correct password, a user with a second
factor proves it with a code, a recovery code or a passkey; only then is `login_user` called.

The pending state lives in the signed session for MFA_PENDING_SECONDS; after MFA_MAX_TRIES wrong
codes it is dropped and the user starts again at the password. Wrong codes also count on the user
(a replayed cookie gets no fresh tries): after MFA_LOCK_AFTER the second step locks for a while."""
from __future__ import annotations

import time
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from portal.db import utcnow
from portal.extensions import db
from portal.models import User
from portal.services import mfa, passkeys
from portal.views.mfa import bp
from portal.views.mfa_forms import VerifyForm

PENDING = "mfa_pending"


def second_step_needed(user: User) -> bool:
    return mfa.has_second_factor(user)


def start(user: User, remember: bool, next_url: str) -> Response:
    """Remember who passed the password step (not logged in yet) and ask for the second factor.
    `next_url` is already checked to be a same-site path."""
    session[PENDING] = {"uid": user.id, "ver": user.auth_version, "remember": bool(remember),
                        "next": next_url, "exp": int(time.time()) + int(current_app.config["MFA_PENDING_SECONDS"]),
                        "tries": 0}
    return redirect(url_for("mfa.verify"))


def _pending() -> tuple[dict[str, Any], User] | None:
    state = session.get(PENDING)
    if not isinstance(state, dict) or int(state.get("exp", 0)) < time.time():
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state.get("uid"))
    if user is None or user.auth_version != state.get("ver") or not user.is_active:
        session.pop(PENDING, None)
        return None
    return state, user


def _expired() -> Response:
    flash("Your log-in has expired: enter your password again.", "info")
    return redirect(url_for("auth.login"))


def _finish(state: dict[str, Any], user: User) -> str:
    session.pop(PENDING, None)
    login_user(user, remember=state.get("remember", False))
    return state.get("next") or url_for("dashboard.index")


def _failed(state: dict[str, Any], exc: mfa.MfaError) -> str | None:
    """Count a wrong answer in the pending state; the message to show, or None when the user
    must start again at the password step."""
    if exc.code == "second_factor_locked":
        session.pop(PENDING, None)
        flash(exc.message, "danger")
        return None
    state["tries"] = int(state.get("tries", 0)) + 1
    if state["tries"] >= int(current_app.config["MFA_MAX_TRIES"]):
        session.pop(PENDING, None)
        flash("Too many wrong codes: log in again with your password.", "danger")
        return None
    session[PENDING] = state
    left = int(current_app.config["MFA_MAX_TRIES"]) - state["tries"]
    return f"{exc.message} {left} {'try' if left == 1 else 'tries'} left."


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    pending = _pending()
    if pending is None:
        return _expired()
    state, user = pending
    form = VerifyForm()
    status = 200
    if form.validate_on_submit():
        try:
            method = mfa.verify_second_step(user, form.code.data, ip=request.remote_addr)
        except mfa.MfaError as exc:
            db.session.commit()  # keep the failure count and its audit entry
            message = _failed(state, exc)
            if message is None:
                return redirect(url_for("auth.login"))
            form.code.errors = [message]
            status = exc.status
        else:
            db.session.commit()
            target = _finish(state, user)
            if method == "recovery_code":  # after login_user, which starts a fresh session
                left = mfa.remaining_recovery_codes(user)
                flash(f"You logged in with a recovery code; {left} left. We have e-mailed you about it. "
                      "Make new codes on your Second factor page if you are running low.", "warning")
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render_template("portal/mfa_verify.html", form=form, user=user, totp_on=mfa.has_totp(user),
                           passkey_count=mfa.passkey_count(user)), status


@bp.post("/login/verify/passkey/options")
def verify_passkey_options():
    pending = _pending()
    if pending is None:
        return jsonify(error={"code": "login_expired", "message": "Your log-in has expired: enter your password again.",
                              "redirect": url_for("auth.login")}), 401
    state, user = pending
    options, challenge = passkeys.authentication_options(user)
    state["challenge"] = challenge
    session[PENDING] = state
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/login/verify/passkey")
def verify_passkey():
    pending = _pending()
    if pending is None:
        return jsonify(error={"code": "login_expired", "message": "Your log-in has expired: enter your password again.",
                              "redirect": url_for("auth.login")}), 401
    state, user = pending
    body = request.get_json(silent=True)
    challenge = state.pop("challenge", None)
    session[PENDING] = state  # a challenge is used once
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        return jsonify(error={"code": "malformed_request", "message": "Send the passkey response as JSON."}), 400
    if challenge is None:
        return jsonify(error={"code": "passkey_no_challenge", "message": "Start the passkey check again."}), 409
    try:
        mfa.ensure_not_locked(user, utcnow())
        passkeys.authenticate(user, body["credential"], challenge)
    except mfa.MfaError as exc:
        db.session.rollback()
        if exc.code != "second_factor_locked":
            mfa.record_failure(user, utcnow(), ip=request.remote_addr)
            db.session.commit()
        message = _failed(state, exc)
        if message is None:
            return jsonify(error={"code": exc.code, "message": "Log in again with your password.",
                                  "redirect": url_for("auth.login")}), 401
        return jsonify(error={"code": exc.code, "message": message}), exc.status
    mfa.record_success(user, "passkey", ip=request.remote_addr)
    db.session.commit()
    return jsonify(redirect=_finish(state, user))


@bp.post("/login/verify/cancel")
def verify_cancel():
    session.pop(PENDING, None)
    return redirect(url_for("auth.login"))
