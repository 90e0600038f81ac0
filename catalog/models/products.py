"""Products, option groups, options and configuration rules."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TimestampMixin
from portal.extensions import db


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20), default="each")
    active: Mapped[bool] = mapped_column(default=True, index=True)

    groups: Mapped[list[OptionGroup]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="OptionGroup.position")
    rules: Mapped[list[OptionRule]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="OptionRule.id")

    @property
    def configurable(self) -> bool:
        return bool(self.groups)

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class OptionGroup(db.Model):
    __tablename__ = "option_groups"
    __table_args__ = (
        UniqueConstraint("product_id", "code"),
        CheckConstraint("min_choices >= 0 AND max_choices >= 1 AND min_choices <= max_choices",
                        name="choices_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    min_choices: Mapped[int] = mapped_column(default=0)
    max_choices: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="groups")
    options: Mapped[list[Option]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Option.position")


class Option(db.Model):
    """An option; its code is what price books and contract prices price."""

    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("product_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("option_groups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[OptionGroup] = relationship(back_populates="options")


class OptionRule(db.Model):
    """`option` requires / excludes `target` (both option codes of the same product)."""

    __tablename__ = "option_rules"
    __table_args__ = (
        UniqueConstraint("product_id", "type", "option_code", "target_code"),
        CheckConstraint("type IN ('requires', 'excludes')", name="rule_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(10))
    option_code: Mapped[str] = mapped_column(String(64))
    target_code: Mapped[str] = mapped_column(String(64))

    product: Mapped[Product] = relationship(back_populates="rules")
