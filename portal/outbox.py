"""The outbox's delivery jobs (`portal.tasks`, `flask mail drain`): each e-mail is sent and
marked in its own transaction, so one failure never holds back or undoes the others. Queuing is
`portal.services.mail.queue_email`, in the request's transaction."""
from __future__ import annotations

import logging

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import OutboxEmail
from portal.services import mail

log = logging.getLogger("portal.mail")


def deliver(email_id: int) -> bool:
    """Send one outbox e-mail if it is still unsent; commits its own transaction (a job)."""
    stmt = select(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.sent_at.is_(None))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    email = db.session.scalars(stmt).first()
    if email is None:
        db.session.rollback()
        return False
    email.attempts += 1
    try:
        mail.send(email)
    except Exception as exc:  # noqa: BLE001 - kept for a later retry
        email.last_error = str(exc)[:2000]
        db.session.commit()
        log.warning("sending e-mail %s failed: %s", email_id, exc)
        return False
    email.sent_at = utcnow()
    email.last_error = None
    db.session.commit()
    return True


def drain(limit: int = 500) -> int:
    """Send what is still unsent (broker was down, SMTP failed); returns how many were sent."""
    ids = db.session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.sent_at.is_(None),
                                     OutboxEmail.attempts < mail.MAX_ATTEMPTS)
        .order_by(OutboxEmail.id).limit(limit)
    ).all()
    db.session.rollback()
    return sum(1 for email_id in ids if deliver(email_id))
