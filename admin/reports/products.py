"""Top products from the order lines of the orders placed in the range: quantity sold and revenue
(line totals) per currency. One GROUP BY in the database; its rows (one per product and currency)
are then ranked for the charts and the table."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from admin.reports import charts
from admin.reports.base import (
    COUNTED_ORDER_STATUSES, Chart, Column, Report, ReportPage, Stat, Table, percent, register,
)
from admin.reports.filters import Filters
from admin.reports.paging import page_list, sort_rows
from admin.reports.pipeline import money_list
from catalog.models import Product
from orders.models import Order, OrderLine
from portal.extensions import db
from portal.models import Partner
from portal.money import Money

TOP = 10


def aggregate_stmt(filters: Filters) -> Select:
    """The GROUP BY over the order lines of the orders in range."""
    stmt = (select(OrderLine.sku, Order.currency, func.sum(OrderLine.quantity), func.sum(OrderLine.line_total_minor),
                   func.count())
            .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(Order.created_at >= filters.start, Order.created_at < filters.end,
                   Order.status.in_(COUNTED_ORDER_STATUSES))
            .group_by(OrderLine.sku, Order.currency))
    conditions = filters.partner_conditions()
    if conditions:  # partners are joined only when a filter needs them
        stmt = stmt.join(Partner, Partner.id == Order.partner_id).where(*conditions)
    return stmt.where(Order.currency == filters.currency) if filters.currency else stmt


def aggregate(filters: Filters) -> list[dict[str, Any]]:
    """One row per (SKU, currency): quantity, revenue and order lines, largest quantity first."""
    stmt = aggregate_stmt(filters)
    rows = [{"sku": sku, "currency": cur, "quantity": int(qty), "revenue": Money(int(total or 0), cur),
             "lines": int(n)} for sku, cur, qty, total, n in db.session.execute(stmt)]
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["currency"]] = totals.get(r["currency"], 0) + r["revenue"].amount_minor
    for r in rows:
        r["share"] = percent(r["revenue"].amount_minor, totals[r["currency"]])
    return sorted(rows, key=lambda r: (-r["quantity"], r["sku"], r["currency"]))


def names(skus: set[str]) -> dict[str, tuple[str, str]]:
    """Product name and family by SKU: from the catalog, else as last sold (products are never
    deleted, so the second query rarely runs)."""
    if not skus:
        return {}
    found = {sku: (name, family) for sku, name, family in db.session.execute(
        select(Product.sku, Product.name, Product.family).where(Product.sku.in_(skus)))}
    missing = skus - set(found)
    if missing:
        found.update({sku: (name, family) for sku, name, family in db.session.execute(
            select(OrderLine.sku, func.max(OrderLine.name), func.max(OrderLine.family))
            .where(OrderLine.sku.in_(missing)).group_by(OrderLine.sku))})
    return found


SORTS = {"quantity": lambda r: r["quantity"], "revenue": lambda r: r["revenue"].amount_minor,
         "sku": lambda r: r["sku"], "lines": lambda r: r["lines"]}


def sort_products(rows: list[dict[str, Any]], sort: str | None) -> tuple[list[dict[str, Any]], str]:
    """Sort by a key ("-key" descending); revenue sorts within each currency."""
    return sort_rows(rows, sort, SORTS, "-quantity", per_currency=("revenue",),
                     tiebreak=lambda r: (r["sku"], r["currency"]))


COLUMNS = [Column("sku", "SKU", "text", "sku"), Column("name", "Product"), Column("family", "Family", "status"),
           Column("currency", "Currency"), Column("quantity", "Quantity", "int", "quantity"),
           Column("revenue", "Revenue", "money", "revenue"), Column("share", "Share of revenue", "percent"),
           Column("lines", "Order lines", "int", "lines")]


def build(filters: Filters, args: Any) -> ReportPage:
    rows = aggregate(filters)
    by_sku: dict[str, int] = {}
    for r in rows:
        by_sku[r["sku"]] = by_sku.get(r["sku"], 0) + r["quantity"]
    top_quantity = sorted(by_sku.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    currencies = sorted({r["currency"] for r in rows})
    top_revenue = {cur: sorted((r for r in rows if r["currency"] == cur),
                               key=lambda r: (-r["revenue"].amount_minor, r["sku"]))[:TOP] for cur in currencies}
    ordered_rows, sort = sort_products(rows, args.get("sort"))
    page = page_list(ordered_rows, args, sort)
    labels = names({sku for sku, _ in top_quantity} | {r["sku"] for r in page.items}
                   | {r["sku"] for top in top_revenue.values() for r in top})
    for r in page.items:
        r["name"], r["family"] = labels.get(r["sku"], ("", ""))
    quantity_chart = charts.bar_chart([charts.Bar(sku, qty, f"{qty:,}") for sku, qty in top_quantity],
                                      title=f"Top {TOP} products by quantity", width=charts.HALF, label_width=120)
    out = [Chart("By quantity", quantity_chart, wide=False)]
    for cur in currencies:
        bars = [charts.Bar(r["sku"], r["revenue"].amount, r["revenue"].format()) for r in top_revenue[cur]]
        out.append(Chart(f"By revenue in {cur}", charts.bar_chart(
            bars, title=f"Top {TOP} products by revenue in {cur}", width=charts.HALF, label_width=120), wide=False))
    return ReportPage(
        summary=[Stat("Products sold", str(len(by_sku))), Stat("Units", f"{sum(by_sku.values()):,}"),
                 Stat("Revenue", money_list([r["revenue"] for r in rows]) or "—", "line totals, per currency")],
        charts=out,
        tables=[Table("Products", COLUMNS, page, note="Revenue sorts within each currency; the share is of that "
                                                       "currency's revenue.")])


def export(filters: Filters) -> tuple[list[str], Any]:
    rows = aggregate(filters)
    labels = names({r["sku"] for r in rows})
    header = ["sku", "name", "family", "currency", "quantity", "revenue", "share", "lines"]

    def lines() -> Any:
        for r in rows:
            name, family = labels.get(r["sku"], ("", ""))
            yield [r["sku"], name, family, r["currency"], r["quantity"], r["revenue"], r["share"], r["lines"]]
    return header, lines()


REPORT = register(Report("products", "Top products", "box-seam",
                         "Products sold in the period (order lines of orders submitted or later, not cancelled): "
                         "quantity and revenue per currency.", build, export, uses_currency=True))
