"""Notifications about registrations: the manager hears of new ones, the partner of decisions and expiry.

Messages to a partner never name another partner or its registration.
"""
from __future__ import annotations

from datetime import date

from opportunities.registrations.models import Registration
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import Partner, User
from portal.services.notifications import manager_or_admins, notify, partner_users

SUBMITTED = NotificationKind("registration_submitted", "Deal registration submitted")
IN_REVIEW = NotificationKind("registration_in_review", "Deal registration in review (conflict)")
APPROVED = NotificationKind("registration_approved", "Deal registration approved")
REJECTED = NotificationKind("registration_rejected", "Deal registration rejected")
EXPIRING = NotificationKind("registration_expiring", "Deal registration protection ending soon")
EXPIRED = NotificationKind("registration_expired", "Deal registration protection ended")
EXTENDED = NotificationKind("registration_extended", "Deal registration extended")
NOTIFICATION_KINDS = (SUBMITTED, IN_REVIEW, APPROVED, REJECTED, EXPIRING, EXPIRED, EXTENDED)  # registered by the feature's init_app


def _partner(reg: Registration) -> Partner:
    partner = db.session.get(Partner, reg.partner_id)
    assert partner is not None
    return partner


def _partner_side(reg: Registration) -> list[User]:
    """Who hears about a registration on the partner's side: its author and the partner's admins."""
    users = partner_users(_partner(reg), roles=("partner_admin",))
    author = db.session.get(User, reg.created_by_id) if reg.created_by_id else None
    if author is not None and author.partner_id == reg.partner_id:
        users.append(author)
    return users


def _partner_link(reg: Registration) -> str:
    return f"/opportunities/{reg.id}"


def _staff_link(reg: Registration) -> str:
    return f"/admin/registrations/{reg.id}"


def submitted(reg: Registration) -> None:
    """Tell the partner's manager (without one: the administrators) about a new registration, and
    whether it needs review."""
    partner = _partner(reg)
    if reg.status == "in_review":
        notify(manager_or_admins(partner), IN_REVIEW, f"Review needed: {partner.name} registered {reg.customer_name}",
               "The registration overlaps another registration or a house account.", _staff_link(reg))
    else:
        notify(manager_or_admins(partner), SUBMITTED, f"New deal registration: {partner.name}, {reg.customer_name}",
               f"Estimated {reg.amount.format()}, closing {reg.expected_close}.", _staff_link(reg))


def approved(reg: Registration) -> None:
    discount = f" with a {reg.discount_percent}% deal discount" if reg.discount_percent else ""
    notify(_partner_side(reg), APPROVED, f"Registration approved: {reg.customer_name}",
           f"Protected until {reg.protected_until}{discount}.", _partner_link(reg))


def rejected(reg: Registration) -> None:
    notify(_partner_side(reg), REJECTED, f"Registration rejected: {reg.customer_name}",
           f"Reason: {reg.rejection_reason}", _partner_link(reg))


def expiring(reg: Registration, today: date) -> None:
    days = (reg.protected_until - today).days if reg.protected_until else 0
    hint = "" if reg.extended_at else " You may request one extension."
    notify(_partner_side(reg), EXPIRING, f"Protection ends in {days} day{'s' if days != 1 else ''}: {reg.customer_name}",
           f"The protection of this registration ends on {reg.protected_until}.{hint}", _partner_link(reg))


def expired(reg: Registration) -> None:
    notify(_partner_side(reg), EXPIRED, f"Protection ended: {reg.customer_name}",
           f"The protection ended on {reg.protected_until}; the registration is expired.", _partner_link(reg))


def extended(reg: Registration) -> None:
    partner = _partner(reg)
    notify(manager_or_admins(partner), EXTENDED, f"Extension: {partner.name}, {reg.customer_name}",
           f"Protected until {reg.protected_until} (one extension used).", _staff_link(reg))
