"""A partner's deal registration (its end customer, deal and protection) and its conflicts."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.money import Money

if TYPE_CHECKING:
    from opportunities.campaigns.models import Campaign
    from opportunities.registrations.models.house_accounts import HouseAccount

STATUSES = ("submitted", "in_review", "approved", "rejected", "expired", "won", "lost")
#: Waiting for the manager's decision.
PENDING_STATUSES = ("submitted", "in_review")
#: Counted by conflict checks (approved ones only while protected).
ACTIVE_STATUSES = ("submitted", "in_review", "approved")
SOURCES = ("portal", "api", "import", "lead")


class Registration(TenantMixin, TimestampMixin, db.Model):
    """An opportunity a partner registered: who the customer is, what it buys, and its protection."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint(
            "status IN ('submitted', 'in_review', 'approved', 'rejected', 'expired', 'won', 'lost')",
            name="status_known"),
        CheckConstraint("discount_percent IS NULL OR (discount_percent >= 0 AND discount_percent <= 100)",
                        name="discount_range"),
        Index("ix_registrations_partner_status", "partner_id", "status"),
        Index("ix_registrations_status_protected", "status", "protected_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="portal")
    # The lead it was converted from.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)  # legacy imports
    # The channel campaign it is attributed to (rules: opportunities/services/attribution.py).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), index=True)

    customer_name: Mapped[str] = mapped_column(String(400))
    customer_domain: Mapped[str | None] = mapped_column(String(254))
    customer_country: Mapped[str] = mapped_column(String(2), default="")
    customer_city: Mapped[str | None] = mapped_column(String(100))
    customer_vat: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))

    families: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every family (legacy)
    skus: Mapped[list[str]] = mapped_column(JSON, default=list)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    protection_days: Mapped[int | None] = mapped_column()
    protected_until: Mapped[date | None] = mapped_column(Date)  # last protected day
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # expired, won or lost
    # use_alter: orders.opportunity_id points back here (see docs/architecture.md).
    won_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL", use_alter=True))
    lost_reason: Mapped[str | None] = mapped_column(Text)

    conflicts: Mapped[list[Conflict]] = relationship(
        foreign_keys="Conflict.registration_id", back_populates="registration", order_by="Conflict.id")
    campaign: Mapped[Campaign | None] = relationship()

    @property
    def amount(self) -> Money:
        """The estimated deal amount."""
        return Money(self.amount_minor, self.currency)

    @property
    def is_pending(self) -> bool:
        """Whether it waits for the manager's decision."""
        return self.status in PENDING_STATUSES

    def covers(self, families: set[str] | frozenset[str]) -> bool:
        """Whether its product families overlap `families` (an empty list on either side is every family)."""
        return not self.families or not families or bool(set(self.families) & set(families))

    def snapshot(self) -> dict[str, Any]:
        """The customer and deal as plain values (hashed into the event log)."""
        return {
            "customer": {"name": self.customer_name, "domain": self.customer_domain,
                         "country": self.customer_country, "city": self.customer_city,
                         "vat_id": self.customer_vat},
            "families": list(self.families), "amount": self.amount.as_str(), "currency": self.currency,
            "expected_close": self.expected_close.isoformat() if self.expected_close else None,
        }

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} {self.customer_name!r}>"


class Conflict(db.Model):
    """A match found when `registration` was checked: another registration or a house account."""

    __tablename__ = "registration_conflicts"
    __table_args__ = (
        CheckConstraint("(other_id IS NULL) <> (house_account_id IS NULL)", name="one_other_side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    house_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("house_accounts.id", ondelete="CASCADE"), index=True)
    own: Mapped[bool] = mapped_column(default=False)  # the other registration is the same partner's
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id], back_populates="conflicts")
    other: Mapped[Registration | None] = relationship(foreign_keys=[other_id])
    house_account: Mapped[HouseAccount | None] = relationship()
