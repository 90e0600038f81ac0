"""Campaign services: plain functions that take `partner` first when they touch partner data,
flush but never commit."""
from __future__ import annotations

from portal.errors import DomainError


class CampaignError(DomainError):
    code = "campaign_error"
