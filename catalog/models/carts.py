"""The cart: a user's configured lines, kept across log-outs and re-priced when shown."""
from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TenantMixin, TimestampMixin
from portal.extensions import db


class CartLine(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
