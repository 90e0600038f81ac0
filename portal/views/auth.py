"""Log-in, log-out, forgotten password, invitation acceptance."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from portal.errors import DomainError
from portal.extensions import db
from portal.forms import ForgotPasswordForm, LoginForm, SetPasswordForm, apply_domain_error
from portal.services import auth
from portal.views import mfa_login

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirects."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = auth.authenticate(form.email.data, form.password.data, ip=request.remote_addr)
        except auth.AuthError as exc:
            db.session.commit()  # keep the failure count
            form.form_errors.append(exc.message)
            status = exc.status if exc.status in (403, 429) else 401
            if exc.retry_after:  # slowed down: "wait N s", answered at once
                headers["Retry-After"] = str(exc.retry_after)
        else:
            db.session.commit()
            if mfa_login.second_step_needed(user):  # the second factor: login_user only after it
                return mfa_login.start(user, form.remember.data, _safe_next(request.args.get("next")))
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account exists for that address, we have e-mailed a link to reset its "
              "password. The link works once and expires soon.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), (400 if request.method == "POST" else 200)


def _set_password_page(token: str, purpose: str, template: str):
    link = auth.find_link(token, purpose)
    if link is None:
        return render_template("auth/link_invalid.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = auth.use_link(token, purpose, form.password.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            if mfa_login.second_step_needed(user):  # an e-mailed link does not replace the second factor
                flash("Your password is set. Now confirm it is you with your second factor.", "success")
                return mfa_login.start(user, False, url_for("dashboard.index"))
            login_user(user)
            flash("Your password is set. Welcome!", "success")
            return redirect(url_for("dashboard.index"))
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, user=link.user), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(token, "reset", "auth/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, "invite", "auth/invitation.html")
