"""The catalog's staff pages (`/admin/...`): products, price books with their entries, tier
discounts, contract prices, and the imports and exports. One staff blueprint, `catalog_staff`,
guarded by `portal.staff.staff_blueprint`; its page modules (`prices`, `price_books`, `products`,
`imports`) are loaded and registered by `catalog.init_app`."""
from __future__ import annotations

from flask_login import current_user

from portal.staff import staff_blueprint

bp = staff_blueprint("catalog_staff", __name__)

CATALOG_EDITORS = ("admin", "sales_ops")
CATALOG_READERS = ("admin", "sales_ops", "partner_manager")


def can_edit_catalog() -> bool:
    """Sales ops and admins change the catalog; every other staff member only reads it."""
    return bool(current_user.is_authenticated and current_user.role in CATALOG_EDITORS)
