"""Ship-to addresses a partner saves for its orders."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TenantMixin, TimestampMixin
from portal.extensions import db


class ShipToAddress(TenantMixin, TimestampMixin, db.Model):
    __tablename__ = "ship_to_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    is_default: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)

    def as_lines(self) -> list[str]:
        """The address as printed on a label."""
        return [self.recipient, self.street, f"{self.postal_code} {self.city}".strip(), self.country]
