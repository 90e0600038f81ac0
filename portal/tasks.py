"""Core background jobs: e-mail delivery, the outbox drain, pruning ended log-in sessions."""
from __future__ import annotations

from celery import shared_task

from portal import outbox
from portal.extensions import db
from portal.services import sessions


@shared_task(name="portal.deliver_email")
def deliver_email(email_id: int) -> bool:
    return outbox.deliver(email_id)


@shared_task(name="portal.drain_outbox")
def drain_outbox() -> int:
    return outbox.drain()


@shared_task(name="portal.prune_sessions")
def prune_sessions() -> int:
    deleted = sessions.prune()
    db.session.commit()
    return deleted
