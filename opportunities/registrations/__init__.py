"""Deal registrations: the shared registry of opportunities, with conflicts detected across
partners and house accounts, staff approval, protection periods and the event log."""
from __future__ import annotations

from flask import Flask

from opportunities.registry import models as registry_models  # noqa: F401 - the index tables, in the metadata
from portal.extension_points import DashboardPanel, registry


def init_app(app: Flask) -> None:
    """Register deal registrations: partner and staff pages, navigation, API, CLI, the daily
    expiry job, the deal discount for catalog pricing, demo data. (Attributed deals in campaign
    results are registered by the leads feature, which adds its leads to them.)"""
    from opportunities.registrations import api, cli, demo, staff_views, tasks, views  # noqa: F401 - tasks: for the worker
    from opportunities.registrations.services import deals, notices

    for bp in (api.bp, views.bp, staff_views.bp):
        app.register_blueprint(bp)
    registry(app).add_nav(*views.NAV, *staff_views.NAV)
    app.cli.add_command(cli.registrations_cli)
    deals.init_app(app)
    registry(app).panels.extend([DashboardPanel("opportunities/_dashboard.html", "partner", 50),
                                 DashboardPanel("admin/registrations/_dashboard.html", "manager", 30),
                                 DashboardPanel("admin/registrations/_dashboard.html", "staff", 20)])
    demo.init_app(app)
    registry(app).add_kinds(*notices.NOTIFICATION_KINDS)
