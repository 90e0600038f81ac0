"""The partner: a distributor, reseller or agent company with its commercial terms."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TimestampMixin
from portal.extensions import db
from portal.money import Money

if TYPE_CHECKING:
    from portal.models.users import User

PARTNER_KINDS = ("distributor", "reseller", "agent")
PARTNER_TIERS = ("registered", "silver", "gold", "platinum")
PARTNER_STATUSES = ("active", "suspended")


class Partner(TimestampMixin, db.Model):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint("credit_limit_minor >= 0", name="credit_limit_not_negative"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(20), index=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    credit_limit_minor: Mapped[int] = mapped_column(default=0)
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    # The catalog's price book assigned to this partner (optional); checked by the catalog.
    price_book_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_books.id", ondelete="SET NULL"), index=True)

    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])

    @property
    def credit_limit(self) -> Money:
        return Money(self.credit_limit_minor, self.currency)

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r}>"
