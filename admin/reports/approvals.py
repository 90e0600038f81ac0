"""Registration approval time: from a registration's submission to the `approved` entry of the
registration event log, for approvals made in the range; median and 90th percentile computed in
the database, overall, per month of approval and per partner."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from admin.reports import charts
from admin.reports.base import (
    Chart, Column, Report, ReportPage, Stat, Table, duration_text, hours, one_page, register,
)
from admin.reports.filters import Filters
from admin.reports.paging import ordered, page_of
from admin.reports.sql import month_of, percentiles, seconds_between
from opportunities.models import Registration, RegistrationEvent
from portal.extensions import db
from portal.models import Partner

PERCENTS = (50, 90)


def approvals(filters: Filters) -> Any:
    """Each approval in the range: partner, month of approval, seconds it took (a subquery)."""
    return (select(Registration.partner_id, Partner.name.label("partner"),
                   month_of(RegistrationEvent.at).label("month"),
                   seconds_between(RegistrationEvent.at, Registration.submitted_at).label("seconds"))
            .select_from(RegistrationEvent)
            .join(Registration, Registration.id == RegistrationEvent.registration_id)
            .join(Partner, Partner.id == Registration.partner_id)
            .where(RegistrationEvent.event == "approved", RegistrationEvent.at >= filters.start,
                   RegistrationEvent.at < filters.end, *filters.partner_conditions())
            .subquery("approvals"))


def _figures(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("mean", "p50", "p90"):
        data[key] = float(data[key]) if data[key] is not None else None
    return data


def overall(filters: Filters) -> dict[str, Any]:
    row = db.session.execute(percentiles(approvals(filters), "seconds", [], PERCENTS)).one()
    return _figures(row)


def by_month(filters: Filters) -> dict[str, dict[str, Any]]:
    stmt = percentiles(approvals(filters), "seconds", ["month"], PERCENTS)
    return {r["month"]: r for r in map(_figures, db.session.execute(stmt))}


def by_partner(filters: Filters) -> Select:
    return percentiles(approvals(filters), "seconds", ["partner_id", "partner"], PERCENTS)


SORTS = {"partner": ("partner",), "approvals": ("n",), "median": ("p50",), "p90": ("p90",), "mean": ("mean",)}
COLUMNS = [Column("partner", "Partner", "partner", "partner"), Column("n", "Approvals", "int", "approvals"),
           Column("p50", "Median", "duration", "median"), Column("p90", "90th percentile", "duration", "p90"),
           Column("mean", "Average", "duration", "mean")]


def build(filters: Filters, args: Any) -> ReportPage:
    total = overall(filters)
    months = by_month(filters)
    labels = filters.months()
    series = []
    for key, name, colour in (("p50", "Median", charts.PALETTE[0]), ("p90", "90th percentile", charts.PALETTE[3])):
        values = [months.get(m, {}).get(key) for m in labels]
        series.append(charts.Series(name, [hours(v) or 0 for v in values], [duration_text(v) for v in values], colour))
    chart = charts.column_chart(labels, series, title="Approval time per month (hours): median and 90th percentile",
                                axis=lambda v: charts.compact(v, "h"))
    stmt, sort = ordered(by_partner(filters), args.get("sort"), SORTS, "-p90", tiebreak=("partner", "partner_id"))
    page = page_of(stmt, args, sort, _figures)
    month_rows = [dict(months[m], month=m) for m in reversed(labels) if m in months]
    return ReportPage(
        summary=[Stat("Approvals", str(total["n"])), Stat("Median", duration_text(total["p50"]), "submission to approval"),
                 Stat("90th percentile", duration_text(total["p90"]), "9 in 10 approvals took at most this"),
                 Stat("Average", duration_text(total["mean"]))],
        charts=[Chart("Approval time per month", chart)],
        tables=[Table("By partner", COLUMNS, page, footer={"partner": "All partners", **total}),
                Table("By month of approval", [Column("month", "Month", "month"), Column("n", "Approvals", "int"),
                                               Column("p50", "Median", "duration"),
                                               Column("p90", "90th percentile", "duration"),
                                               Column("mean", "Average", "duration")],
                      one_page(month_rows), paged=False)])


def export(filters: Filters) -> tuple[list[str], Any]:
    """The overall figures, then one row per month and one per partner (times in hours)."""
    header = ["scope", "name", "approvals", "median_hours", "p90_hours", "average_hours"]

    def line(scope: str, name: str, row: dict[str, Any]) -> list[Any]:
        return [scope, name, row["n"], hours(row["p50"]), hours(row["p90"]), hours(row["mean"])]

    def rows() -> Any:
        yield line("all", "All partners", overall(filters))
        for month, row in sorted(by_month(filters).items()):
            yield line("month", month, row)
        for r in db.session.execute(by_partner(filters).order_by("partner", "partner_id")):
            row = _figures(r)
            yield line("partner", row["partner"], row)
    return header, rows()


REPORT = register(Report("approval-time", "Approval time", "stopwatch",
                         "How long deal registrations waited from submission to approval (median and 90th "
                         "percentile), for approvals made in the period.", build, export))
