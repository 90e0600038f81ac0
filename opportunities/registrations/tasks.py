"""Deal registration background jobs: the daily expiry with reminders (also `flask registrations expire`)."""
from __future__ import annotations

from celery import shared_task

from opportunities.registrations.services.lifecycle import expire_registrations
from portal.extensions import db


@shared_task(name="registrations.expire")
def expire() -> str:
    """Expire approved registrations past their protection and remind those ending soon."""
    run = expire_registrations()
    db.session.commit()
    return f"expired {run.expired}, reminded {run.reminded}"
