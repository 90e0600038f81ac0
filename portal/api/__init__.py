"""JSON API v1: core endpoints (identity, partners, users, tokens) and the OpenAPI description."""
from portal.api import identity, openapi, partners  # noqa: F401 - routes register on import
from portal.api.blueprint import bp

__all__ = ["bp"]
