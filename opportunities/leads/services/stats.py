"""Pool statistics for staff: per region and per partner, how many leads were claimed, accepted,
converted, released and fell back, and the median time from taking a lead to its first activity."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from opportunities.leads.models import Lead, LeadOwnership
from portal.extensions import db
from portal.models import Partner


@dataclass
class StatRow:
    """One line of the statistics (a region, a partner, or the total)."""

    key: str
    partner_id: int | None = None
    claimed: int = 0  # taken from the pool
    accepted: int = 0  # assignments accepted
    converted: int = 0
    fell_back: int = 0
    released: int = 0
    open_now: int = 0  # still owned
    in_pool: int = 0  # regions only: leads waiting in the pool now
    waits: list[timedelta] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return self.claimed + self.accepted

    @property
    def median_first_activity(self) -> timedelta | None:
        return median(self.waits) if self.waits else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.taken if self.taken else None

    def add(self, via: str, outcome: str | None, wait: timedelta | None) -> None:
        if via == "claim":
            self.claimed += 1
        else:
            self.accepted += 1
        if outcome == "converted":
            self.converted += 1
        elif outcome == "fell_back":
            self.fell_back += 1
        elif outcome == "released":
            self.released += 1
        elif outcome is None:
            self.open_now += 1
        if wait is not None:
            self.waits.append(wait)


@dataclass
class PoolStats:
    by_region: list[StatRow]
    by_partner: list[StatRow]
    total: StatRow


def pool_stats(since: datetime | None = None, until: datetime | None = None,
               region: str | None = None) -> PoolStats:
    """Statistics over the ownerships that started in [since, until)."""
    stmt = (select(LeadOwnership.partner_id, Partner.name, Lead.region, LeadOwnership.via,
                   LeadOwnership.outcome, LeadOwnership.started_at, LeadOwnership.first_activity_at)
            .join(Lead, Lead.id == LeadOwnership.lead_id)
            .join(Partner, Partner.id == LeadOwnership.partner_id))
    if since is not None:
        stmt = stmt.where(LeadOwnership.started_at >= since)
    if until is not None:
        stmt = stmt.where(LeadOwnership.started_at < until)
    if region:
        stmt = stmt.where(func.lower(Lead.region) == region.lower())
    regions: dict[str, StatRow] = {}
    partners: dict[int, StatRow] = {}
    total = StatRow("All")
    for partner_id, name, lead_region, via, outcome, started, first in db.session.execute(stmt):
        wait = first - started if first is not None else None
        for row in (regions.setdefault(lead_region.lower(), StatRow(lead_region)),
                    partners.setdefault(partner_id, StatRow(name, partner_id)), total):
            row.add(via, outcome, wait)
    pool = select(Lead.region, func.count(Lead.id)).where(Lead.status == "pool").group_by(Lead.region)
    if region:
        pool = pool.where(func.lower(Lead.region) == region.lower())
    for lead_region, count in db.session.execute(pool):
        regions.setdefault(lead_region.lower(), StatRow(lead_region)).in_pool += count
        total.in_pool += count
    return PoolStats(by_region=sorted(regions.values(), key=lambda r: r.key.lower()),
                     by_partner=sorted(partners.values(), key=lambda r: r.key.lower()), total=total)


def status_counts() -> dict[str, int]:
    """How many leads are in each status now."""
    return dict(db.session.execute(select(Lead.status, func.count(Lead.id)).group_by(Lead.status)).all())
