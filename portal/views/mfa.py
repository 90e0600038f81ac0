"""Second-factor pages: the account's "Second factor" page (authenticator app, recovery codes,
passkeys), enrolment enforced for MFA_REQUIRED_ROLES, an administrator's reset, `flask mfa reset`.
The log-in's second step is in `portal/views/mfa_login.py`."""
from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.errors import wants_json
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.models import User
from portal.permissions import login_required, roles_required
from portal.services import auth, mfa, passkeys
from portal.views.mfa_forms import ConfirmTotpForm, PasswordForm

bp = Blueprint("mfa", __name__, cli_group="mfa")

# What a user who must enrol may still open before any other page.
ENROLMENT_ENDPOINTS = {"static", "bootstrap.static", "auth.logout", "mfa.settings", "mfa.totp_start",
                       "mfa.totp_enrol", "mfa.totp_confirm", "mfa.passkey_options", "mfa.passkey_register"}
REG_CHALLENGE = "mfa_passkey_registration"


@bp.before_app_request
def _require_enrolment():
    """A user of a role in MFA_REQUIRED_ROLES without a second factor enrols first (HTML only:
    the API authenticates by bearer token and is unaffected)."""
    if request.path.startswith("/api/") or request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    user = g.get("impersonator") or current_user
    if not user.is_authenticated or not mfa.is_required(user) or mfa.has_second_factor(user):
        return None
    if wants_json():
        return jsonify(error={"code": "second_factor_required",
                              "message": "Set up a second factor on your account page first."}), 403
    flash("Your role requires a second factor: set one up to continue.", "warning")
    return redirect(url_for("mfa.settings"))


def _settings_page(password_form: PasswordForm | None = None, status: int = 200, form_for: str | None = None):
    factor = mfa.factor_of(current_user)
    return render_template(
        "portal/mfa_settings.html", factor=factor, totp_on=mfa.has_totp(current_user),
        pending=mfa.pending_totp_secret(current_user) is not None, required=mfa.is_required(current_user),
        recovery_left=mfa.remaining_recovery_codes(current_user), passkeys=passkeys.user_passkeys(current_user),
        passkeys_unavailable=passkeys.unavailable_reason(),
        password_form=password_form or PasswordForm(), form_for=form_for,
        has_factor=mfa.has_second_factor(current_user)), status


@bp.get("/account/second-factor")
@login_required
def settings():
    return _settings_page()


@bp.post("/account/second-factor/totp")
@login_required
def totp_start():
    try:
        mfa.begin_totp(current_user)
    except mfa.MfaError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("mfa.settings"))
    db.session.commit()
    return redirect(url_for("mfa.totp_enrol"))


def _enrol_page(form: ConfirmTotpForm, status: int = 200):
    secret = mfa.pending_totp_secret(current_user)
    if secret is None:
        flash("Start the set-up of an authenticator app here.", "info")
        return redirect(url_for("mfa.settings"))
    uri = mfa.provisioning_uri(current_user, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("portal/mfa_enrol.html", form=form, qr=mfa.qr_svg(uri), secret=grouped), status


@bp.get("/account/second-factor/totp")
@login_required
def totp_enrol():
    return _enrol_page(ConfirmTotpForm())


@bp.post("/account/second-factor/totp/confirm")
@login_required
def totp_confirm():
    form = ConfirmTotpForm()
    if not form.validate_on_submit():
        return _enrol_page(form, 400)
    try:
        codes = mfa.confirm_totp(current_user, form.code.data, ip=request.remote_addr)
    except mfa.MfaError as exc:
        if exc.code == "totp_not_pending":
            flash(exc.message, "warning")
            return redirect(url_for("mfa.settings"))
        apply_domain_error(form, exc)
        return _enrol_page(form, exc.status)
    db.session.commit()
    flash("The authenticator app is on: log-ins now ask for a code.", "success")
    return render_template("portal/mfa_recovery_codes.html", codes=codes, first=True)


@bp.post("/account/second-factor/totp/disable")
@login_required
def totp_disable():
    form = PasswordForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400, "totp")
    try:
        mfa.disable_totp(current_user, form.password.data, ip=request.remote_addr)
    except mfa.MfaError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _settings_page(form, exc.status, "totp")
    db.session.commit()
    flash("The authenticator app is turned off.", "success")
    return redirect(url_for("mfa.settings"))


@bp.post("/account/second-factor/recovery-codes")
@login_required
def recovery_codes():
    form = PasswordForm()
    if not mfa.has_second_factor(current_user):
        flash("Set up a second factor first: recovery codes come with it.", "warning")
        return redirect(url_for("mfa.settings"))
    if not form.validate_on_submit():
        return _settings_page(form, 400, "recovery")
    try:
        mfa.check_password(current_user, form.password.data)
    except mfa.MfaError as exc:
        apply_domain_error(form, exc)
        return _settings_page(form, exc.status, "recovery")
    codes = mfa.regenerate_recovery_codes(current_user, ip=request.remote_addr)
    db.session.commit()
    return render_template("portal/mfa_recovery_codes.html", codes=codes, first=False)


@bp.post("/account/second-factor/passkeys/options")
@login_required
def passkey_options():
    try:
        options, challenge = passkeys.registration_options(current_user)
    except mfa.MfaError as exc:
        return jsonify(error={"code": exc.code, "message": exc.message}), exc.status
    session[REG_CHALLENGE] = challenge
    return current_app.response_class(options, mimetype="application/json")  # py_webauthn's own JSON


@bp.post("/account/second-factor/passkeys")
@login_required
def passkey_register():
    body = request.get_json(silent=True)
    challenge = session.pop(REG_CHALLENGE, None)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        return jsonify(error={"code": "malformed_request", "message": "Send the passkey response as JSON."}), 400
    if challenge is None:
        return jsonify(error={"code": "passkey_no_challenge",
                              "message": "The passkey set-up expired; start it again."}), 409
    try:
        passkey = passkeys.register(current_user, body["credential"], challenge, str(body.get("name") or ""),
                                    ip=request.remote_addr)
    except mfa.MfaError as exc:
        db.session.rollback()
        return jsonify(error={"code": exc.code, "message": exc.message, "fields": exc.fields}), exc.status
    first = not mfa.remaining_recovery_codes(current_user)
    codes = mfa.regenerate_recovery_codes(current_user, ip=request.remote_addr, initial=True) if first else []
    db.session.commit()
    if codes:  # first factor: the recovery codes are shown once, on the next page
        session["mfa_new_codes"] = codes
    flash(f"The passkey {passkey.name!r} is registered.", "success")
    return jsonify(id=passkey.id, name=passkey.name,
                   redirect=url_for("mfa.new_codes" if codes else "mfa.settings")), 201


@bp.get("/account/second-factor/recovery-codes")
@login_required
def new_codes():
    codes = session.pop("mfa_new_codes", None)
    if not codes:
        return redirect(url_for("mfa.settings"))
    return render_template("portal/mfa_recovery_codes.html", codes=codes, first=True)


@bp.post("/account/second-factor/passkeys/<id:passkey_id>/remove")
@login_required
def passkey_remove(passkey_id: int):
    form = PasswordForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400, f"passkey-{passkey_id}")
    try:
        passkeys.remove_passkey(current_user, passkey_id, form.password.data, ip=request.remote_addr)
    except mfa.MfaError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        apply_domain_error(form, exc)
        return _settings_page(form, exc.status, f"passkey-{passkey_id}")
    db.session.commit()
    flash("The passkey is removed.", "success")
    return redirect(url_for("mfa.settings"))


@bp.route("/admin/users/<id:user_id>/second-factor", methods=["GET", "POST"])
@roles_required("admin")
def admin_reset(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    error = None
    if request.method == "POST":
        try:
            mfa.admin_reset(current_user, user, ip=request.remote_addr)
        except mfa.MfaError as exc:
            error = exc.message
        else:
            db.session.commit()
            flash(f"The second factor of {user.email} is reset; they are asked to set up a new one "
                  "at their next log-in if their role requires one.", "success")
            return redirect(url_for("mfa.admin_reset", user_id=user.id))
    return render_template("portal/mfa_admin_reset.html", user=user, error=error, totp_on=mfa.has_totp(user),
                           passkey_count=mfa.passkey_count(user), recovery_left=mfa.remaining_recovery_codes(user),
                           is_self=user.id == current_user.id), (409 if error else 200)


@bp.cli.command("reset")
@click.argument("email")
def reset_command(email: str) -> None:
    """Remove every second factor of EMAIL (the user lost the device; audited as the system)."""
    user = auth.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    try:
        mfa.admin_reset(None, user)
    except mfa.MfaError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"The second factor of {user.email} is reset.")


@bp.app_template_global("second_factor_summary")
def second_factor_summary(user: User) -> dict:
    """For the account page's "Second factor" card."""
    count = mfa.passkey_count(user)
    methods = (["authenticator app"] if mfa.has_totp(user) else []) + ([f"{count} passkey{'s' if count > 1 else ''}"] if count else [])
    return {"on": bool(methods), "methods": " and ".join(methods).capitalize() + "." if methods else "",
            "required": mfa.is_required(user)}
