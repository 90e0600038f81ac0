"""Identity endpoints: who am I, users, and their API tokens."""
from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from portal.api.blueprint import bp
from portal.api.core import documented, list_page, parse
from portal.api.schemas import (
    Me, TokenCreate, TokenIssued, TokenOut, UserCreate, UserOut, UserUpdate, present,
)
from portal.db import get_or_404
from portal.extensions import db
from portal.listing import Page, page_params
from portal.models import User
from portal.permissions import can_manage_user, roles_required
from portal.services import tokens, users
from portal.tenancy import current_partner


def user_json(user: User) -> dict:
    return present(UserOut, {
        "id": user.id, "email": user.email, "name": user.name, "role": user.role,
        "partner_id": user.partner_id, "active": user.active, "last_login_at": user.last_login_at,
        "created_at": user.created_at,
    })


def _visible_user(user_id: int) -> User:
    """Admins see every user; a partner admin its own partner's; others: 404."""
    user = get_or_404(User, user_id)
    if not can_manage_user(current_user, user):
        abort(404)
    return user


@bp.get("/me")
@documented(summary="The authenticated user", response=Me)
def me():
    partner = current_partner()
    return jsonify(present(Me, {
        "id": current_user.id, "email": current_user.email, "name": current_user.name,
        "role": current_user.role,
        "partner": {"id": partner.id, "name": partner.name} if partner else None,
    }))


@bp.get("/users")
@roles_required("admin", "partner_admin")
@documented(summary="List users (admin: all; partner admin: its partner's)", response=UserOut,
            list_of=True, roles="admin, partner_admin")
def list_users():
    stmt = select(User).order_by(User.id)
    if current_user.role != "admin":
        stmt = stmt.where(User.partner_id == current_partner().id)
    page = list_page(stmt)
    return jsonify(page.envelope([user_json(u) for u in page.items]))


@bp.post("/users")
@roles_required("admin", "partner_admin")
@documented(summary="Create a user (a partner admin: only users of its own partner)", body=UserCreate,
            response=UserOut, status=201, roles="admin, partner_admin", errors=(400, 403, 422))
def create_user():
    data = parse(UserCreate).model_dump(exclude_none=True)
    if current_user.role == "admin":
        user = users.create_user(current_user, data)
    else:
        user = users.create_partner_user(current_partner(), current_user, data)
    db.session.commit()
    return jsonify(user_json(user)), 201


@bp.get("/users/<id:user_id>")
@roles_required("admin", "partner_admin")
@documented(summary="One user", response=UserOut, roles="admin, partner_admin", errors=(404,))
def get_user(user_id: int):
    return jsonify(user_json(_visible_user(user_id)))


@bp.patch("/users/<id:user_id>")
@roles_required("admin", "partner_admin")
@documented(summary="Change a user", body=UserUpdate, response=UserOut, roles="admin, partner_admin",
            errors=(400, 403, 404, 422))
def update_user(user_id: int):
    user = _visible_user(user_id)
    data = parse(UserUpdate).model_dump(exclude_unset=True)
    if current_user.role == "admin":
        users.update_user(current_user, user, data)
    else:
        users.update_partner_user(current_partner(), current_user, user, data)
    db.session.commit()
    return jsonify(user_json(user))


@bp.post("/users/<id:user_id>/tokens")
@roles_required("admin")
@documented(summary="Issue an API token for a user (shown once)", body=TokenCreate,
            response=TokenIssued, status=201, roles="admin", errors=(404,))
def issue_user_token(user_id: int):
    user = get_or_404(User, user_id)
    name = (parse(TokenCreate).name if _has_body() else None) or "API token"
    token, raw = tokens.issue_token(current_user, user, name)
    db.session.commit()
    return jsonify(present(TokenIssued, {"id": token.id, "token": raw, "name": token.name,
                                         "user_id": user.id})), 201


@bp.get("/users/<id:user_id>/tokens")
@roles_required("admin")
@documented(summary="A user's API tokens (never their values)", response=TokenOut, list_of=True,
            roles="admin", errors=(404,))
def list_user_tokens(user_id: int):
    user = get_or_404(User, user_id)
    return jsonify(_token_page(tokens.user_tokens(user)))


@bp.delete("/users/<id:user_id>/tokens/<id:token_id>")
@roles_required("admin")
@documented(summary="Revoke a user's API token", response=TokenOut, roles="admin", errors=(404,))
def revoke_user_token(user_id: int, token_id: int):
    user = get_or_404(User, user_id)
    token = tokens.revoke_token(current_user, user, token_id)
    db.session.commit()
    return jsonify(token_json(token))


@bp.get("/me/tokens")
@documented(summary="My API tokens (never their values)", response=TokenOut, list_of=True)
def my_tokens():
    return jsonify(_token_page(tokens.user_tokens(current_user)))


@bp.delete("/me/tokens/<id:token_id>")
@documented(summary="Revoke one of my API tokens", response=TokenOut, errors=(404,))
def revoke_my_token(token_id: int):
    token = tokens.revoke_token(current_user, current_user, token_id)
    db.session.commit()
    return jsonify(token_json(token))


def token_json(token) -> dict:
    return present(TokenOut, {"id": token.id, "name": token.name, "prefix": token.prefix,
                              "created_at": token.created_at, "last_used_at": token.last_used_at,
                              "revoked_at": token.revoked_at})


def _token_page(found: list) -> dict:
    """A user's tokens (a handful) as a list page, `?page=&per_page=` as on every list."""
    number, per_page = page_params(request.args, 50, current_app.config["API_MAX_PER_PAGE"])
    page = Page(found[(number - 1) * per_page:number * per_page], number, per_page, len(found))
    return page.envelope([token_json(t) for t in page.items])


def _has_body() -> bool:
    return bool(request.get_data(cache=True))
