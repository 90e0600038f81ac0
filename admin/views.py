"""Every admin page module, registered on the one guarded blueprint."""
from admin import audit_views, partner_views, user_views  # noqa: F401 - routes register on import
from admin.blueprint import bp

__all__ = ["bp"]
