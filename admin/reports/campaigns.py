"""Campaign results: the published campaigns running in the range, each with its enrolled partners,
MDF figures and the registrations and leads attributed to it (in the campaign's currency), counted
over the partners in scope with the same rules as the campaigns' results service, which gives the
per-partner drill-down of one campaign."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, func, select

from admin.reports import charts
from admin.reports.base import Chart, Column, Report, ReportPage, Stat, Table, one_page, percent, register
from admin.reports.filters import Filters
from admin.reports.paging import ordered, page_list
from admin.reports.pipeline import money_list
from opportunities.campaigns.models import Campaign, CampaignEnrolment, MdfClaim, MdfRequest
from opportunities.campaigns.services import results
from opportunities.leads.models import Lead
from opportunities.leads.services import campaign_results as lead_results
from opportunities.registrations.models import Registration
from opportunities.registrations.services import attribution_results as deals
from portal.extensions import db
from portal.models import Partner
from portal.money import Money

MONEY = ("requested", "approved", "claimed", "paid", "pipeline", "won")


def _scope(filters: Filters, column: Any) -> list[Any]:
    conds = filters.partner_conditions()
    return [column.in_(select(Partner.id).where(*conds))] if conds else []


def campaign_rows(filters: Filters) -> Select:
    """One row per published campaign overlapping the range."""
    enrolled = (select(CampaignEnrolment.campaign_id, func.count().label("enrolled"))
                .where(*_scope(filters, CampaignEnrolment.partner_id))
                .group_by(CampaignEnrolment.campaign_id).subquery("enrolled"))
    mdf = (select(MdfRequest.campaign_id, func.count().label("requests"),
                  func.sum(MdfRequest.requested_minor).label("requested"),
                  func.sum(MdfRequest.approved_minor).filter(MdfRequest.status.in_(results.APPROVED_STATUSES))
                  .label("approved"))
           .where(MdfRequest.status != "cancelled", *_scope(filters, MdfRequest.partner_id))
           .group_by(MdfRequest.campaign_id).subquery("mdf"))
    claims = (select(MdfRequest.campaign_id, func.sum(MdfClaim.amount_minor).label("claimed"),
                     func.sum(MdfClaim.approved_minor).filter(MdfClaim.status == "paid").label("paid"))
              .select_from(MdfClaim).join(MdfRequest, MdfRequest.id == MdfClaim.request_id)
              .where(MdfClaim.status != "rejected", *_scope(filters, MdfClaim.partner_id))
              .group_by(MdfRequest.campaign_id).subquery("claims"))
    # Registrations and leads attributed to the campaigns, by the rules of the campaigns' results.
    regs = deals.registration_figures(*_scope(filters, Registration.partner_id)).subquery("regs")
    leads = lead_results.lead_figures(*_scope(filters, Lead.owner_partner_id)).subquery("leads")
    stmt = (select(Campaign.id.label("campaign_id"), Campaign.name.label("campaign"), Campaign.starts_on,
                   Campaign.ends_on, Campaign.currency.label("currency"), Campaign.mdf_budget_minor.label("budget"),
                   func.coalesce(enrolled.c.enrolled, 0).label("enrolled"),
                   func.coalesce(mdf.c.requests, 0).label("requests"),
                   *(func.coalesce(c, 0).label(k) for k, c in (
                       ("requested", mdf.c.requested), ("approved", mdf.c.approved),
                       ("claimed", claims.c.claimed), ("paid", claims.c.paid))),
                   *(func.coalesce(getattr(regs.c, k), 0).label(k) for k in deals.REGISTRATION_FIGURES),
                   *(func.coalesce(getattr(leads.c, k), 0).label(k) for k in lead_results.LEAD_FIGURES))
            .outerjoin(enrolled, enrolled.c.campaign_id == Campaign.id)
            .outerjoin(mdf, mdf.c.campaign_id == Campaign.id)
            .outerjoin(claims, claims.c.campaign_id == Campaign.id)
            .outerjoin(regs, regs.c.campaign_id == Campaign.id)
            .outerjoin(leads, leads.c.campaign_id == Campaign.id)
            .where(Campaign.status == "published", Campaign.starts_on <= filters.date_to,
                   Campaign.ends_on >= filters.date_from))
    return stmt.where(Campaign.currency == filters.currency) if filters.currency else stmt


def _row(r: Any) -> dict[str, Any]:
    row = dict(r._mapping)
    cur = row["currency"]
    for key in (*MONEY, "budget"):
        row[key] = Money(int(row[key] or 0), cur)
    row["used"] = percent(row["approved"].amount_minor, row["budget"].amount_minor)
    row["period"] = f"{row['starts_on'].isoformat()} – {row['ends_on'].isoformat()}"
    return row


SORTS = {"campaign": ("campaign",), "starts": ("starts_on",), "enrolled": ("enrolled",), "requests": ("requests",),
         "approved": ("currency", "approved"), "paid": ("currency", "paid"), "registrations": ("registrations",),
         "pipeline": ("currency", "pipeline"), "won": ("currency", "won"), "leads": ("leads",)}
COLUMNS = [Column("campaign", "Campaign", "campaign", "campaign"), Column("period", "Runs", "period", "starts"),
           Column("enrolled", "Enrolled", "int", "enrolled"),
           Column("requests", "Requests", "int", "requests"), Column("requested", "Requested", "money"),
           Column("approved", "Approved", "money", "approved"), Column("claimed", "Claimed", "money"),
           Column("paid", "Paid", "money", "paid"), Column("budget", "Budget", "money"),
           Column("used", "Budget used", "percent")]
# The same rows' attributed deals, in a second table (one table of both would not fit a page).
DEAL_COLUMNS = [Column("campaign", "Campaign", "campaign"), Column("period", "Runs", "period"),
                Column("registrations", "Registrations", "int", "registrations"),
                Column("pipeline", "Pipeline", "money", "pipeline"), Column("won", "Won revenue", "money", "won"),
                Column("other_currency", "Other currency", "int"), Column("leads", "Leads", "int", "leads"),
                Column("leads_converted", "Leads converted", "int")]


def drill_down(filters: Filters, campaign: Campaign) -> Table:
    """One campaign's figures per partner in scope, from the campaigns' results service."""
    res = results.campaign_results(campaign)
    ids = [row.partner.id for row in res.rows]
    conds = filters.partner_conditions()
    allowed = set(db.session.scalars(select(Partner.id).where(Partner.id.in_(ids), *conds))) if conds and ids \
        else set(ids)
    columns = [Column("partner", "Partner", "partner"), Column("tier", "Tier", "status"), Column("region", "Region"),
               Column("enrolled_on", "Enrolled on", "date")]
    columns += [Column(f.key, f.label, "money" if f.kind == "money" else "int") for f in res.figures]
    rows, footer = [], {"partner": "Total", "enrolled_on": None}
    for row in res.rows:
        if row.partner.id not in allowed:
            continue
        data = {"partner_id": row.partner.id, "partner": row.partner.name, "tier": row.partner.tier,
                "region": row.partner.region, "enrolled_on": row.enrolled_at.date() if row.enrolled_at else None}
        for f in res.figures:
            value = row.values.get(f.key)
            data[f.key] = value
            if value is not None:
                footer[f.key] = value if footer.get(f.key) is None else footer[f.key] + value
        rows.append(data)
    return Table(f"{campaign.name}: by partner", columns, one_page(rows), footer=footer if rows else None,
                 paged=False, empty="No partner in scope enrolled or asked for funds.")


def _split(table: Table, campaign: Campaign) -> list[Table]:
    """The drill-down as two tables that fit a page: MDF figures, then the other features' figures."""
    who, figures = table.columns[:4], table.columns[4:]
    mdf = [c for c in figures if c.key.startswith("mdf_")]
    others = [c for c in figures if not c.key.startswith("mdf_")]
    if not others:
        return [table]
    return [replace(table, columns=who + mdf),
            replace(table, title=f"{campaign.name}: attributed deals by partner", columns=who + others)]


def build(filters: Filters, args: Any) -> ReportPage:
    # Campaigns are few: one query gives the table (sorted in SQL) and the charts.
    stmt, sort = ordered(campaign_rows(filters), args.get("sort"), SORTS, "-starts", tiebreak=("campaign", "campaign_id"))
    rows = [_row(r) for r in db.session.execute(stmt)]
    page = page_list(rows, args, sort)
    enrolled_chart = charts.bar_chart([charts.Bar(r["campaign"][:26], r["enrolled"], str(r["enrolled"]))
                                       for r in sorted(rows, key=lambda r: -r["enrolled"])[:10]],
                                      title="Enrolled partners per campaign", width=charts.HALF, label_width=190)
    used_chart = charts.bar_chart([charts.Bar(r["campaign"][:26], r["used"] or 0, f"{r['used'] or 0} %")
                                   for r in rows if r["budget"].amount_minor][:10],
                                  title="MDF approved, as a share of the budget", width=charts.HALF, label_width=190)
    tables = [Table("Campaigns", COLUMNS, page, empty="No published campaign runs in this period."),
              Table("Attributed deals", DEAL_COLUMNS, page, paged=False, empty="No published campaign runs in this period.",
                    note="Registrations and leads of the partners in scope; money in the campaign's currency only.")]
    extra: dict[str, Any] = {"campaigns": [(r["campaign_id"], r["campaign"]) for r in rows]}
    if filters.campaign_id is not None:
        campaign = db.session.get(Campaign, filters.campaign_id)
        if campaign is not None:
            tables[:0] = _split(drill_down(filters, campaign), campaign)
            extra["campaign"] = campaign
    return ReportPage(
        summary=[Stat("Campaigns", str(len(rows)), "published, running in the period"),
                 Stat("Enrolments", str(sum(r["enrolled"] for r in rows))),
                 Stat("MDF approved", money_list([r["approved"] for r in rows]) or "—", "per currency"),
                 Stat("MDF paid", money_list([r["paid"] for r in rows]) or "—"),
                 Stat("Registrations attributed", str(sum(r["registrations"] for r in rows)),
                      f"{sum(r['leads'] for r in rows)} leads attributed"),
                 Stat("Pipeline attributed", money_list([r["pipeline"] for r in rows]) or "—", "open registrations"),
                 Stat("Won revenue", money_list([r["won"] for r in rows]) or "—", "won registrations")],
        charts=[Chart("Enrolments", enrolled_chart, wide=False), Chart("MDF budget used", used_chart, wide=False)],
        tables=tables, extra=extra)


def export(filters: Filters) -> tuple[list[str], Any]:
    header = ["campaign", "starts_on", "ends_on", "currency", "enrolled", "requests", "requested", "approved",
              "claimed", "paid", "budget", "used", *deals.REGISTRATION_FIGURES, *lead_results.LEAD_FIGURES]

    def rows() -> Any:
        for r in db.session.execute(campaign_rows(filters).order_by("starts_on", "campaign_id")):
            row = _row(r)
            yield [row[k] for k in header]
    return header, rows()


REPORT = register(Report("campaigns", "Campaign results", "megaphone",
                         "Published campaigns running in the period: enrolled partners, market development "
                         "funds requested, approved, claimed and paid, and the registrations and leads attributed "
                         "to them.", build, export, uses_currency=True,
                         uses_campaign=True))
