"""Who may do what with campaigns and MDF: named predicates for views, API, templates, services."""
from __future__ import annotations

from typing import Any

from portal.models import STAFF_ROLES

CAMPAIGN_EDITORS = STAFF_ROLES  # CONTRACT.md: creating campaigns is for staff
MDF_REVIEWERS = ("admin", "partner_manager")


def can_manage_campaigns(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.role in CAMPAIGN_EDITORS)


def can_review_mdf(user: Any, partner: Any) -> bool:
    """Admins, and the partner's own manager (any manager when the partner has none)."""
    if not (user and getattr(user, "is_authenticated", False)):
        return False
    if user.role == "admin":
        return True
    return user.role == "partner_manager" and partner.manager_id in (None, user.id)


TEMPLATE_PREDICATES = {"can_manage_campaigns": can_manage_campaigns, "can_review_mdf": can_review_mdf}
