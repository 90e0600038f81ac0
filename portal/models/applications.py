"""Partner applications ("become a partner") and the submission attempts that rate-limit them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db

APPLICATION_STATUSES = ("pending", "approved", "rejected")


class PartnerApplication(TimestampMixin, db.Model):
    """A company's request to become a partner; staff approve (creating the partner) or reject it.

    Not partner-owned (no TenantMixin): it exists before its partner does. `partner_id` points
    at the partner created on approval.
    """

    __tablename__ = "partner_applications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        Index("ix_partner_applications_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    company_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised, for duplicates
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    website: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str] = mapped_column(String(253), index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    submitted_ip: Mapped[str | None] = mapped_column(String(45))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"),
                                                   index=True)
    invited_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def __repr__(self) -> str:
        return f"<PartnerApplication {self.id} {self.company_name!r} {self.status}>"


class ApplicationAttempt(db.Model):
    """One submission of the public form from an IP (accepted, or caught by the spam guard)."""

    __tablename__ = "application_attempts"
    __table_args__ = (Index("ix_application_attempts_ip_created", "ip", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # accepted or spam
