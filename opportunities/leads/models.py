"""Shared leads: the lead, who held it when (ownerships), its history, activities, cool-downs,
and staff import previews."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import TenantMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from opportunities.campaigns.models import Campaign

# pool: any eligible partner may claim it; assigned: offered to one partner, which accepts or
# declines before `assignment_deadline`; claimed: owned, the follow-up clock runs; converted:
# became a deal registration; closed: withdrawn by staff.
LEAD_STATUSES = ("pool", "assigned", "claimed", "converted", "closed")
OPEN_STATUSES = ("pool", "assigned", "claimed")
ACTIVITY_KINDS = ("call", "email", "meeting", "note")
ACTIVITY_LABELS = {"call": "Call", "email": "E-mail", "meeting": "Meeting", "note": "Note"}
# How an ownership ended.
OUTCOMES = ("released", "fell_back", "converted", "reassigned", "pooled", "closed")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Lead(TimestampMixin, db.Model):
    """A prospect handed to the channel. Not tenant-owned: pool leads belong to nobody."""

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(LEAD_STATUSES)})", name="status"),
        CheckConstraint("status IN ('pool', 'closed') OR owner_partner_id IS NOT NULL",
                        name="held_leads_have_an_owner"),
        CheckConstraint("status NOT IN ('assigned', 'claimed') OR due_at IS NOT NULL",
                        name="held_leads_have_a_clock"),
        Index("ix_leads_company", "company_key", "company_country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_name: Mapped[str] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200))  # normalised name, for duplicates
    company_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    company_country: Mapped[str] = mapped_column(String(2))
    company_city: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    region: Mapped[str] = mapped_column(String(64), index=True)
    families: Mapped[list[str]] = mapped_column(JSON, default=list)
    tiers: Mapped[str] = mapped_column(String(64), default="")  # ",silver,gold,"; "": every tier
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | import | api
    status: Mapped[str] = mapped_column(String(20), default="pool", index=True)
    owner_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    owned_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The running clock of a held lead: for an assigned lead the accept-or-decline deadline; for
    # a claimed one the follow-up deadline (LEADS_FOLLOW_UP_DAYS after the claim or the latest
    # activity). Fixed when the clock (re)starts.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The registration it became (use_alter: registrations.lead_id points back here).
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL", use_alter=True), index=True)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The channel campaign it came from or is worked for (rules: opportunities/services/attribution.py).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), index=True)

    campaign: Mapped[Campaign | None] = relationship()

    @property
    def eligible_tiers(self) -> list[str]:
        return [t for t in self.tiers.split(",") if t]

    @property
    def assignment_deadline(self) -> datetime | None:
        return self.due_at if self.status == "assigned" else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.company_name!r} {self.status}>"


class LeadOwnership(TenantMixin, db.Model):
    """One period during which a partner owned a lead (claimed it or accepted an assignment)."""

    __tablename__ = "lead_ownerships"
    __table_args__ = (
        CheckConstraint("via IN ('claim', 'assignment')", name="via"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_in(OUTCOMES)})", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))


class LeadEvent(db.Model):
    """The lead's history: every change of owner or state, with who, when and why."""

    __tablename__ = "lead_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    to_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254), default="system")
    reason: Mapped[str] = mapped_column(String(500), default="")


class LeadActivity(TenantMixin, db.Model):
    """A follow-up by the owning partner: a call, e-mail, meeting or note."""

    __tablename__ = "lead_activities"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(ACTIVITY_KINDS)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return ACTIVITY_LABELS.get(self.kind, self.kind)


class LeadCooldown(TenantMixin, db.Model):
    """A partner that let a lead lapse may not claim it again before `until`."""

    __tablename__ = "lead_cooldowns"
    __table_args__ = (UniqueConstraint("lead_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(30))  # fell_back | assignment_lapsed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadImport(db.Model):
    """An uploaded lead file, checked row by row and shown as a preview before it is applied."""

    __tablename__ = "lead_imports"
    __table_args__ = (
        CheckConstraint("status IN ('invalid', 'ready', 'applied')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10))
    total_rows: Mapped[int] = mapped_column(default=0)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # cleaned, valid rows
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)  # all of them; `problems` keeps 500
    created_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
