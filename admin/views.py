"""The admin blueprint with its page modules: the back office that spans features. One module a
line, imported for the routes it adds to the blueprint."""
from admin import application_views  # noqa: F401 - partner applications
from admin import approvals_views  # noqa: F401 - the approvals inbox
from admin import audit_views  # noqa: F401 - the audit log
from admin import customer360_views  # noqa: F401 - end customers across partners
from admin import impersonation_views  # noqa: F401 - view-as
from admin import partner360_views  # noqa: F401 - a partner's 360° view
from admin import partner_views  # noqa: F401 - partners
from admin import user_views  # noqa: F401 - users
from admin.blueprint import bp
from admin.reports import views as report_views  # noqa: F401 - reports with charts and CSV

__all__ = ["bp"]
