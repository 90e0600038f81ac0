"""Catalog services: products, price books and discounts, pricing, carts, imports."""
from portal.errors import ValidationFailed


class CatalogError(ValidationFailed):
    """A catalog rule was broken (422 with field errors)."""
