"""Lead background jobs: the periodic follow-up check (celery beat, also `flask leads fall-back`)."""
from __future__ import annotations

from celery import shared_task

from opportunities.leads.services.lapses import run_lapses
from portal.extensions import db


@shared_task(name="leads.fall_back")
def fall_back() -> str:
    """Return neglected leads and lapsed assignments to the pool; warn owners a day before."""
    report = run_lapses()
    db.session.commit()
    return str(report)
