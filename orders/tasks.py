"""Order background jobs: refunds that could not reach Stripe are retried."""
from __future__ import annotations

from celery import shared_task

from orders import payments


@shared_task(name="orders.retry_refunds")
def retry_refunds() -> int:
    """Send refunds still pending (Stripe was down when the order was cancelled)."""
    if not payments.card_enabled():
        return 0
    return payments.process_refunds()
