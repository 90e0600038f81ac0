"""The user's own account: password, API tokens and log-in sessions."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from portal.auth_setup import current_session
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import ChangePasswordForm, TokenForm, apply_domain_error
from portal.permissions import login_required
from portal.services import audit, auth, sessions, tokens

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(password_form: ChangePasswordForm, token_form: TokenForm, new_token: str | None = None,
          status: int = 200):
    viewing_as = g.get("impersonating", False)  # the viewed user's sessions stay private
    return render_template("account/index.html", password_form=password_form, token_form=token_form,
                           tokens=tokens.user_tokens(current_user), new_token=new_token,
                           sessions=[] if viewing_as else sessions.active_sessions(current_user),
                           this_session=current_session(), viewing_as=viewing_as,
                           describe_agent=sessions.describe_agent), status


@bp.get("/")
@login_required
def index():
    return _page(ChangePasswordForm(prefix="pw"), TokenForm(prefix="tok"))


@bp.post("/password")
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        if not current_user.password_hash or not check_password_hash(current_user.password_hash,
                                                                     form.current.data):
            form.current.errors = ["This is not your current password."]
        else:
            try:
                auth.set_password(current_user, form.password.data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                user = current_user._get_current_object()
                audit.record(user, "user.password_change", user,
                             summary="Changed own password", ip=request.remote_addr)
                previous = current_session()
                sessions.revoke_all(user, "password_changed")
                db.session.commit()
                # Every session ended, this one too; the browser gets a new one (a new key).
                login_user(user, remember=bool(previous and previous.remember))
                flash("Your password has been changed; your other sessions are logged out.", "success")
                return redirect(url_for("account.index"))
    return _page(form, TokenForm(prefix="tok"), status=400)


@bp.post("/tokens")
@login_required
def create_token():
    form = TokenForm(prefix="tok")
    if not form.validate_on_submit():
        return _page(ChangePasswordForm(prefix="pw"), form, status=400)
    _, raw = tokens.issue_token(current_user, current_user, form.name.data)
    db.session.commit()
    return _page(ChangePasswordForm(prefix="pw"), TokenForm(prefix="tok"), new_token=raw, status=201)


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    tokens.revoke_token(current_user, current_user, token_id)
    db.session.commit()
    flash("The token is revoked; requests with it now get 401.", "success")
    return redirect(url_for("account.index"))


@bp.post("/sessions/<id:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    row = sessions.revoke_session(current_user, current_user, session_id, ip=request.remote_addr)
    db.session.commit()
    current = current_session()
    if current is not None and row.id == current.id:
        logout_user()
        flash("You ended this session: you are logged out.", "info")
        return redirect(url_for("auth.login"))
    flash(f"The session ({sessions.describe_agent(row.user_agent)}) is signed out.", "success")
    return redirect(url_for("account.index", _anchor="sessions"))


@bp.post("/sessions/revoke-others")
@login_required
def revoke_other_sessions():
    count = sessions.sign_out_elsewhere(current_user, current_session(), ip=request.remote_addr)
    db.session.commit()
    flash(f"Signed out everywhere else: {count} other session{'s' if count != 1 else ''} ended."
          if count else "There were no other sessions to sign out.", "success")
    return redirect(url_for("account.index", _anchor="sessions"))
