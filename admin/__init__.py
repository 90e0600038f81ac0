"""The back office that spans features: approvals, partner and customer 360° views, reports, the
audit log, partners and users, partner applications, view-as. Each feature's own staff pages are
in that feature (`<feature>/staff_views.py`)."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import NavItem, registry


def init_app(app: Flask) -> None:
    """Register the admin pages, the applications API, view-as, the reports' demo history and the
    navigation of these pages."""
    from admin import (application_api, application_views, approvals_views, customer360_views,
                       impersonation_views, views)
    from admin.reports import demo as reports_demo
    from admin.reports import views as report_views

    for bp in (views.bp, impersonation_views.bp, application_api.bp):
        app.register_blueprint(bp)
    reports_demo.init_app(app)
    registry(app).add_nav(
        NavItem("Partners", "admin.partners", "building", ("admin", "partner_manager", "sales_ops"), 80,
                menu="Administration"),
        NavItem("Users", "admin.users", "people", ("admin",), 90, menu="Administration"),
        NavItem("Audit log", "admin.audit_log", "journal-text", ("admin",), 95, menu="Administration"),
        *application_views.NAV, *approvals_views.NAV, *customer360_views.NAV, *report_views.NAV)
