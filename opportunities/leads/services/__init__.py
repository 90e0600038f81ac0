"""Lead services: staff distribution, partner ownership, the fall-back job, imports, statistics."""
from __future__ import annotations

from datetime import datetime

from portal.errors import NotFound, StateConflict, ValidationFailed
from portal.extension_points import NotificationKind

LEAD_ASSIGNED = NotificationKind("lead_assigned", "Lead assigned to your company")
LEAD_WARNING = NotificationKind("lead_fall_back_warning", "Lead about to fall back to the pool")
LEAD_FELL_BACK = NotificationKind("lead_fell_back", "Lead fell back to the pool")
NOTIFICATION_KINDS = (LEAD_ASSIGNED, LEAD_WARNING, LEAD_FELL_BACK)  # registered by the feature's init_app


class LeadError(ValidationFailed):
    """A lead rule was broken or a value is invalid (422)."""


class LeadConflict(StateConflict):
    """Not possible in the lead's current state (409), e.g. already taken or already converted."""


class LeadNotFound(NotFound):
    """Not a lead this partner may act on (404): another's, or one it no longer owns."""

    def __init__(self, message: str = "This lead is not yours (or no longer yours).") -> None:
        super().__init__(message, code="not_found")


class CooldownActive(LeadError):
    """The partner let this lead lapse and may not claim it again yet (422 with the time)."""

    code = "cooldown_active"

    def __init__(self, until: datetime) -> None:
        when = until.strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(f"Your company let this lead lapse: it can claim it again from {when}.",
                         fields={"claimable_from": until.isoformat().replace("+00:00", "Z")})
        self.until = until


def partner_link(lead_id: int) -> str:
    """The partner's page of a lead (a path; notifications add the portal's base URL)."""
    return f"/leads/{lead_id}"
