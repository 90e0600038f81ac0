"""The core API blueprint (features make their own with `api_blueprint`)."""
from portal.api.core import api_blueprint

bp = api_blueprint("api", __name__)
