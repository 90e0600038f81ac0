"""The user's own account: password and API tokens."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash

from portal.errors import DomainError
from portal.extensions import db
from portal.forms import ChangePasswordForm, TokenForm, apply_domain_error
from portal.permissions import login_required
from portal.services import audit, auth, tokens

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(password_form: ChangePasswordForm, token_form: TokenForm, new_token: str | None = None,
          status: int = 200):
    return render_template("account/index.html", password_form=password_form, token_form=token_form,
                           tokens=tokens.user_tokens(current_user), new_token=new_token), status


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
                audit.record(current_user, "user.password_change", current_user,
                             summary="Changed own password", ip=request.remote_addr)
                db.session.commit()
                login_user(current_user)  # the session follows the new auth version
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


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    tokens.revoke_token(current_user, current_user, token_id)
    db.session.commit()
    flash("The token is revoked; requests with it now get 401.", "success")
    return redirect(url_for("account.index"))
