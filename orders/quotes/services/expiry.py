"""The daily job's services: expire approved quotes past their last valid day, and warn the
partner once when an approved quote expires within QUOTE_EXPIRY_WARNING_DAYS (3) days.

They run for every partner (no request, no tenant scope) and are safe to run twice a day.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from orders.quotes.models import Quote
from orders.quotes.services import notices
from orders.quotes.services.common import record_event, setting, today
from portal.extensions import db


def expire_quotes(on: date | None = None) -> list[Quote]:
    """Mark approved quotes whose `valid_until` is before `on` as expired."""
    on = on or today()
    stmt = (select(Quote).where(Quote.status == "approved", Quote.valid_until < on)
            .order_by(Quote.id).with_for_update(skip_locked=True, of=Quote))
    expired = list(db.session.scalars(stmt))
    for quote in expired:
        quote.status = "expired"
        record_event(quote, "expired", None, f"Valid until {quote.valid_until.isoformat()}.")
    db.session.flush()
    return expired


def warn_expiring(on: date | None = None) -> list[Quote]:
    """Notify once per approval about approved quotes expiring within the warning period."""
    on = on or today()
    days = int(setting("QUOTE_EXPIRY_WARNING_DAYS"))
    stmt = (select(Quote).where(Quote.status == "approved", Quote.valid_until >= on,
                                Quote.valid_until <= on + timedelta(days=days))
            .order_by(Quote.id).with_for_update(skip_locked=True, of=Quote))
    warned = []
    for quote in db.session.scalars(stmt):
        if quote.expiry_warned_for == quote.valid_until:
            continue
        quote.expiry_warned_for = quote.valid_until
        notices.expiring(quote, (quote.valid_until - on).days)
        record_event(quote, "expiry_warned", None,
                     f"The partner was told it expires on {quote.valid_until.isoformat()}.")
        warned.append(quote)
    db.session.flush()
    return warned
