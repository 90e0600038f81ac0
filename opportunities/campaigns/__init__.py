"""Channel campaigns: targeting, assets, enrolment, the campaign price rule and market development funds."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import DashboardPanel, registry


def init_app(app: Flask) -> None:
    """Register campaigns and MDF: partner pages, API, the staff campaign editor and MDF review,
    the template helpers, navigation, the campaign price rule for catalog pricing, the MDF
    figures of campaign results, upload limits, the dashboard panel, demo data."""
    from opportunities.campaigns import api, demo, mdf_staff_views, staff_views, views  # noqa: F401 - mdf_staff_views: routes on the staff blueprint
    from opportunities.campaigns.services import (
        campaigns,
        claims,
        mdf,
        pricing,
        results,
    )

    for bp in (api.bp, views.bp, staff_views.bp):
        app.register_blueprint(bp)
    app.context_processor(views.template_helpers)
    extensions = registry(app)
    extensions.add_nav(*views.NAV, *staff_views.NAV)
    pricing.init_app(app)
    results.init_app(app)
    # campaign assets (CAMPAIGN_ASSET_MAX_BYTES), MDF proof files (MDF_PROOF_MAX_BYTES each)
    extensions.upload_endpoints.update({"campaigns_api.upload_asset", "campaigns.claim", "campaigns_api.claim_mdf",
                                        "campaigns_staff.upload_asset"})
    extensions.panels.append(DashboardPanel("campaigns/_dashboard_panel.html", "partner", 10))
    demo.init_app(app)
    extensions.add_kinds(*campaigns.NOTIFICATION_KINDS, *mdf.NOTIFICATION_KINDS, *claims.NOTIFICATION_KINDS)
