"""A partner's 360-degree view: its users, credit, orders, quotes, registrations, leads, campaigns and
MDF, each as counts by status plus the latest few, in a fixed number of queries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from opportunities.campaigns.models import Campaign, CampaignEnrolment, MdfRequest
from opportunities.leads.models import Lead, LeadOwnership
from opportunities.registrations.models import Registration
from orders.models import Order
from orders.quotes.models import Quote
from orders.quotes.services import queries as quote_queries
from orders.services.placing import CreditSummary, credit_summary
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money

RECENT = 6


def can_view(user: Any, partner: Partner) -> bool:
    """Admins and sales ops see every partner's 360 (read-only); a partner manager only the partners it
    manages."""
    role = getattr(user, "role", None)
    if role in ("admin", "sales_ops"):
        return True
    return role == "partner_manager" and partner.manager_id == user.id


@dataclass
class Section:
    """One kind of record of the partner: how many per status, the latest few, and money per status."""

    counts: dict[str, int] = field(default_factory=dict)
    recent: list[Any] = field(default_factory=list)
    values: dict[str, list[Money]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, *statuses: str) -> int:
        return sum(self.counts.get(s, 0) for s in statuses)

    def value(self, *statuses: str) -> list[Money]:
        """Money in these statuses, one amount per currency."""
        sums: dict[str, int] = {}
        for status in statuses:
            for money in self.values.get(status, []):
                sums[money.currency] = sums.get(money.currency, 0) + money.amount_minor
        return [Money(minor, currency) for currency, minor in sorted(sums.items())]


@dataclass
class Partner360:
    """Everything staff see on a partner's 360 page (the timeline is paged separately)."""

    partner: Partner
    manager: User | None
    users: list[User]
    credit: CreditSummary
    orders: Section
    quotes: Section
    registrations: Section
    leads: Section
    leads_lapsed: int
    enrolments: list[tuple[CampaignEnrolment, Campaign]]
    mdf: Section
    mdf_granted: list[Money]


def _section(stmt: Select, status: Any, recent_order: Iterable[Any], money: tuple[Any, Any] | None = None,
             options: Iterable[Any] = ()) -> Section:
    """Counts (and sums) by status in one query, the latest RECENT in another."""
    sub = stmt.subquery()
    columns = [sub.c[status.key], func.count()]
    if money is not None:
        columns += [sub.c[money[0].key], func.coalesce(func.sum(sub.c[money[1].key]), 0)]
    group = [sub.c[status.key]] + ([sub.c[money[0].key]] if money is not None else [])
    section = Section()
    for row in db.session.execute(select(*columns).group_by(*group)):
        section.counts[row[0]] = section.counts.get(row[0], 0) + row[1]
        if money is not None:
            section.values.setdefault(row[0], []).append(Money(int(row[3]), row[2]))
    section.recent = list(db.session.scalars(stmt.options(*options).order_by(*recent_order).limit(RECENT)).unique())
    return section


def build(partner: Partner) -> Partner360:
    """The partner's 360 (about 15 queries, whatever the partner's size)."""
    users = list(db.session.scalars(select(User).where(User.partner_id == partner.id)
                                    .order_by(User.active.desc(), User.name)))
    manager = db.session.get(User, partner.manager_id) if partner.manager_id else None
    orders = _section(Order.for_partner(partner), Order.status, (Order.created_at.desc(), Order.id.desc()),
                      (Order.currency, Order.total_minor))
    quotes = _section(quote_queries.partner_quotes(partner), Quote.status,
                      (Quote.updated_at.desc(), Quote.id.desc()), (Quote.currency, Quote.total_minor))
    registrations = _section(Registration.for_partner(partner), Registration.status,
                             (Registration.submitted_at.desc(), Registration.id.desc()),
                             (Registration.currency, Registration.amount_minor))
    leads = _section(select(Lead).where(Lead.owner_partner_id == partner.id), Lead.status,
                     (Lead.updated_at.desc(), Lead.id.desc()))
    lapsed = db.session.scalar(select(func.count(LeadOwnership.id)).where(
        LeadOwnership.partner_id == partner.id, LeadOwnership.outcome == "fell_back")) or 0
    enrolments = [(e, c) for e, c in db.session.execute(
        select(CampaignEnrolment, Campaign).join(Campaign, Campaign.id == CampaignEnrolment.campaign_id)
        .where(CampaignEnrolment.partner_id == partner.id).order_by(Campaign.ends_on.desc(), Campaign.id.desc()))]
    mdf = _section(MdfRequest.for_partner(partner), MdfRequest.status,
                   (MdfRequest.created_at.desc(), MdfRequest.id.desc()),
                   (MdfRequest.currency, MdfRequest.requested_minor), options=(joinedload(MdfRequest.campaign),))
    return Partner360(partner, manager, users, credit_summary(partner), orders, quotes, registrations, leads,
                      lapsed, enrolments, mdf, mdf_granted(partner))


def mdf_granted(partner: Partner) -> list[Money]:
    """MDF granted to the partner (approved, claimed or paid), per currency (one query)."""
    rows = db.session.execute(
        select(MdfRequest.currency, func.coalesce(func.sum(MdfRequest.approved_minor), 0))
        .where(MdfRequest.partner_id == partner.id,
               MdfRequest.status.in_(("approved", "claimed", "claim_approved", "paid")))
        .group_by(MdfRequest.currency)).all()
    return [Money(int(minor), currency) for currency, minor in rows if minor]

