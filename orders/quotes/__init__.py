"""Quotes: a partner's priced offer with an extra-discount approval, revisions, PDF and expiry."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import DashboardPanel, registry


def init_app(app: Flask) -> None:
    """Register quotes: pages (with editing), API, the staff approval queue, CLI, the daily expiry
    job, navigation, demo data."""
    from orders.quotes import api, cli, demo, edit_views, staff_views, tasks, views  # noqa: F401 - edit_views: routes on the quotes blueprint; tasks: for the worker
    from orders.quotes.services import notices

    for bp in (api.bp, views.bp, staff_views.bp):
        app.register_blueprint(bp)
    app.cli.add_command(cli.quotes_cli)
    extensions = registry(app)
    extensions.add_nav(*views.NAV, *staff_views.NAV)
    extensions.panels.extend([DashboardPanel("quotes/_dashboard.html", "partner", 20),
                              DashboardPanel("quotes/_dashboard.html", "manager", 10)])
    demo.init_app(app)
    registry(app).add_kinds(*notices.NOTIFICATION_KINDS)
