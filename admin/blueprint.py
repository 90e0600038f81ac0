"""The admin blueprint: the back-office pages that span features (partners, users, approvals,
360° views, reports, audit, applications, view-as). Staff only, guarded by `staff_blueprint`."""
from __future__ import annotations

from portal.staff import staff_blueprint

bp = staff_blueprint("admin", __name__)
