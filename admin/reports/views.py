"""Back office reports: an index, one page per report (filters, figures, charts, tables) and its CSV
export. Staff only (the admin blueprint's guard); a partner manager sees its own partners' figures."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from flask_login import current_user

from admin.blueprint import bp
from admin.reports.base import REPORTS, Report, csv_text, duration_text
from admin.reports.filters import (
    FilterError, Filters, fallback_filters, filter_choices, parse_filters,
)
from portal.db import utcnow
from portal.models import STAFF_ROLES
from portal.extension_points import NavItem

NAV = (NavItem("Reports", "admin.reports", "bar-chart-line", STAFF_ROLES, 70, menu="Sales"),)  # pipeline, orders, conversion, products, campaigns


def _report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        abort(404)
    return report


def _filters() -> tuple[Filters, dict[str, str]]:
    """The request's filters, or the defaults with the errors to show next to the fields."""
    try:
        return parse_filters(request.args, current_user, utcnow().date()), {}
    except FilterError as exc:
        return fallback_filters(current_user, utcnow().date()), exc.fields


@bp.get("/reports", endpoint="reports")
def reports_index():
    filters, errors = _filters()
    return render_template("admin/reports/index.html", reports=list(REPORTS.values()), filters=filters,
                           choices=filter_choices(filters), errors=errors, report=None,
                           args=request.args), 400 if errors else 200


@bp.get("/reports/<slug>", endpoint="report")
def report_page(slug: str):
    report = _report(slug)
    filters, errors = _filters()
    context: dict[str, Any] = {"report": report, "reports": list(REPORTS.values()), "filters": filters,
                               "choices": filter_choices(filters), "errors": errors, "args": request.args,
                               "duration_text": duration_text, "result": None}
    if errors:  # the form keeps what was typed; nothing is computed from filters that cannot be used
        return render_template("admin/reports/report.html", **context), 400
    context["result"] = report.build(filters, request.args)
    return render_template("admin/reports/report.html", **context)


@bp.get("/reports/<slug>.csv", endpoint="report_csv")
def report_csv(slug: str):
    report = _report(slug)
    try:
        filters = parse_filters(request.args, current_user, utcnow().date())
    except FilterError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        return Response(f"{exc.message} {detail}\n", status=400, mimetype="text/plain")
    header, rows = report.export(filters)
    name = f"{report.slug}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
