"""House accounts: named customers the vendor sells to directly (partners cannot register them)."""
from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import TimestampMixin
from portal.extensions import db


class HouseAccount(TimestampMixin, db.Model):
    """A named account of the vendor; it conflicts with registrations of any product family."""

    __tablename__ = "house_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(400), index=True)
    domain: Mapped[str | None] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(2), default="")
    city: Mapped[str | None] = mapped_column(String(100))
    vat_id: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True, index=True)

    def __repr__(self) -> str:
        return f"<HouseAccount {self.id} {self.name!r}>"
