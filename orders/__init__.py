"""Ordering: checkout from the cart or a quote, quick order, credit check, card payment through
Stripe, the order status machine, order history and the staff order desk."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import DashboardPanel, registry


def init_app(app: Flask) -> None:
    """Register ordering: pages (with quick order and addresses), API, Stripe webhooks, the staff
    order desk, CLI, the refund retries, navigation, demo data, and what quotes and registrations
    may ask of orders (OrderDirectory, QuoteOrdering)."""
    from orders import api, cli, demo, quick_views, staff_views, tasks, views, webhooks  # noqa: F401 - quick_views: routes on the orders blueprint; tasks: for the worker
    from orders.services import directory, notices

    for bp in (api.bp, views.bp, webhooks.bp, staff_views.bp):
        app.register_blueprint(bp)
    app.cli.add_command(cli.orders_cli)
    extensions = registry(app)
    extensions.add_nav(*views.NAV, *staff_views.NAV)
    extensions.upload_endpoints.add("orders.quick_order")  # a CSV or Excel file (2 MB)
    extensions.panels.append(DashboardPanel("orders/_dashboard.html", "partner", 40))
    extensions.order_directory = directory.Directory()
    extensions.quote_ordering = directory.QuoteOrdering()
    demo.init_app(app)
    registry(app).add_kinds(*notices.NOTIFICATION_KINDS)
