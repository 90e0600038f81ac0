"""The catalog: products, configurator, price books, pricing, cart and imports."""
from __future__ import annotations

from flask import Flask

from portal.extension_points import registry


def init_app(app: Flask) -> None:
    """Register the catalog: partner pages, API, staff pages, import jobs, navigation, demo data."""
    from catalog import api, demo, staff_views, tasks, views  # noqa: F401 - tasks: the import jobs, for the worker
    from catalog.services import pricebooks
    from catalog.staff_views import imports, price_books, prices, products  # noqa: F401 - prices: its routes

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    registry(app).add_nav(*views.NAV, *products.NAV, *price_books.NAV, *imports.NAV)
    registry(app).upload_endpoints.add("catalog_staff.import_new")  # price book imports (IMPORT_MAX_BYTES, 25 MB)
    pricebooks.init_app(app)
    demo.init_app(app)
