"""Catalog background jobs: check an import file, apply a checked import."""
from __future__ import annotations

import logging

from celery import shared_task

from catalog.imports import jobs
from catalog.models import ImportJob
from portal.errors import DomainError
from portal.extensions import db
from portal.models import User

log = logging.getLogger(__name__)


@shared_task(name="catalog.validate_import")
def validate_import(job_id: int) -> str:
    """Validate an uploaded file and build its diff; progress is committed every chunk."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "queued":
        return "skipped"
    job.status, job.message = "validating", "Checking the rows..."
    db.session.commit()
    try:
        jobs.validate(job, progress=db.session.commit)  # only the job row changes: safe to commit
        db.session.commit()
    except Exception:  # noqa: BLE001 - the job must never stay 'validating'
        log.exception("import %s: validation crashed", job_id)
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        jobs.fail(job, "The file could not be checked because of an unexpected error (logged); "
                       "nothing was written.")
        db.session.commit()
    return job.status


@shared_task(name="catalog.apply_import")
def apply_import(job_id: int) -> str:
    """Apply a claimed import in one transaction; any failure rolls everything back."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "applying":
        return "skipped"
    actor = db.session.get(User, job.summary.get("applied_by_id") or job.created_by_id or 0)
    try:
        jobs.apply(actor, job)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - all-or-nothing: roll back, then record why
        if not isinstance(exc, DomainError):
            log.exception("import %s: apply crashed", job_id)
        db.session.rollback()
        message = exc.message if isinstance(exc, DomainError) else (
            "The changes could not be written because of an unexpected error (logged); "
            "nothing was written.")
        job = db.session.get(ImportJob, job_id)
        jobs.fail(job, message)
        db.session.commit()
        return job.status
    jobs.remove_files(job)
    return job.status


def dispatch(task: object, job_id: int) -> None:
    """Queue a task after commit; without a broker it runs right here (eager mode)."""
    try:
        task.delay(job_id)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - broker down: the job page says it waits for a worker
        log.warning("broker unavailable; import %s stays queued", job_id)
