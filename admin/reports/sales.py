"""Orders by month and partner: how many orders were placed and their revenue, per currency."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, desc, func, select

from admin.reports import charts
from admin.reports.base import (
    COUNTED_ORDER_STATUSES, Chart, Column, Report, ReportPage, Stat, Table, one_page, register,
)
from admin.reports.filters import Filters
from admin.reports.paging import ordered, page_window
from admin.reports.pipeline import money_list
from admin.reports.sql import month_of
from orders.models import Order
from portal.extensions import db
from portal.models import Partner
from portal.money import Money


def _base(filters: Filters, *columns: Any) -> Select:
    stmt = (select(*columns).select_from(Order).join(Partner, Partner.id == Order.partner_id)
            .where(Order.created_at >= filters.start, Order.created_at < filters.end,
                   Order.status.in_(COUNTED_ORDER_STATUSES), *filters.partner_conditions()))
    return stmt.where(Order.currency == filters.currency) if filters.currency else stmt


def partner_months(filters: Filters) -> Select:
    """Orders and revenue (order totals) per (month, partner, currency)."""
    month = month_of(Order.created_at).label("month")
    return _base(filters, month, Partner.id.label("partner_id"), Partner.name.label("partner"), Partner.region,
                 Partner.tier, Order.currency.label("currency"), func.count().label("orders"),
                 func.sum(Order.total_minor).label("revenue")).group_by(month, Partner.id, Order.currency)


def by_month(filters: Filters) -> list[dict[str, Any]]:
    """Orders and revenue per (month, currency), oldest first."""
    month = month_of(Order.created_at)
    stmt = _base(filters, month, Order.currency, func.count(), func.sum(Order.total_minor)
                 ).group_by(month, Order.currency).order_by(month, Order.currency)
    return [{"month": m, "currency": cur, "orders": int(n), "revenue": Money.trusted(int(total or 0), cur)}
            for m, cur, n, total in db.session.execute(stmt)]


def _row(r: Any) -> dict[str, Any]:
    row = dict(r._mapping)
    row["revenue"] = Money.trusted(int(row["revenue"] or 0), row["currency"])
    return row


SORTS = {"month": ("month",), "partner": ("partner",), "orders": ("orders",), "revenue": ("currency", "revenue")}
COLUMNS = [Column("month", "Month", "month", "month"), Column("partner", "Partner", "partner", "partner"),
           Column("region", "Region"), Column("tier", "Tier", "status"), Column("currency", "Currency"),
           Column("orders", "Orders", "int", "orders"), Column("revenue", "Revenue", "money", "revenue")]


def _charts(filters: Filters, months: list[dict[str, Any]]) -> list[Chart]:
    labels = filters.months()
    currencies = sorted({r["currency"] for r in months})
    found = {(r["month"], r["currency"]): r for r in months}
    series = [charts.Series(cur, [found[(m, cur)]["orders"] if (m, cur) in found else 0 for m in labels],
                            [str(found[(m, cur)]["orders"]) if (m, cur) in found else "0" for m in labels])
              for cur in currencies]
    out = [Chart("Orders per month", charts.column_chart(labels, series, title="Orders per month, by currency"))]
    wide = len(currencies) == 1
    for i, cur in enumerate(currencies):
        values = [found[(m, cur)]["revenue"] if (m, cur) in found else Money.zero(cur) for m in labels]
        symbol = Money.zero(cur).format().rstrip("0.,")
        symbol += " " if symbol[-1:].isalpha() else ""
        out.append(Chart(f"Revenue per month in {cur}", charts.column_chart(
            labels, [charts.Series(cur, [v.amount for v in values], [v.format() for v in values],
                                   charts.PALETTE[i % len(charts.PALETTE)])],
            title=f"Revenue per month in {cur}", height=220, width=720 if wide else charts.HALF,
            axis=lambda v, s=symbol: s + charts.compact(v)), wide=wide))
    return out


def month_table(months: list[dict[str, Any]]) -> Table:
    """Months down (newest first), currencies across: orders (all currencies) and revenue per currency."""
    currencies = sorted({r["currency"] for r in months})
    rows: dict[str, dict[str, Any]] = {}
    for r in months:
        row = rows.setdefault(r["month"], {"month": r["month"], "orders": 0})
        row["orders"] += r["orders"]
        row[f"revenue_{r['currency']}"] = r["revenue"]
    columns = [Column("month", "Month", "month"), Column("orders", "Orders", "int")]
    columns += [Column(f"revenue_{c}", f"Revenue, {c}", "money") for c in currencies]
    return Table("By month", columns, one_page(sorted(rows.values(), key=lambda r: r["month"], reverse=True)),
                 paged=False)


def build(filters: Filters, args: Any) -> ReportPage:
    months = by_month(filters)
    # up to 12,000 rows a year with 1,000 partners: sorted and paged by the database; within a
    # month, currency by currency, the biggest partners first
    stmt, sort = ordered(partner_months(filters), args.get("sort"), SORTS, "-month",
                         tiebreak=("currency", desc("revenue"), "partner", "partner_id"))
    page = page_window(stmt, args, sort, _row)
    revenue = [r["revenue"] for r in months]
    orders = sum(r["orders"] for r in months)
    per_currency: dict[str, tuple[int, int]] = {}
    for r in months:
        n, total = per_currency.get(r["currency"], (0, 0))
        per_currency[r["currency"]] = (n + r["orders"], total + r["revenue"].amount_minor)
    average = " · ".join(Money(total // n, cur).format() for cur, (n, total) in sorted(per_currency.items()) if n)
    return ReportPage(
        summary=[Stat("Orders", str(orders), "submitted or later, not cancelled"),
                 Stat("Revenue", money_list(revenue) or "—", "order totals, per currency"),
                 Stat("Average order", average or "—")],
        charts=_charts(filters, months),
        tables=[month_table(months),
                Table("By month and partner", COLUMNS, page, note="Revenue sorts within each currency.")])


def export(filters: Filters) -> tuple[list[str], Any]:
    """Every (month, partner, currency) row."""
    header = ["month", "partner", "region", "tier", "currency", "orders", "revenue"]
    stmt = partner_months(filters).order_by("month", "partner", "partner_id", "currency")
    rows = ((m, name, region, tier, cur, n, Money.trusted(int(total or 0), cur))
            for m, _, name, region, tier, cur, n, total in db.session.execute(stmt))
    return header, rows


REPORT = register(Report("orders", "Orders", "bag-check",
                         "Orders placed in the period (submitted or later, not cancelled) by month and partner, "
                         "with their revenue per currency.", build, export, uses_currency=True))
