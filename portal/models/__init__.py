"""Core models: partners, users and their credentials, the audit log, the e-mail outbox."""
from portal.models.audit import AuditEntry
from portal.models.notifications import Notification, NotificationPreference
from portal.models.outbox import OutboxEmail
from portal.models.partners import PARTNER_KINDS, PARTNER_STATUSES, PARTNER_TIERS, Partner
from portal.models.users import (
    PARTNER_ROLES,
    ROLES,
    STAFF_ROLES,
    ApiToken,
    AuthLink,
    User,
)
from portal.models.applications import APPLICATION_STATUSES, ApplicationAttempt, PartnerApplication
from portal.models.sessions import UserSession

__all__ = [
    "AuditEntry", "Notification", "NotificationPreference", "OutboxEmail", "Partner", "PARTNER_KINDS", "PARTNER_STATUSES", "PARTNER_TIERS",
    "User", "ApiToken", "AuthLink", "ROLES", "STAFF_ROLES", "PARTNER_ROLES",
    "APPLICATION_STATUSES", "ApplicationAttempt", "PartnerApplication",
    "UserSession",
]
