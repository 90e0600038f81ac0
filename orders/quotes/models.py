"""Quotes: the quote (its lifecycle), its revisions (content and decisions), frozen priced lines,
the event history, and the yearly number counter."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.money import Money

QUOTE_STATUSES = ("draft", "pending_approval", "approved", "rejected", "declined", "accepted", "expired")
STATUS_LABELS = {
    "draft": "Draft", "pending_approval": "Pending approval", "approved": "Approved",
    "rejected": "Rejected", "declined": "Declined", "accepted": "Accepted", "expired": "Expired",
}
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in QUOTE_STATUSES) + ")"
Percent = Numeric(5, 2)


class Quote(TenantMixin, TimestampMixin, db.Model):
    """A partner's quote; content lives in its revisions, the header mirrors the current one."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status_known"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_quotes_partner_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    revision: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(default=0)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    requested_discount_percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))
    approved_discount_percent: Mapped[Decimal | None] = mapped_column(Percent)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    # use_alter: orders.quote_id points back here (see docs/architecture.md).
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL", use_alter=True))
    expiry_warned_for: Mapped[date | None] = mapped_column(Date)

    revisions: Mapped[list[QuoteRevision]] = relationship(
        back_populates="quote", order_by="QuoteRevision.number", cascade="all, delete-orphan")
    events: Mapped[list[QuoteEvent]] = relationship(
        order_by="QuoteEvent.id", cascade="all, delete-orphan")
    partner = relationship("Partner", foreign_keys="Quote.partner_id")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def current(self) -> QuoteRevision:
        """The current (latest) revision."""
        return self.revisions[-1]

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def reference(self) -> str:
        """The number with the revision, as printed: "Q-2026-00042 rev. 2"."""
        return f"{self.number} rev. {self.revision}"

    def __repr__(self) -> str:
        return f"<Quote {self.number} rev {self.revision} {self.status}>"


class QuoteRevision(TenantMixin, db.Model):
    """One revision: what was quoted (lines, discounts, deal) and what was decided about it."""

    __tablename__ = "quote_revisions"
    __table_args__ = (
        UniqueConstraint("quote_id", "number"),
        CheckConstraint("requested_discount_percent >= 0 AND requested_discount_percent <= 100",
                        name="requested_range"),
        CheckConstraint("approved_discount_percent IS NULL OR (approved_discount_percent >= 0 "
                        "AND approved_discount_percent <= requested_discount_percent)",
                        name="approved_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    deal: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"percent", "families"} snapshot
    requested_discount_percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))
    justification: Mapped[str] = mapped_column(Text, default="")
    approved_discount_percent: Mapped[Decimal | None] = mapped_column(Percent)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(default=0)
    list_total_minor: Mapped[int] = mapped_column(default=0)
    priced_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(20))  # auto_approved, approved, rejected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[date | None] = mapped_column(Date)

    quote: Mapped[Quote] = relationship(back_populates="revisions")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="revision", order_by="QuoteLine.position", cascade="all, delete-orphan")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)

    @property
    def list_total(self) -> Money:
        return Money(self.list_total_minor, self.currency)


class QuoteLine(TenantMixin, db.Model):
    """A priced line of a revision, frozen: amounts in minor units, the waterfall per unit."""

    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("revision_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("quote_revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column()
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    option_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_list_minor: Mapped[int] = mapped_column()
    unit_net_minor: Mapped[int] = mapped_column()
    line_total_minor: Mapped[int] = mapped_column()
    waterfall: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # step, label, amount_minor

    revision: Mapped[QuoteRevision] = relationship(back_populates="lines")

    def money(self, minor: int) -> Money:
        return Money(minor, self.revision.currency)

    @property
    def unit_list(self) -> Money:
        return self.money(self.unit_list_minor)

    @property
    def unit_net(self) -> Money:
        return self.money(self.unit_net_minor)

    @property
    def line_total(self) -> Money:
        return self.money(self.line_total_minor)

    def step_minor(self, step: str) -> int:
        """The per-unit amount of a waterfall step (0 when the step is absent)."""
        return sum(s["amount_minor"] for s in self.waterfall if s["step"] == step)


class QuoteEvent(TenantMixin, db.Model):
    """What happened to a quote, by whom and when (shown to the partner and to staff)."""

    __tablename__ = "quote_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254), default="system")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuoteNumberCounter(db.Model):
    """The last quote number given out in a year; incremented under a row lock, never reused."""

    __tablename__ = "quote_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
