"""Orders, their lines with the prices frozen at checkout, and their status history."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.money import Money

ORDER_STATUSES = ("pending_payment", "submitted", "confirmed", "shipped", "invoiced", "closed",
                  "cancelled")
PAYMENT_METHODS = ("on_account", "card")
CANCELLABLE_BY_PARTNER = ("pending_payment", "submitted")
CANCELLABLE_BY_STAFF = ("pending_payment", "submitted", "confirmed")


class Order(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_minor >= 0", name="total_not_negative"),
        Index("ix_orders_partner_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    payment_method: Mapped[str] = mapped_column(String(20))
    po_number: Mapped[str] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int]
    requested_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The ship-to address as it was at checkout (a saved address may change later).
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ship_to_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("ship_to_addresses.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="cart")  # cart, quote, quick, reorder, api
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    reorder_of_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    tracking: Mapped[str | None] = mapped_column(String(200))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position")
    history: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id")

    @property
    def number(self) -> str:
        """Human-readable, unique and never reused: derived from the id."""
        year = (self.created_at or utcnow()).year
        return f"SO-{year}-{self.id:06d}"

    @property
    def total(self) -> Money:
        return Money(self.total_minor, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.status}>"


class OrderLine(TenantMixin, db.Model):
    """A line with its price frozen at checkout (the waterfall that explains it included)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_order_lines_sku", "partner_id", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(64))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    option_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    quantity: Mapped[int]
    unit_list_minor: Mapped[int]
    unit_net_minor: Mapped[int]
    line_total_minor: Mapped[int]
    waterfall: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    order: Mapped[Order] = relationship(back_populates="lines")

    def money(self, minor: int) -> Money:
        return Money(minor, self.order.currency)

    @property
    def unit_net(self) -> Money:
        return self.money(self.unit_net_minor)

    @property
    def unit_list(self) -> Money:
        return self.money(self.unit_list_minor)

    @property
    def line_total(self) -> Money:
        return self.money(self.line_total_minor)


class OrderStatusChange(TenantMixin, db.Model):
    """One entry of an order's timeline: who moved it from which status to which, and when."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="history")
