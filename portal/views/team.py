"""A partner admin manages its own partner's users."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.db import get_for_partner_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import UserForm, apply_domain_error, form_data
from portal.models import PARTNER_ROLES, User
from portal.permissions import partner_admin_required
from portal.services import invitations, users
from portal.tenancy import current_partner

bp = Blueprint("team", __name__, url_prefix="/team")


def _load_member(user_id: int) -> User:
    """A user of the current partner, or 404 (another partner's user leaks nothing)."""
    return get_for_partner_or_404(User, user_id, current_partner())


def _members() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.partner_id == current_partner().id).order_by(User.name)))


@bp.get("/users", endpoint="users")
@partner_admin_required
def users_list():
    return render_template("team/users.html", members=_members())


@bp.route("/users/new", methods=["GET", "POST"])
@partner_admin_required
def new_user():
    form = UserForm()
    form.set_roles(PARTNER_ROLES)
    del form.partner_id
    status = 200
    if form.validate_on_submit():
        try:
            user = users.create_partner_user(current_partner(), current_user,
                                             form_data(form, ("email", "name", "role")))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{user.email} is invited by e-mail to set a password.", "success")
            return redirect(url_for("team.users"))
    elif request.method == "POST":
        status = 400
    return render_template("team/user_form.html", form=form, member=None), status


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@partner_admin_required
def edit_user(user_id: int):
    member = _load_member(user_id)
    form = UserForm(obj=member)
    form.set_roles(PARTNER_ROLES)
    del form.partner_id
    status = 200
    if form.validate_on_submit():
        try:
            users.update_partner_user(current_partner(), current_user, member,
                                      form_data(form, ("email", "name", "role", "active")))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{member.email} is updated.", "success")
            return redirect(url_for("team.users"))
    elif request.method == "POST":
        status = 400
    return render_template("team/user_form.html", form=form, member=member), status


@bp.post("/users/<id:user_id>/invite")
@partner_admin_required
def resend_invitation(user_id: int):
    member = _load_member(user_id)
    users.resend_invitation(current_user, member)
    db.session.commit()
    flash(f"A new invitation is on its way to {member.email}.", "success")
    return redirect(url_for("team.users"))


@bp.post("/users/<id:user_id>/invitation-link")
@partner_admin_required
def invitation_link(user_id: int):
    """A new invitation link shown on the Team page with a copy button (for when the e-mail does
    not arrive); the earlier links stop working."""
    member = _load_member(user_id)
    try:
        link = invitations.copy_invitation_link(current_user, member)
    except DomainError as exc:
        return render_template("team/users.html", members=_members(), invited=member,
                               invitation_error=exc.message), exc.status
    db.session.commit()
    response = make_response(render_template("team/users.html", members=_members(), invited=member,
                                             invitation_link=link))
    response.headers["Cache-Control"] = "no-store"
    return response
