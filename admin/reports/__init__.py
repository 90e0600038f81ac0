"""Staff reports with charts and CSV export: pipeline, orders, approval time, conversion, top
products and campaign results. Each report module registers itself; SQL does the aggregation."""
from admin.reports import indexes  # noqa: F401 - the indexes the reports rely on
from admin.reports import pipeline, sales, approvals, conversion, products, campaigns  # noqa: F401 - tab order
from admin.reports import demo  # noqa: F401 - a year of history in the demo data (registered by admin.init_app)
from admin.reports.base import REPORTS

__all__ = ["REPORTS"]
