"""Deal registration models: registrations and their conflicts, house accounts and the
hash-chained event log (the registry's index tables are `opportunities.registry.models`)."""
from opportunities.registrations.models.events import RegistrationEvent
from opportunities.registrations.models.house_accounts import HouseAccount
from opportunities.registrations.models.registrations import (
    ACTIVE_STATUSES, PENDING_STATUSES, STATUSES, Conflict, Registration,
)

__all__ = ["ACTIVE_STATUSES", "PENDING_STATUSES", "STATUSES", "Conflict", "HouseAccount", "Registration",
           "RegistrationEvent"]
