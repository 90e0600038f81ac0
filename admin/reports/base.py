"""What a report is (a page of summary figures, charts and tables, and a CSV export of its main
table) and the registry of reports the views serve."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup

from admin.reports.filters import Filters
from portal import exports
from portal.listing import Page
from portal.money import Money, minor_digits

#: The statuses of an order that count as a sale (pending payment and cancelled ones do not).
COUNTED_ORDER_STATUSES = ("submitted", "confirmed", "shipped", "invoiced", "closed")


@dataclass(frozen=True)
class Column:
    """A table column: `kind` says how to show it (text, int, money, percent, hours, month,
    partner, status); `sort` is its sort key when the table sorts by it."""

    key: str
    label: str
    kind: str = "text"
    sort: str | None = None


@dataclass
class Table:
    title: str
    columns: list[Column]
    page: Page  # rows are dicts keyed by column key
    footer: dict[str, Any] | None = None
    empty: str = "Nothing matches these filters."
    paged: bool = True
    note: str = ""


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    hint: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    wide: bool = True


@dataclass
class ReportPage:
    summary: list[Stat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    icon: str
    description: str
    build: Callable[[Filters, Any], ReportPage]  # (filters, request args) -> page
    export: Callable[[Filters], tuple[Sequence[str], Iterable[Sequence[Any]]]]
    uses_currency: bool = False
    uses_campaign: bool = False


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    """Add a report to the reports area (its tab, page and CSV export)."""
    REPORTS[report.slug] = report
    return report


def one_page(rows: list[dict[str, Any]], sort: str = "") -> Page:
    """A table shown whole (short by nature)."""
    return Page(items=rows, page=1, per_page=max(len(rows), 1), total=len(rows), sort=sort)


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent with one decimal, None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours(seconds: float | None) -> Decimal | None:
    """Seconds as hours with two decimals (None stays None)."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def duration_text(seconds: float | None) -> str:
    """A duration a person reads at a glance: minutes, hours or days."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def money_text(value: Money) -> str:
    """`Money.as_str()` by integer arithmetic (exports write thousands of amounts)."""
    digits = minor_digits(value.currency)
    if not digits:
        return str(value.amount_minor)
    whole, part = divmod(abs(value.amount_minor), 10 ** digits)
    return f"{'-' if value.amount_minor < 0 else ''}{whole}.{part:0{digits}d}"


def csv_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int:
        return value
    if value is None:
        return ""
    if kind is Money:
        return money_text(value)
    if kind is float:
        return f"{value:.2f}"
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a byte-order mark (so spreadsheets read UTF-8); money as amount strings next to a
    currency column, never summed across currencies."""
    return exports.csv_text(header, ([csv_value(v) for v in row] for row in rows))
