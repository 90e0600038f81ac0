"""Registration approval time: from a registration's submission to the `approved` entry of the
registration event log, for approvals made in the range; median and 90th percentile computed in
the database, overall, per month of approval and per partner."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, tuple_

from admin.reports import charts
from admin.reports.base import (
    Chart, Column, Report, ReportPage, Stat, Table, duration_text, hours, one_page, register,
)
from admin.reports.filters import Filters
from admin.reports.paging import page_list, sort_rows
from admin.reports.sql import month_of, percentiles, seconds_between
from opportunities.registrations.models import Registration, RegistrationEvent
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


@dataclass
class Figures:
    """Approvals, average, median and 90th percentile (seconds): overall, per month, per partner."""

    overall: dict[str, Any]
    months: dict[str, dict[str, Any]]
    partners: list[dict[str, Any]]


def _clean(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("mean", "p50", "p90"):
        data[key] = float(data[key]) if data[key] is not None else None
    data["n"] = int(data["n"] or 0)
    return data


def postgresql_stmt(source: Any) -> Select:
    """One pass: PostgreSQL's percentile_cont over GROUPING SETS (everything, month, partner)."""
    c = source.c
    return (select(c.partner_id, c.partner, c.month, func.grouping(c.partner_id).label("by_partner"),
                   func.grouping(c.month).label("by_month"), func.count().label("n"), func.avg(c.seconds).label("mean"),
                   *(func.percentile_cont(p / 100).within_group(c.seconds).label(f"p{p}") for p in PERCENTS))
            .group_by(func.grouping_sets(tuple_(), tuple_(c.month), tuple_(c.partner_id, c.partner))))


def _figures_postgresql(source: Any) -> Figures:
    stmt = postgresql_stmt(source)
    overall: dict[str, Any] = {"n": 0, "mean": None, "p50": None, "p90": None}
    months, partners = {}, []
    figures = ("n", "mean", "p50", "p90")
    for row in map(_clean, db.session.execute(stmt)):
        if row["by_partner"] == 0:
            partners.append({k: row[k] for k in ("partner_id", "partner", *figures)})
        elif row["by_month"] == 0:
            months[row["month"]] = {k: row[k] for k in ("month", *figures)}
        else:
            overall = {k: row[k] for k in figures}
    return Figures(overall, months, partners)


def _figures_portable(source: Any) -> Figures:
    """Three passes with window functions (SQLite has no percentile_cont nor GROUPING SETS)."""
    overall = _clean(db.session.execute(percentiles(source, "seconds", [], PERCENTS)).one())
    months = {r["month"]: r for r in map(_clean, db.session.execute(percentiles(source, "seconds", ["month"], PERCENTS)))}
    partners = [_clean(r) for r in db.session.execute(percentiles(source, "seconds", ["partner_id", "partner"], PERCENTS))]
    return Figures(overall, months, partners)


def figures(filters: Filters) -> Figures:
    """The approval times of the approvals made in the range, computed in the database."""
    source = approvals(filters)
    if db.session.get_bind().dialect.name == "postgresql":
        return _figures_postgresql(source)
    return _figures_portable(source)


SORTS = {"partner": lambda r: r["partner"].lower(), "approvals": lambda r: r["n"],
         "median": lambda r: r["p50"] or 0.0, "p90": lambda r: r["p90"] or 0.0, "mean": lambda r: r["mean"] or 0.0}
COLUMNS = [Column("partner", "Partner", "partner", "partner"), Column("n", "Approvals", "int", "approvals"),
           Column("p50", "Median", "duration", "median"), Column("p90", "90th percentile", "duration", "p90"),
           Column("mean", "Average", "duration", "mean")]


def build(filters: Filters, args: Any) -> ReportPage:
    found = figures(filters)
    total, months = found.overall, found.months
    labels = filters.months()
    series = []
    for key, name, colour in (("p50", "Median", charts.PALETTE[0]), ("p90", "90th percentile", charts.PALETTE[3])):
        values = [months.get(m, {}).get(key) for m in labels]
        series.append(charts.Series(name, [hours(v) or 0 for v in values], [duration_text(v) for v in values], colour))
    chart = charts.column_chart(labels, series, title="Approval time per month (hours): median and 90th percentile",
                                axis=lambda v: charts.compact(v, "h"))
    ordered_rows, sort = sort_rows(found.partners, args.get("sort"), SORTS, "-p90",
                                   tiebreak=lambda r: (r["partner"].lower(), r["partner_id"]))
    page = page_list(ordered_rows, args, sort)
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

    found = figures(filters)

    def rows() -> Any:
        yield line("all", "All partners", found.overall)
        for month, row in sorted(found.months.items()):
            yield line("month", month, row)
        for row in sorted(found.partners, key=lambda r: (r["partner"], r["partner_id"])):
            yield line("partner", row["partner"], row)
    return header, rows()


REPORT = register(Report("approval-time", "Approval time", "stopwatch",
                         "How long deal registrations waited from submission to approval (median and 90th "
                         "percentile), for approvals made in the period.", build, export))
