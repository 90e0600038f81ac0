"""Deal registration models: registrations and their conflicts, house accounts, the registry index
used for conflict search, and the hash-chained event log."""
from opportunities.models.events import RegistrationEvent
from opportunities.models.house_accounts import HouseAccount
from opportunities.models.registrations import (
    ACTIVE_STATUSES, PENDING_STATUSES, STATUSES, Conflict, Registration,
)
from opportunities.models.registry import RegistryCount, RegistryEntry, RegistryKey, RegistryTypo

__all__ = [
    "ACTIVE_STATUSES", "PENDING_STATUSES", "STATUSES", "Conflict", "HouseAccount", "Registration",
    "RegistrationEvent", "RegistryCount", "RegistryEntry", "RegistryKey", "RegistryTypo",
]
