"""Shared set-up of the second-factor tests: enrolment, the password step, the required roles."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry
from portal.services import mfa
from tests.factories import PASSWORD
ORIGIN = "http://portal.test"  # the test config's PORTAL_BASE_URL


@pytest.fixture
def required(app):
    """MFA mandatory for the staff roles, as in production."""
    saved = app.config["MFA_REQUIRED_ROLES"]
    app.config["MFA_REQUIRED_ROLES"] = ("admin", "partner_manager", "sales_ops")
    yield
    app.config["MFA_REQUIRED_ROLES"] = saved


def enrol(user) -> tuple[str, list[str]]:
    """TOTP on for `user` through the service; returns the secret and the recovery codes."""
    secret = mfa.begin_totp(user)
    codes = mfa.confirm_totp(user, pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30)))
    db.session.flush()
    return secret, codes


def password_step(client, user, remember=False, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": PASSWORD, "remember": "y" if remember else ""})


def logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def audit_actions(user) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == user.id,
                                                                   AuditEntry.object_type == "users")
                                   .order_by(AuditEntry.id)))
