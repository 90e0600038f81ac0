"""Idempotency keys of order submissions, card payments (one Stripe PaymentIntent per attempt),
refunds and the Stripe events already processed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.money import Money

OPEN_PAYMENT = ("new", "open", "processing")


class IdempotencyKey(TenantMixin, db.Model):
    """A submission's key: the same key (per user) always answers with the same order."""

    __tablename__ = "order_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))  # "api" or "form"
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(TenantMixin, TimestampMixin, db.Model):
    """One attempt to pay an order by card: a row first, then its PaymentIntent at Stripe."""

    __tablename__ = "order_payments"
    __table_args__ = (UniqueConstraint("order_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(default=1)
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="new")  # new, open, processing, succeeded, failed, canceled
    last_error: Mapped[str | None] = mapped_column(Text)
    card_last4: Mapped[str | None] = mapped_column(String(4))
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived from the order and the attempt (plus a salt, so a reloaded database never reuses
    # a key Stripe remembers); stored before Stripe is called, so a retry after a lost answer
    # finds the same PaymentIntent instead of creating a second one.
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)

    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Refund(TenantMixin, TimestampMixin, db.Model):
    """Money given back for a succeeded payment (its row first, then the Stripe refund)."""

    __tablename__ = "order_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("order_payments.id", ondelete="CASCADE"),
                                            unique=True)
    refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, succeeded, failed
    reason: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)

    payment: Mapped[Payment] = relationship(back_populates="refunds")

    @property
    def idempotency_key(self) -> str:
        return f"{self.payment.idempotency_key}-refund"

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class StripeEvent(db.Model):
    """A Stripe event already processed: its id is the primary key, so it is processed once."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
