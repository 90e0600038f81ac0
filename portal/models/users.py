"""Users (staff and partner), API tokens and one-time links (password reset, invitation)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models.partners import Partner

STAFF_ROLES = ("admin", "partner_manager", "sales_ops")
PARTNER_ROLES = ("partner_admin", "partner_user")
ROLES = STAFF_ROLES + PARTNER_ROLES
ROLE_LABELS = {
    "admin": "Administrator",
    "partner_manager": "Partner manager",
    "sales_ops": "Sales operations",
    "partner_admin": "Partner administrator",
    "partner_user": "Partner sales rep",
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes: sessions (user_sessions rows) made before then stop working.
    auth_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id])

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login
        if not self.active:
            return False
        return self.partner is None or self.partner.status == "active"

    def get_id(self) -> str:
        """Flask-Login's placeholder: `login_user` stores it, then the log-in signal replaces it
        with the server-side session's key (portal/auth_setup.py); the loader never accepts it."""
        return f"{self.id}:{self.auth_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(TimestampMixin, db.Model):
    """A bearer token acting as its user; only a hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuthLink(db.Model):
    """A single-use, expiring link: password reset or invitation."""

    __tablename__ = "auth_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "reset" | "invite"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
