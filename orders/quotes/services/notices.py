"""Quote notifications (in-app, and e-mail queued after commit per each user's preferences)."""
from __future__ import annotations

from sqlalchemy import select

from orders.quotes.models import Quote
from orders.quotes.rules import format_percent
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import User
from portal.services.notifications import manager_or_admins, notify, partner_users

PENDING = NotificationKind("quote_pending_approval", "Quote waiting for approval")
APPROVED = NotificationKind("quote_approved", "Quote approved")
REJECTED = NotificationKind("quote_rejected", "Quote rejected")
EXPIRING = NotificationKind("quote_expiring", "Quote expiring soon")
NOTIFICATION_KINDS = (PENDING, APPROVED, REJECTED, EXPIRING)  # registered by the feature's init_app


def partner_link(quote: Quote) -> str:
    return f"/quotes/{quote.id}"


def staff_link(quote: Quote) -> str:
    return f"/admin/quotes/{quote.id}"


def _partner_people(quote: Quote) -> list[User]:
    """Who worked on the quote (its creator, the submitter) and the partner's admins, as for
    registrations, orders and MDF."""
    ids = {quote.created_by_id, quote.current.submitted_by_id} - {None}
    people = [u for u in db.session.scalars(select(User).where(User.id.in_(ids)))
              if u.active and u.partner_id == quote.partner_id] if ids else []
    return people + partner_users(quote.partner, roles=("partner_admin",))


def waiting_for_approval(quote: Quote) -> None:
    rev = quote.current
    body = (f"{quote.partner.name} asks for an extra discount of "
            f"{format_percent(rev.requested_discount_percent)}% on {quote.reference} "
            f"({rev.total.format()}).")
    if rev.justification:
        body += f"\nJustification: {rev.justification}"
    notify(manager_or_admins(quote.partner), PENDING, f"Quote {quote.number} is waiting for your approval", body,
           staff_link(quote))


def approved(quote: Quote) -> None:
    rev = quote.current
    body = (f"{quote.reference} is approved with an extra discount of "
            f"{format_percent(rev.approved_discount_percent)}%: total {rev.total.format()}, "
            f"valid until {rev.valid_until.isoformat() if rev.valid_until else ''}.")
    if rev.decision_comment:
        body += f"\nComment: {rev.decision_comment}"
    notify(_partner_people(quote), APPROVED, f"Quote {quote.number} is approved", body,
           partner_link(quote))


def rejected(quote: Quote) -> None:
    rev = quote.current
    notify(_partner_people(quote), REJECTED, f"Quote {quote.number} is rejected",
           f"{quote.reference} was rejected. Reason: {rev.decision_comment}\n"
           "You can change the quote and submit it again.", partner_link(quote))


def expiring(quote: Quote, days_left: int) -> None:
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    notify(_partner_people(quote), EXPIRING, f"Quote {quote.number} expires {when}",
           f"{quote.reference} ({quote.total.format()}) is valid until "
           f"{quote.valid_until.isoformat() if quote.valid_until else ''}. Accept it before then, "
           "or it can no longer be ordered.", partner_link(quote))
