"""Lead to registration to order conversion, per partner: of the leads partners took in the range
(claimed or accepted), how many they converted into deal registrations and how many of those
were won with an order; and of the registrations submitted in the range, how many were won with
an order."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from admin.reports import charts
from admin.reports.base import Chart, Column, Report, ReportPage, Stat, Table, percent, register
from admin.reports.filters import Filters
from admin.reports.paging import page_list, sort_rows
from opportunities.leads.models import LeadOwnership
from opportunities.registrations.models import Registration
from portal.extensions import db
from portal.models import Partner

FIGURES = ("leads", "converted", "leads_won", "registrations", "won")
WON = and_(Registration.status == "won", Registration.won_order_id.is_not(None))


def _in_scope(filters: Filters, column: Any) -> list[Any]:
    conds = filters.partner_conditions()
    return [column.in_(select(Partner.id).where(*conds))] if conds else []


def lead_figures(filters: Filters) -> Any:
    """Per partner: leads taken, converted, and won with an order (via the registration it became)."""
    return (select(LeadOwnership.partner_id.label("partner_id"),
                   func.count(LeadOwnership.id.distinct()).label("leads"),
                   func.count(LeadOwnership.id.distinct()).filter(LeadOwnership.outcome == "converted").label("converted"),
                   func.count(Registration.id.distinct()).filter(WON).label("leads_won"))
            .select_from(LeadOwnership)
            .outerjoin(Registration, and_(LeadOwnership.outcome == "converted",
                                          Registration.lead_id == LeadOwnership.lead_id,
                                          Registration.partner_id == LeadOwnership.partner_id))
            .where(LeadOwnership.started_at >= filters.start, LeadOwnership.started_at < filters.end,
                   *_in_scope(filters, LeadOwnership.partner_id))
            .group_by(LeadOwnership.partner_id).subquery("lead_figures"))


def registration_figures(filters: Filters) -> Any:
    """Per partner: registrations submitted (from any source) and those won with an order."""
    return (select(Registration.partner_id.label("partner_id"), func.count().label("registrations"),
                   func.count().filter(WON).label("won"))
            .where(Registration.submitted_at >= filters.start, Registration.submitted_at < filters.end,
                   *_in_scope(filters, Registration.partner_id))
            .group_by(Registration.partner_id).subquery("registration_figures"))


def partner_rows(filters: Filters) -> Select:
    leads, regs = lead_figures(filters), registration_figures(filters)
    figures = [func.coalesce(leads.c[k], 0).label(k) for k in ("leads", "converted", "leads_won")]
    figures += [func.coalesce(regs.c[k], 0).label(k) for k in ("registrations", "won")]
    return (select(Partner.id.label("partner_id"), Partner.name.label("partner"), Partner.region, Partner.tier,
                   *figures)
            .select_from(Partner)
            .outerjoin(leads, leads.c.partner_id == Partner.id)
            .outerjoin(regs, regs.c.partner_id == Partner.id)
            .where(or_(leads.c.partner_id.is_not(None), regs.c.partner_id.is_not(None))))


def rows_of(filters: Filters) -> list[dict[str, Any]]:
    """Every partner with a figure in the range (one query), rates included."""
    return [with_rates(dict(r._mapping)) for r in db.session.execute(partner_rows(filters))]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums over the partners' rows, with their rates."""
    return with_rates({k: sum(r[k] for r in rows) for k in FIGURES})


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["conversion_rate"] = percent(row["converted"], row["leads"])
    row["lead_win_rate"] = percent(row["leads_won"], row["converted"])
    row["win_rate"] = percent(row["won"], row["registrations"])
    return row


SORTS = {"partner": lambda r: r["partner"].lower(), **{k: (lambda r, k=k: r[k]) for k in FIGURES}}
COLUMNS = [Column("partner", "Partner", "partner", "partner"), Column("leads", "Leads taken", "int", "leads"),
           Column("converted", "Converted", "int", "converted"), Column("conversion_rate", "% converted", "percent"),
           Column("leads_won", "Won from leads", "int", "leads_won"),
           Column("registrations", "Registrations", "int", "registrations"),
           Column("won", "Won with order", "int", "won"), Column("win_rate", "% won", "percent")]


def build(filters: Filters, args: Any) -> ReportPage:
    rows = rows_of(filters)
    total = totals(rows)
    funnel = charts.bar_chart([
        charts.Bar("Leads taken", total["leads"], str(total["leads"]), charts.PALETTE[0]),
        charts.Bar("Converted", total["converted"], f"{total['converted']} ({_pct(total['conversion_rate'])})",
                   charts.PALETTE[1]),
        charts.Bar("Won with order", total["leads_won"], f"{total['leads_won']} ({_pct(total['lead_win_rate'])})",
                   charts.PALETTE[2])], title="Leads taken, converted to registrations, won with an order",
        width=charts.HALF, label_width=120)
    registrations = charts.bar_chart([
        charts.Bar("Registrations", total["registrations"], str(total["registrations"]), charts.PALETTE[0]),
        charts.Bar("Won with order", total["won"], f"{total['won']} ({_pct(total['win_rate'])})", charts.PALETTE[2])],
        title="Registrations submitted and won with an order", width=charts.HALF, label_width=120)
    ordered_rows, sort = sort_rows(rows, args.get("sort"), SORTS, "-leads",
                                   tiebreak=lambda r: (r["partner"].lower(), r["partner_id"]))
    page = page_list(ordered_rows, args, sort)
    return ReportPage(
        summary=[Stat("Leads taken", str(total["leads"]), "claimed or accepted in the period"),
                 Stat("Lead → registration", _pct(total["conversion_rate"])),
                 Stat("Registrations", str(total["registrations"]), "submitted in the period"),
                 Stat("Registration → order", _pct(total["win_rate"]))],
        charts=[Chart("Lead funnel", funnel, wide=False), Chart("Registrations", registrations, wide=False)],
        tables=[Table("By partner", COLUMNS, page, footer={"partner": "All partners", **total})])


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value} %"


def export(filters: Filters) -> tuple[list[str], Any]:
    header = ["partner", "region", "tier", *FIGURES, "conversion_rate", "lead_win_rate", "win_rate"]
    rows = sorted(rows_of(filters), key=lambda r: (r["partner"], r["partner_id"]))
    return header, ([r[k] for k in header] for r in rows)


REPORT = register(Report("conversion", "Conversion", "arrow-right-circle",
                         "Leads taken by partners, converted to deal registrations and won with an order; "
                         "registrations submitted and won with an order.", build, export))
