"""Users in the back office (admins): list, create (invite), edit, tokens."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from admin.blueprint import bp
from portal.converters import parse_id
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import UserForm, apply_domain_error, form_data, options
from portal.listing import apply_sort, page_params, paginate
from portal.models import ROLES, Partner, User
from portal.permissions import roles_required
from portal.services import invitations, sessions, tokens
from portal.services import users as user_service

FIELDS = ("email", "name", "role", "partner_id", "active")
SORTS = {"name": User.name, "email": User.email, "role": User.role, "last_login": User.last_login_at,
         "created": User.created_at}


def _form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.set_roles(ROLES)
    if user is not None and request.method == "GET":
        form.partner_id.data = str(user.partner_id or "")
    form.partner_id.choices = _partner_choices()
    return form


def _partner_choices() -> list:
    return options([("", "No partner (staff)")] + [
        (str(p.id), p.name) for p in db.session.scalars(select(Partner).order_by(Partner.name))])


@bp.get("/users")
@roles_required("admin")
def users():
    args = request.args
    stmt = select(User)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(User.name.ilike(f"%{q}%"), User.email.ilike(f"%{q}%")))
    if args.get("role") in ROLES:
        stmt = stmt.where(User.role == args["role"])
    if (args.get("partner") or "").isdigit():
        stmt = stmt.where(User.partner_id == (parse_id(args["partner"]) or 0))
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "name", tiebreak=User.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    partners = {p.id: p for p in db.session.scalars(
        select(Partner).where(Partner.id.in_({u.partner_id for u in result.items if u.partner_id})))}
    return render_template("admin/users.html", page=result, partners=partners, roles=ROLES)



@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = _form()
    status = 200
    if request.method == "GET" and (request.args.get("partner") or "").isdigit():
        form.partner_id.data = request.args["partner"]
        form.role.data = "partner_user"  # the least privilege; the admin raises it if needed
    if form.validate_on_submit():
        try:
            user = user_service.create_user(current_user, form_data(form, FIELDS))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{user.email} is created and invited by e-mail to set a password.", "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    form = _form(user)
    status = 200
    if form.validate_on_submit():
        try:
            user_service.update_user(current_user, user, form_data(form, FIELDS))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{user.email} is updated.", "success")
            return redirect(url_for("admin.users"))
    elif request.method == "POST":
        status = 400
    return _user_page(form, user, status)


def _user_page(form: UserForm, user: User, status: int = 200, **extra: object):
    return render_template("admin/user_form.html", form=form, user=user, tokens=tokens.user_tokens(user),
                           sessions=sessions.active_sessions(user), describe_agent=sessions.describe_agent,
                           **extra), status


@bp.post("/users/<id:user_id>/invite")
@roles_required("admin")
def invite_user(user_id: int):
    user = get_or_404(User, user_id)
    user_service.resend_invitation(current_user, user)
    db.session.commit()
    flash(f"A new invitation is on its way to {user.email}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<id:user_id>/invitation-link")
@roles_required("admin")
def invitation_link(user_id: int):
    """A new invitation link shown on the user's page with a copy button (for when the e-mail
    does not arrive); the earlier links stop working."""
    user = get_or_404(User, user_id)
    form = UserForm(formdata=None, obj=user)
    form.set_roles(ROLES)
    form.partner_id.data = str(user.partner_id or "")
    form.partner_id.choices = _partner_choices()
    try:
        link = invitations.copy_invitation_link(current_user, user)
    except DomainError as exc:
        return _user_page(form, user, exc.status, invitation_error=exc.message)
    db.session.commit()
    response = make_response(_user_page(form, user, invitation_link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/users/<id:user_id>/sessions/end")
@roles_required("admin")
def end_user_sessions(user_id: int):
    """Sign the user out everywhere (the admin's own sessions: from the account page)."""
    user = get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(403)
    count = sessions.end_all_for(current_user, user, ip=request.remote_addr)
    db.session.commit()
    flash(f"{user.email} is signed out everywhere ({count} session{'s' if count != 1 else ''} ended).", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<id:user_id>/tokens/<id:token_id>/revoke")
@roles_required("admin")
def revoke_user_token(user_id: int, token_id: int):
    user = get_or_404(User, user_id)
    tokens.revoke_token(current_user, user, token_id)
    db.session.commit()
    flash("The token is revoked.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
