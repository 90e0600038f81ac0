"""Shared leads: staff create, import and distribute leads; partners claim, follow up, release
or convert them; a follow-up clock returns neglected leads to the pool."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import DashboardPanel, registry


def init_app(app: Flask) -> None:
    """Register shared leads: partner pages (and the `flask leads ...` commands), API, the staff
    pages, the fall-back job, navigation, the dashboard panels and their template globals, the
    lead import upload limit, demo data."""
    from opportunities.leads import (  # noqa: F401 - tasks: for the worker
        api,
        cli,
        demo,
        demo_campaign_deals,
        staff_views,
        tasks,
        views,
    )
    from opportunities.leads import services as lead_services
    from opportunities.leads.services import campaign_results

    cli.register_commands(views.bp)  # `flask leads ...`: the leads blueprint's command group
    for bp in (api.bp, views.bp, staff_views.bp):
        app.register_blueprint(bp)
    app.add_template_global(views.lead_clock_of)
    app.add_template_global(views.lead_panel)
    app.add_template_global(staff_views.lead_staff_panel)
    registry(app).add_nav(*views.NAV, *staff_views.NAV)
    registry(app).upload_endpoints.add("leads_staff.lead_import")  # lead imports (5 MB)
    registry(app).panels.extend([DashboardPanel("opportunities/leads/_dashboard.html", "partner", 30),
                                 DashboardPanel("admin/leads/_dashboard.html", "manager", 20),
                                 DashboardPanel("admin/leads/_dashboard.html", "staff", 10)])
    demo.init_app(app)
    demo_campaign_deals.init_app(app)  # campaign leads, after the registrations' demo data
    campaign_results.init_app(app)  # attributed registrations and leads in campaign results
    registry(app).add_kinds(*lead_services.NOTIFICATION_KINDS)
