"""Every admin page module, registered on the one guarded blueprint."""
from admin import (  # noqa: F401 - routes register on import
    audit_views, catalog_views, import_views, partner_views, user_views,
)
from admin.blueprint import bp

__all__ = ["bp"]
