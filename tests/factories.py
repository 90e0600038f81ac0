"""Factories for tests: partners, users, API clients."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flask import current_app

from portal.extensions import db
from portal.models import Partner, User
from portal.services import auth, tokens

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_partner(**overrides: Any) -> Partner:
    n = next(_seq)
    values = dict(name=f"Partner {n}", kind="reseller", tier="silver", country="DE", region="EMEA",
                  currency="EUR", credit_limit_minor=1_000_000, payment_terms_days=30, status="active")
    values.update(overrides)
    partner = Partner(**values)
    db.session.add(partner)
    db.session.flush()
    return partner


def make_user(partner: Partner | None = None, role: str | None = None, **overrides: Any) -> User:
    n = next(_seq)
    role = role or ("partner_user" if partner else "admin")
    values = dict(email=f"user{n}@example.com", name=f"User {n}", role=role,
                  partner_id=partner.id if partner else None)
    password = overrides.pop("password", PASSWORD)
    values.update(overrides)
    user = User(**values)
    if password:
        user.password_hash = auth.hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class TwoPartners:
    a: Partner
    b: Partner
    a_admin: User
    a_user: User
    b_admin: User
    b_user: User
    admin: User
    manager: User
    ops: User


def two_partners() -> TwoPartners:
    manager = make_user(role="partner_manager")
    a = make_partner(name="Alpha Partners", manager_id=manager.id)
    b = make_partner(name="Bravo Partners", tier="gold", country="FR")
    return TwoPartners(
        a=a, b=b,
        a_admin=make_user(a, "partner_admin"), a_user=make_user(a, "partner_user"),
        b_admin=make_user(b, "partner_admin"), b_user=make_user(b, "partner_user"),
        admin=make_user(role="admin"), manager=manager, ops=make_user(role="sales_ops"),
    )


class ApiClient:
    """JSON calls with a bearer token: `api.get("/me")` -> response."""

    def __init__(self, user: User) -> None:
        _, self.token = tokens.issue_token(None, user, "test")
        db.session.flush()
        self.user = user
        self.client = current_app.test_client()

    def _call(self, method: str, path: str, json: Any = None, headers: dict | None = None, **kw: Any):
        h = {"Authorization": f"Bearer {self.token}"}
        h.update(headers or {})
        url = path if path.startswith("/") and path.startswith(("/api", "/webhooks")) else f"/api/v1{path}"
        return self.client.open(url, method=method.upper(), json=json, headers=h, **kw)

    def get(self, path: str, **kw: Any):
        return self._call("get", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any):
        return self._call("post", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any):
        return self._call("patch", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any):
        return self._call("put", path, json=json, **kw)

    def delete(self, path: str, **kw: Any):
        return self._call("delete", path, **kw)


def api_for(user: User) -> ApiClient:
    return ApiClient(user)


def start_session(user: User, **kw: Any) -> str:
    """A live server-side session of `user`; returns the key a browser's session would carry."""
    from portal.services import sessions

    kw.setdefault("ip", "127.0.0.1")
    kw.setdefault("user_agent", "pytest")
    _, key = sessions.start_session(user, **kw)
    db.session.flush()
    return key
