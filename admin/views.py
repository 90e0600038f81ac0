"""Every admin page module, registered on the one guarded blueprint."""
from admin import (  # noqa: F401 - routes register on import
    audit_views, catalog_views, import_views, partner_views, user_views,
)
from admin import order_views  # noqa: F401 - the order desk
from admin import quote_views  # noqa: F401 - the quote approval queue
from admin import lead_views  # noqa: F401 - shared leads (issue 7)
from admin import campaign_views  # noqa: F401 - campaigns and MDF review
from admin import house_account_views, registration_views  # noqa: F401 - deal registrations (issue 6)
from admin import application_views, impersonation_views  # noqa: F401 - onboarding, view-as (issue 9)
from admin.reports import views as report_views  # noqa: F401 - reports with charts and CSV (issue 9)
from admin import approvals_views, customer360_views, partner360_views  # noqa: F401 - back office (issue 9)
from admin.blueprint import bp

__all__ = ["bp"]
