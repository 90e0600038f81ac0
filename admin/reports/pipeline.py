"""Pipeline by stage and partner: deal registrations submitted in the range, by status, with their
estimated amounts per currency."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from admin.reports import charts
from admin.reports.base import Chart, Column, Report, ReportPage, Stat, Table, one_page, register
from admin.reports.filters import Filters
from admin.reports.paging import page_list, sort_rows
from opportunities.registrations.models import Registration
from portal.extensions import db
from portal.models import Partner
from portal.money import Money

STAGES = ("submitted", "in_review", "approved", "won", "lost", "rejected", "expired")
STAGE_LABELS = {"submitted": "Submitted", "in_review": "In review", "approved": "Approved", "won": "Won",
                "lost": "Lost", "rejected": "Rejected", "expired": "Expired"}
STAGE_COLOURS = {"submitted": "#0d6efd", "in_review": "#fd7e14", "approved": "#198754", "won": "#20c997",
                 "lost": "#6c757d", "rejected": "#dc3545", "expired": "#adb5bd"}
OPEN = ("submitted", "in_review", "approved")
SEGMENTS = [charts.Segment(s, STAGE_LABELS[s], STAGE_COLOURS[s]) for s in STAGES]


def _base(filters: Filters, *columns: Any) -> Select:
    stmt = (select(*columns).select_from(Registration).join(Partner, Partner.id == Registration.partner_id)
            .where(Registration.submitted_at >= filters.start, Registration.submitted_at < filters.end,
                   *filters.partner_conditions()))
    return stmt.where(Registration.currency == filters.currency) if filters.currency else stmt


def aggregate_stmt(filters: Filters) -> Select:
    """The one GROUP BY of the report: registrations and amount per (partner, currency, status)."""
    return _base(filters, Partner.id, Partner.name, Partner.region, Partner.tier, Registration.currency,
                 Registration.status, func.count(), func.sum(Registration.amount_minor)
                 ).group_by(Partner.id, Registration.currency, Registration.status)


def aggregate(filters: Filters) -> list[dict[str, Any]]:
    """Registrations and amount per (partner, currency, status)."""
    stmt = aggregate_stmt(filters)
    return [{"partner_id": pid, "partner": name, "region": region, "tier": tier, "currency": cur, "status": status,
             "n": int(n), "amount": int(amount or 0)} for pid, name, region, tier, cur, status, n, amount
            in db.session.execute(stmt)]


def by_stage(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (status, currency): registrations and their estimated amount."""
    out: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        figures = out.setdefault((r["status"], r["currency"]), [0, 0])
        figures[0] += r["n"]
        figures[1] += r["amount"]
    order = {s: i for i, s in enumerate(STAGES)}
    return [{"status": status, "currency": cur, "registrations": n, "amount": Money(amount, cur)}
            for (status, cur), (n, amount) in sorted(out.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))]


def stage_table(stages: list[dict[str, Any]]) -> Table:
    """Stages down, currencies across: registrations and the estimated amount in each currency."""
    currencies = sorted({r["currency"] for r in stages})
    rows = {s: {"status": s, "registrations": 0} for s in STAGES}
    for r in stages:
        rows[r["status"]]["registrations"] += r["registrations"]
        rows[r["status"]][f"amount_{r['currency']}"] = r["amount"]
    columns = [Column("status", "Stage", "status"), Column("registrations", "Registrations", "int")]
    columns += [Column(f"amount_{c}", f"Estimated amount, {c}", "money") for c in currencies]
    return Table("Amounts by stage", columns, one_page(list(rows.values())), paged=False)


def by_partner(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (partner, currency): registrations and amount per status, open, won and total amounts."""
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        row = out.get((r["partner_id"], r["currency"]))
        if row is None:
            row = out[(r["partner_id"], r["currency"])] = {
                "partner_id": r["partner_id"], "partner": r["partner"], "region": r["region"], "tier": r["tier"],
                "currency": r["currency"], "total": 0, "total_amount": 0,
                **{s: 0 for s in STAGES}, **{f"{s}_amount": 0 for s in STAGES}}
        row[r["status"]] += r["n"]
        row[f"{r['status']}_amount"] += r["amount"]
        row["total"] += r["n"]
        row["total_amount"] += r["amount"]
    for row in out.values():
        cur = row["currency"]
        row["open_amount"] = Money(sum(row[f"{s}_amount"] for s in OPEN), cur)
        for key in [f"{s}_amount" for s in STAGES] + ["total_amount"]:
            row[key] = Money(row[key], cur)
    return list(out.values())


def top_partners(rows: list[dict[str, Any]], limit: int = 10) -> list[tuple[str, list[tuple[str, int]]]]:
    """The partners with the most registrations, each with its count per status (for the chart)."""
    counts: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = counts.setdefault(r["partner_id"], {"name": r["partner"], "total": 0, **{s: 0 for s in STAGES}})
        entry[r["status"]] += r["n"]
        entry["total"] += r["n"]
    top = sorted(counts.values(), key=lambda e: (-e["total"], e["name"]))[:limit]
    return [(e["name"], [(s, e[s]) for s in STAGES]) for e in top]


SORTS = {"partner": lambda r: r["partner"].lower(), "total": lambda r: r["total"],
         "open": lambda r: r["open_amount"].amount_minor, "won": lambda r: r["won_amount"].amount_minor,
         **{s: (lambda r, s=s: r[s]) for s in STAGES}}
COLUMNS = [Column("partner", "Partner", "partner", "partner")] + \
    [Column(s, STAGE_LABELS[s], "int", s) for s in STAGES] + \
    [Column("total", "Total", "int", "total"), Column("open_amount", "Open pipeline", "money", "open"),
     Column("won_amount", "Won", "money", "won")]


def build(filters: Filters, args: Any) -> ReportPage:
    rows = aggregate(filters)
    stages = by_stage(rows)
    count_by_stage = {s: 0 for s in STAGES}
    for row in stages:
        count_by_stage[row["status"]] += row["registrations"]
    stage_chart = charts.bar_chart([charts.Bar(STAGE_LABELS[s], n, str(n), STAGE_COLOURS[s])
                                    for s, n in count_by_stage.items()], title="Registrations by stage",
                                   width=charts.HALF, label_width=110)
    partner_chart = charts.stacked_bar_chart(top_partners(rows), SEGMENTS, width=charts.HALF, label_width=150,
                                             title="Partners with the most registrations, by stage")
    ordered_rows, sort = sort_rows(by_partner(rows), args.get("sort"), SORTS, "-total", per_currency=("open", "won"),
                                   tiebreak=lambda r: (r["partner"].lower(), r["partner_id"], r["currency"]))
    page = page_list(ordered_rows, args, sort)
    open_money = [r["amount"] for r in stages if r["status"] in OPEN]
    summary = [Stat("Registrations", str(sum(count_by_stage.values()))),
               Stat("Open (submitted, in review, approved)", str(sum(count_by_stage[s] for s in OPEN))),
               Stat("Won", str(count_by_stage["won"])),
               Stat("Open pipeline", money_list(open_money) or "—", "estimated amounts, per currency")]
    return ReportPage(
        summary=summary,
        charts=[Chart("By stage", stage_chart, wide=False), Chart("Top partners", partner_chart, wide=False)],
        tables=[stage_table(stages), Table("By partner", COLUMNS, page, note="Amounts sort within each currency.")])


def export(filters: Filters) -> tuple[list[str], Any]:
    """Every (partner, currency) row, each status with its count and amount."""
    header = ["partner", "region", "tier", "currency"] + list(STAGES) + [f"{s}_amount" for s in STAGES] + \
        ["total", "total_amount"]
    rows = sorted(by_partner(aggregate(filters)), key=lambda r: (r["partner"], r["partner_id"], r["currency"]))
    return header, ([r[k] for k in header] for r in rows)


def money_list(values: list[Money]) -> str:
    """Amounts summed per currency, never across: "€1,000.00 · $250.00"."""
    by: dict[str, Money] = {}
    for m in values:
        by[m.currency] = by.get(m.currency, Money.zero(m.currency)) + m
    return " · ".join(by[c].format() for c in sorted(by))


REPORT = register(Report("pipeline", "Pipeline", "funnel",
                         "Deal registrations submitted in the period, by stage and partner, with their "
                         "estimated amounts per currency.", build, export, uses_currency=True))
