"""Import jobs: create from an upload, validate into a diff preview, apply all-or-nothing."""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select, update

from catalog.imports import (
    CHUNK_ROWS, KINDS, ImportFileError, ImportStateError, entry_rows, files, product_rows,
)
from catalog.imports.columns import map_header
from catalog.imports.problems import Problems
from catalog.imports.reader import open_table
from catalog.models import ImportJob, PriceBook
from catalog.services import CatalogError
from portal.db import utcnow
from portal.extensions import db
from portal.services import audit


def create_job(actor: Any, kind: str, price_book_id: int | None, filename: str,
               stream: BinaryIO) -> ImportJob:
    """Store an upload (checked for size, type and encoding) as a queued job; flush only."""
    if kind not in KINDS:
        raise CatalogError("Choose what the file contains.", fields={"kind": "Choose a kind of import."})
    book = None
    if kind == "price_book_entries":
        book = db.session.get(PriceBook, price_book_id) if price_book_id else None
        if book is None:
            raise CatalogError("Choose the price book to import into.",
                               fields={"price_book_id": "Choose a price book."})
    ext = files.extension_of(filename)
    stored = files.store_upload(stream, ext)
    job = ImportJob(kind=kind, price_book_id=book.id if book else None,
                    created_by_id=getattr(actor, "id", None),
                    filename=os.path.basename(filename.replace("\\", "/"))[:255] or f"upload.{ext}",
                    stored_path=stored, status="queued", errors=[], summary={},
                    message="Waiting for a background worker to check the file.")
    db.session.add(job)
    db.session.flush()
    return job


def _checker(job: ImportJob, problems: Problems) -> entry_rows.EntryCheck | product_rows.ProductCheck:
    if job.kind == "products":
        return product_rows.ProductCheck(problems)
    book = db.session.get(PriceBook, job.price_book_id)
    if book is None:
        raise ImportFileError("The price book of this import no longer exists.")
    return entry_rows.EntryCheck(book, problems)


def validate(job: ImportJob, progress: Callable[[], None]) -> None:
    """Read and check every row, then store the errors or the diff; `progress` is called per chunk."""
    problems = Problems()
    try:
        path = files.resolve(job.stored_path)
        checker = _checker(job, problems)
        rows = _check_file(job, path, checker, progress)
    except ImportFileError as exc:
        _finish_invalid(job, exc.message)
        return
    if problems:
        job.errors, job.error_count = problems.items, problems.count
        _finish_invalid(job, problems.summary_message(), keep_errors=True)
        return
    if rows == 0:
        _finish_invalid(job, "The file has column names but no data rows.")
        return
    summary = checker.summary()
    job.summary, job.status, job.total_rows = summary, "ready", rows
    job.message = (f"{rows:,} rows are valid: {summary['added']:,} to add, {summary['changed']:,} "
                   f"to change, {summary['removed']:,} to remove. Nothing is written until you apply.")
    job.finished_at = utcnow()
    db.session.flush()


def _check_file(job: ImportJob, path: Path, checker: Any,
                progress: Callable[[], None]) -> int:
    staging = files.resolve(files.staging_name(job.stored_path))
    rows = 0
    with open_table(path, path.suffix.lstrip("."), job.kind) as table, \
            staging.open("w", encoding="utf-8") as out:
        checker.start(map_header(job.kind, table.header, table.where))
        job.total_rows, job.processed_rows = table.estimated_rows, 0
        progress()
        chunk: list[tuple[int, list[str]]] = []
        for item in table.rows:
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                rows += _flush_chunk(checker, chunk, out)
                job.processed_rows, job.total_rows = rows, max(rows, job.total_rows)
                progress()
        rows += _flush_chunk(checker, chunk, out)
    job.processed_rows = rows
    return rows


def _flush_chunk(checker: Any, chunk: list[tuple[int, list[str]]], out: Any) -> int:
    for staged in checker.check(chunk):
        out.write(json.dumps(staged, separators=(",", ":")) + "\n")
    checker.problems.commit()
    count = len(chunk)
    chunk.clear()
    return count


def _finish_invalid(job: ImportJob, message: str, keep_errors: bool = False) -> None:
    if not keep_errors:
        job.errors, job.error_count = [], 0
    job.status, job.message, job.summary, job.finished_at = "invalid", message[:500], {}, utcnow()
    job.total_rows = job.processed_rows
    files.remove(job.stored_path)
    db.session.flush()


def claim_for_apply(job: ImportJob, actor: Any) -> None:
    """Move a ready job to 'applying' exactly once (a second apply is a 409); flush only."""
    claimed = db.session.execute(
        update(ImportJob).where(ImportJob.id == job.id, ImportJob.status == "ready")
        .values(status="applying", message="Waiting for a background worker to apply the changes.",
                updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.refresh(job)
        raise ImportStateError(state_message(job))
    db.session.refresh(job)
    job.summary = {**job.summary, "applied_by_id": getattr(actor, "id", None)}
    db.session.flush()


def state_message(job: ImportJob) -> str:
    """Why a job cannot be applied now, in words."""
    return {
        "applied": "This import was already applied.",
        "applying": "This import is being applied.",
        "invalid": "This file has problems and cannot be applied: fix it and upload it again.",
        "failed": "This import failed and cannot be applied: upload the file again.",
    }.get(job.status, "This file is still being checked: wait until the preview is ready.")


def staged_rows(job: ImportJob) -> Iterator[Any]:
    """The validated rows written during validation."""
    path = files.resolve(files.staging_name(job.stored_path))
    if not path.exists():
        raise ImportStateError("The checked rows of this import are gone: upload the file again.")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def apply(actor: Any, job: ImportJob) -> dict[str, int]:
    """Write the validated rows in the caller's transaction (all-or-nothing); flush only."""
    if job.kind == "products":
        result = product_rows.apply(actor, job.summary, staged_rows(job))
        audit.record_bulk(actor, "product.import", job, what="products", filename=job.filename, job_id=job.id,
                          created=result["added"], updated=result["changed"], skipped=result["unchanged"])
    else:
        book = db.session.scalar(select(PriceBook).where(PriceBook.id == job.price_book_id)
                                 .with_for_update())
        if book is None:
            raise ImportStateError("The price book of this import no longer exists.")
        result = entry_rows.apply(actor, book, job.summary, staged_rows(job),
                                  source=f"import #{job.id} ({job.filename})", job_id=job.id,
                                  filename=job.filename)
    job.status, job.finished_at = "applied", utcnow()
    job.summary = {**job.summary, "applied": result}
    job.message = (f"Applied: {result['added']:,} added, {result['changed']:,} changed, "
                   f"{result['removed']:,} removed.")
    job.processed_rows = job.total_rows
    db.session.flush()
    return result


def fail(job: ImportJob, message: str) -> None:
    """Mark a job failed (after its transaction was rolled back) and drop its files."""
    job.status, job.message, job.finished_at = "failed", message[:500], utcnow()
    files.remove(job.stored_path)
    db.session.flush()


def remove_files(job: ImportJob) -> None:
    """Drop an applied job's upload and checked rows (the audit log keeps what changed)."""
    files.remove(job.stored_path)
