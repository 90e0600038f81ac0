"""Campaign results for staff: enrolled partners and figures per partner, with totals and CSV.

Figures come from sources in `registry().campaign_results`: another feature's `init_app` adds
`ResultSource((Figure("pipeline", "Pipeline", "money"), ...), load)` where
`load(campaign) -> {partner_id: {"pipeline": Money(...), ...}}`. The MDF figures come first.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import func, select

from opportunities.campaigns.models import Campaign, CampaignEnrolment, MdfClaim, MdfRequest
from portal import exports
from portal.extension_points import registry
from portal.extensions import db
from portal.models import PARTNER_TIERS, Partner
from portal.money import Money

Value = int | Money


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # "count" | "money"


@dataclass(frozen=True)
class ResultSource:
    figures: tuple[Figure, ...]
    load: Callable[[Campaign], Mapping[int, Mapping[str, Value]]]


@dataclass
class PartnerRow:
    partner: Partner
    enrolled_at: datetime | None
    values: dict[str, Value] = field(default_factory=dict)


@dataclass
class CampaignResults:
    campaign: Campaign
    figures: list[Figure]
    rows: list[PartnerRow]
    totals: dict[str, int | list[Money]]
    enrolled: int

    def mdf(self, key: str) -> Money:
        """A total MDF figure in the campaign's currency (zero when none)."""
        found = [m for m in self.totals.get(key, []) or [] if isinstance(m, Money)]
        return found[0] if found else Money.zero(self.campaign.currency)


MDF_FIGURES = (
    Figure("mdf_requests", "MDF requests", "count"),
    Figure("mdf_requested", "MDF requested", "money"),
    Figure("mdf_approved", "MDF approved", "money"),
    Figure("mdf_claimed", "MDF claimed", "money"),
    Figure("mdf_paid", "MDF paid", "money"),
)
APPROVED_STATUSES = ("approved", "claimed", "claim_approved", "paid")


def _mdf_by_partner(campaign: Campaign) -> dict[int, dict[str, Value]]:
    """Per partner: requests (not cancelled), requested, approved (still standing), claimed
    (claims not rejected) and paid, in the campaign's currency."""
    out: dict[int, dict[str, Value]] = {}
    cur = campaign.currency

    def add(partner_id: int, key: str, value: Value) -> None:
        row = out.setdefault(partner_id, {})
        row[key] = row.get(key, 0 if isinstance(value, int) else Money.zero(cur)) + value  # type: ignore[operator]

    rows = db.session.execute(select(MdfRequest.partner_id, MdfRequest.status, func.count(),
                                     func.sum(MdfRequest.requested_minor), func.sum(MdfRequest.approved_minor))
                              .where(MdfRequest.campaign_id == campaign.id, MdfRequest.status != "cancelled")
                              .group_by(MdfRequest.partner_id, MdfRequest.status))
    for partner_id, status, count, requested, approved in rows:
        add(partner_id, "mdf_requests", int(count))
        add(partner_id, "mdf_requested", Money(int(requested or 0), cur))
        if status in APPROVED_STATUSES:
            add(partner_id, "mdf_approved", Money(int(approved or 0), cur))
    claims = db.session.execute(select(MdfClaim.partner_id, MdfClaim.status, func.sum(MdfClaim.amount_minor),
                                       func.sum(MdfClaim.approved_minor))
                                .join(MdfRequest, MdfRequest.id == MdfClaim.request_id)
                                .where(MdfRequest.campaign_id == campaign.id, MdfClaim.status != "rejected")
                                .group_by(MdfClaim.partner_id, MdfClaim.status))
    for partner_id, status, claimed, approved in claims:
        add(partner_id, "mdf_claimed", Money(int(claimed or 0), cur))
        if status == "paid":
            add(partner_id, "mdf_paid", Money(int(approved or 0), cur))
    return out


def init_app(app: Flask) -> None:
    """The MDF figures come first in every campaign's results; other features add theirs
    (`registry().campaign_results`)."""
    registry(app).campaign_results.insert(0, ResultSource(MDF_FIGURES, _mdf_by_partner))


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Enrolled partners (and any partner with figures), each source's figures, and totals."""
    enrolled = dict(db.session.execute(select(CampaignEnrolment.partner_id, CampaignEnrolment.created_at)
                                       .where(CampaignEnrolment.campaign_id == campaign.id)).all())
    figures: list[Figure] = []
    values: dict[int, dict[str, Value]] = {}
    for source in registry().campaign_results:
        figures.extend(source.figures)
        for partner_id, found in source.load(campaign).items():
            values.setdefault(partner_id, {}).update(found)
    ids = set(enrolled) | set(values)
    partners = {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(ids)))} if ids else {}
    rows = sorted((PartnerRow(partners[i], enrolled.get(i), values.get(i, {})) for i in ids if i in partners),
                  key=lambda r: r.partner.name.lower())
    totals: dict[str, int | list[Money]] = {}
    for fig in figures:
        if fig.kind == "count":
            totals[fig.key] = sum(int(r.values.get(fig.key, 0)) for r in rows)  # type: ignore[arg-type]
        else:
            by_currency: dict[str, Money] = {}
            for r in rows:
                money = r.values.get(fig.key)
                if isinstance(money, Money):
                    by_currency[money.currency] = by_currency.get(money.currency, Money.zero(money.currency)) + money
            totals[fig.key] = [by_currency[c] for c in sorted(by_currency)]
    return CampaignResults(campaign, figures, rows, totals, len(enrolled))


def enrolled_by_tier(results: CampaignResults) -> list[tuple[str, int]]:
    counts = {t: 0 for t in PARTNER_TIERS}
    for row in results.rows:
        if row.enrolled_at is not None:
            counts[row.partner.tier] = counts.get(row.partner.tier, 0) + 1
    return list(counts.items())


def results_csv(results: CampaignResults) -> str:
    """One row per partner: who, when enrolled, then every figure (money as amount + currency)."""
    out = io.StringIO()
    writer = exports.csv_writer(out, lineterminator="\r\n")
    header = ["partner", "tier", "kind", "region", "country", "enrolled_on"]
    for fig in results.figures:
        header += [fig.key] if fig.kind == "count" else [fig.key, f"{fig.key}_currency"]
    writer.writerow(header)
    for row in results.rows:
        p = row.partner
        line: list[str | int] = [p.name, p.tier, p.kind, p.region, p.country,
                                 row.enrolled_at.date().isoformat() if row.enrolled_at else ""]
        for fig in results.figures:
            value = row.values.get(fig.key)
            if fig.kind == "count":
                line.append(int(value or 0))  # type: ignore[arg-type]
            elif isinstance(value, Money):
                line += [value.as_str(), value.currency]
            else:
                line += ["", ""]
        writer.writerow(line)
    return "\ufeff" + out.getvalue()
