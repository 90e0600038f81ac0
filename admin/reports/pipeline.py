"""Pipeline by stage and partner: deal registrations submitted in the range, by status, with their
estimated amounts per currency."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from admin.reports import charts
from admin.reports.base import Chart, Column, Report, ReportPage, Stat, Table, one_page, register
from admin.reports.filters import Filters
from admin.reports.paging import ordered, page_of
from opportunities.models import Registration
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


def _counts() -> list[Any]:
    return [func.count().filter(Registration.status == s).label(s) for s in STAGES]


def _amount(statuses: tuple[str, ...]) -> Any:
    return func.coalesce(func.sum(Registration.amount_minor).filter(Registration.status.in_(statuses)), 0)


def by_stage(filters: Filters) -> list[dict[str, Any]]:
    """One row per (status, currency): registrations and their estimated amount."""
    rows = db.session.execute(_base(filters, Registration.status, Registration.currency, func.count(),
                                    func.sum(Registration.amount_minor))
                              .group_by(Registration.status, Registration.currency)).all()
    order = {s: i for i, s in enumerate(STAGES)}
    return [{"status": status, "currency": cur, "registrations": int(n), "amount": Money(int(total or 0), cur)}
            for status, cur, n, total in sorted(rows, key=lambda r: (order.get(r[0], 99), r[1]))]


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


def partner_rows(filters: Filters) -> Select:
    """One row per (partner, currency): registrations per status, open, won and total amounts."""
    total = func.count().label("total")
    return _base(filters, Partner.id.label("partner_id"), Partner.name.label("partner"), Partner.region,
                 Partner.tier, Registration.currency.label("currency"), *_counts(), total,
                 _amount(OPEN).label("open_amount"), _amount(("won",)).label("won_amount"),
                 func.sum(Registration.amount_minor).label("total_amount")
                 ).group_by(Partner.id, Partner.name, Partner.region, Partner.tier, Registration.currency)


def _row(r: Any) -> dict[str, Any]:
    row = dict(r._mapping)
    for key in ("open_amount", "won_amount", "total_amount"):
        row[key] = Money(int(row[key] or 0), row["currency"])
    return row


def top_partners(filters: Filters, limit: int = 10) -> list[tuple[str, list[tuple[str, int]]]]:
    """The partners with the most registrations, each with its count per status (for the chart)."""
    total = func.count()
    rows = db.session.execute(_base(filters, Partner.name, *_counts()).group_by(Partner.id, Partner.name)
                              .order_by(total.desc(), Partner.name).limit(limit)).all()
    return [(r[0], [(s, int(v)) for s, v in zip(STAGES, r[1:])]) for r in rows]


SORTS = {"partner": (Partner.name,), "total": ("total",), "open": ("currency", "open_amount"),
         "won": ("currency", "won_amount"), "amount": ("currency", "total_amount"),
         **{s: (s,) for s in STAGES}}
COLUMNS = [Column("partner", "Partner", "partner", "partner")] + \
    [Column(s, STAGE_LABELS[s], "int", s) for s in STAGES] + \
    [Column("total", "Total", "int", "total"), Column("open_amount", "Open pipeline", "money", "open"),
     Column("won_amount", "Won", "money", "won")]


def build(filters: Filters, args: Any) -> ReportPage:
    stages = by_stage(filters)
    count_by_stage = {s: 0 for s in STAGES}
    for row in stages:
        count_by_stage[row["status"]] += row["registrations"]
    stage_chart = charts.bar_chart([charts.Bar(STAGE_LABELS[s], n, str(n), STAGE_COLOURS[s])
                                    for s, n in count_by_stage.items()], title="Registrations by stage",
                                   width=charts.HALF, label_width=110)
    partner_chart = charts.stacked_bar_chart(top_partners(filters), SEGMENTS, width=charts.HALF, label_width=150,
                                             title="Partners with the most registrations, by stage")
    stmt, sort = ordered(partner_rows(filters), args.get("sort"), SORTS, "-total", tiebreak=("partner", "currency"))
    page = page_of(stmt, args, sort, _row)
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
    amounts = [func.coalesce(func.sum(Registration.amount_minor).filter(Registration.status == s), 0).label(f"{s}_amount")
               for s in STAGES]
    stmt = _base(filters, Partner.name, Partner.region, Partner.tier, Registration.currency, *_counts(),
                 *amounts, func.count(), func.sum(Registration.amount_minor)
                 ).group_by(Partner.id, Partner.name, Partner.region, Partner.tier, Registration.currency
                            ).order_by(Partner.name, Registration.currency)
    header = ["partner", "region", "tier", "currency"] + list(STAGES) + [f"{s}_amount" for s in STAGES] + \
        ["total", "total_amount"]

    def rows() -> Any:
        for r in db.session.execute(stmt):
            cur = r[3]
            yield [*r[:4], *r[4:4 + len(STAGES)],
                   *(Money(int(v or 0), cur) for v in r[4 + len(STAGES):4 + 2 * len(STAGES)]),
                   r[-2], Money(int(r[-1] or 0), cur)]
    return header, rows()


def money_list(values: list[Money]) -> str:
    """Amounts summed per currency, never across: "€1,000.00 · $250.00"."""
    by: dict[str, Money] = {}
    for m in values:
        by[m.currency] = by.get(m.currency, Money.zero(m.currency)) + m
    return " · ".join(by[c].format() for c in sorted(by))


REPORT = register(Report("pipeline", "Pipeline", "funnel",
                         "Deal registrations submitted in the period, by stage and partner, with their "
                         "estimated amounts per currency.", build, export, uses_currency=True))
