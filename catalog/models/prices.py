"""Price books and their entries, tier discounts and partner contract prices."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin
from portal.extensions import db


class PriceBook(TimestampMixin, db.Model):
    __tablename__ = "price_books"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_order"),
        # one book per currency and start date: the latest start wins, so a tie would be arbitrary
        UniqueConstraint("currency", "valid_from", name="uq_price_books_currency_valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    entries: Mapped[list[PriceBookEntry]] = relationship(
        back_populates="book", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PriceBookEntry.code", lazy="raise_on_sql")

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class PriceBookEntry(db.Model):
    """One code's base unit price (minor units) and volume tiers [[min_qty, unit_minor], ...]."""

    __tablename__ = "price_book_entries"
    __table_args__ = (
        UniqueConstraint("price_book_id", "code"),
        CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_book_id: Mapped[int] = mapped_column(ForeignKey("price_books.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), index=True)
    unit_price_minor: Mapped[int]
    tiers: Mapped[list[list[int]]] = mapped_column(JSON, default=list)

    book: Mapped[PriceBook] = relationship(back_populates="entries")


class TierDiscount(db.Model):
    """Percentage off list for a (partner tier, product family)."""

    __tablename__ = "tier_discounts"
    __table_args__ = (
        UniqueConstraint("tier", "family"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(String(20))
    family: Mapped[str] = mapped_column(String(64))
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class ContractPrice(TenantMixin, TimestampMixin, db.Model):
    """A partner's net unit price for a code (SKU or option), optionally time-limited."""

    __tablename__ = "contract_prices"
    __table_args__ = (
        CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                        name="validity_order"),
        Index("ix_contract_prices_partner_code", "partner_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    unit_price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
