"""Core background jobs: e-mail delivery and the outbox drain."""
from __future__ import annotations

from celery import shared_task

from portal.services import mail


@shared_task(name="portal.deliver_email")
def deliver_email(email_id: int) -> bool:
    return mail.deliver(email_id)


@shared_task(name="portal.drain_outbox")
def drain_outbox() -> int:
    return mail.drain_outbox()
