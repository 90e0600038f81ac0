"""Campaigns with their targeting, promoted products and assets; enrolments; MDF requests,
claims with proof files, and the append-only MDF event history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.money import Money

if TYPE_CHECKING:
    from portal.models.partners import Partner

class Campaign(TimestampMixin, db.Model):
    """A campaign; empty `tiers` / `regions` / `kinds` mean every partner on that dimension."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_order"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("mdf_budget_minor >= 0", name="budget_not_negative"),
        # The budget never goes negative: reservations stay within it, whatever the code does.
        CheckConstraint("mdf_reserved_minor >= 0 AND mdf_reserved_minor <= mdf_budget_minor",
                        name="reserved_within_budget"),
        CheckConstraint("price_rule_percent IS NULL OR (price_rule_percent > 0 AND price_rule_percent < 100)",
                        name="price_rule_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    price_rule_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    currency: Mapped[str] = mapped_column(String(3))
    mdf_budget_minor: Mapped[int] = mapped_column(default=0)
    mdf_reserved_minor: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    products: Mapped[list[CampaignProduct]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignProduct.sku")
    assets: Mapped[list[CampaignAsset]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignAsset.id")

    @property
    def skus(self) -> list[str]:
        return [p.sku for p in self.products]

    @property
    def mdf_budget(self) -> Money:
        return Money(self.mdf_budget_minor, self.currency)

    @property
    def mdf_reserved(self) -> Money:
        return Money(self.mdf_reserved_minor, self.currency)

    @property
    def mdf_remaining(self) -> Money:
        return Money(self.mdf_budget_minor - self.mdf_reserved_minor, self.currency)

    def is_active_on(self, on: date) -> bool:
        """Published and running on that date (both ends inclusive)."""
        return self.status == "published" and self.starts_on <= on <= self.ends_on

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.name!r}>"


class CampaignProduct(db.Model):
    """A promoted product, by SKU (the code the pricing engine prices)."""

    __tablename__ = "campaign_products"
    __table_args__ = (UniqueConstraint("campaign_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64), index=True)

    campaign: Mapped[Campaign] = relationship(back_populates="products")


class CampaignAsset(db.Model):
    """A downloadable document or image; the file lives in the storage under `storage_key`."""

    __tablename__ = "campaign_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # "document" | "image"
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="assets")


class CampaignEnrolment(TenantMixin, db.Model):
    __tablename__ = "campaign_enrolments"
    __table_args__ = (UniqueConstraint("campaign_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MdfRequest(TenantMixin, TimestampMixin, db.Model):
    """A partner's request for funds for one activity of a campaign (in the campaign's currency)."""

    __tablename__ = "mdf_requests"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_order"),
        CheckConstraint("requested_minor > 0", name="requested_positive"),
        CheckConstraint("approved_minor IS NULL OR (approved_minor > 0 AND approved_minor <= requested_minor)",
                        name="approved_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    activity: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    requested_minor: Mapped[int]
    approved_minor: Mapped[int | None]
    # submitted | approved | rejected | cancelled | claimed | claim_approved | paid
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship()
    partner: Mapped[Partner] = relationship()
    claims: Mapped[list[MdfClaim]] = relationship(back_populates="request", order_by="MdfClaim.id")
    events: Mapped[list[MdfEvent]] = relationship(order_by="MdfEvent.id", viewonly=True)

    @property
    def requested(self) -> Money:
        return Money(self.requested_minor, self.currency)

    @property
    def approved(self) -> Money | None:
        return None if self.approved_minor is None else Money(self.approved_minor, self.currency)

    @property
    def claim(self) -> MdfClaim | None:
        """The latest claim (earlier ones were rejected)."""
        return self.claims[-1] if self.claims else None


class MdfClaim(TenantMixin, TimestampMixin, db.Model):
    """A claim after the activity: an amount up to the approved one, with proof files."""

    __tablename__ = "mdf_claims"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("approved_minor IS NULL OR (approved_minor > 0 AND approved_minor <= amount_minor)",
                        name="approved_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mdf_requests.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)  # submitted | approved | rejected | paid
    approved_minor: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")

    request: Mapped[MdfRequest] = relationship(back_populates="claims")
    proofs: Mapped[list[MdfProofFile]] = relationship(back_populates="claim", order_by="MdfProofFile.id")

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def approved(self) -> Money | None:
        return None if self.approved_minor is None else Money(self.approved_minor, self.currency)


class MdfProofFile(TenantMixin, db.Model):
    __tablename__ = "mdf_proof_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("mdf_claims.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[MdfClaim] = relationship(back_populates="proofs")


class MdfEvent(TenantMixin, db.Model):
    """One step of an MDF request's life, appended and never changed."""

    __tablename__ = "mdf_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mdf_requests.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(30))
    amount_minor: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def amount(self) -> Money | None:
        return None if self.amount_minor is None else Money(self.amount_minor, self.currency)
