"""The quote blueprints with all their route modules loaded (what `create_app` registers)."""
from orders.quotes import edit_views  # noqa: F401 - adds the edit routes to the partner blueprint
from orders.quotes.api import bp as api_bp
from orders.quotes.views import bp

__all__ = ["bp", "api_bp"]
