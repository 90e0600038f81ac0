"""Quote background jobs: the daily expiry run (expire, then warn about quotes expiring soon)."""
from __future__ import annotations

import logging

from celery import shared_task

from orders.quotes.services import expire_quotes, warn_expiring
from portal.extensions import db

log = logging.getLogger(__name__)


def run_expiry() -> tuple[int, int]:
    """Expire quotes past their validity and warn about those expiring soon; one commit."""
    expired = expire_quotes()
    warned = warn_expiring()
    db.session.commit()
    return len(expired), len(warned)


@shared_task(name="quotes.expire")
def expire() -> str:
    """Daily: approved quotes past `valid_until` become expired; partners are warned 3 days ahead."""
    expired, warned = run_expiry()
    log.info("quotes: %d expired, %d expiry warnings", expired, warned)
    return f"{expired} expired, {warned} warned"
