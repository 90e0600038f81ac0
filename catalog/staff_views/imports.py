"""Staff pages: price book and product imports (CSV / Excel) with preview and progress."""
from __future__ import annotations

import re

from flask import Response, abort, flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from catalog.imports import (
    ACTIVE_STATUSES, KINDS, MAX_TIERS, ImportStateError, export, files, jobs, limits_text,
)
from catalog.imports.forms import ImportForm
from catalog.models import ImportJob, PriceBook
from catalog.staff_views import bp
from catalog.tasks import apply_import, dispatch, validate_import
from portal.db import after_commit, get_or_404
from portal.errors import DomainError, json_error, wants_json
from portal.extension_points import NavItem
from portal.extensions import db
from portal.listing import page_params, paginate
from portal.models import User
from portal.permissions import roles_required

IMPORTERS = ("admin", "sales_ops")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields

NAV = (NavItem("Imports", "catalog_staff.imports", "file-earmark-arrow-up", IMPORTERS, 75, menu="Products"),)


def can_import(user: object) -> bool:
    """Sales ops and admins import, apply and export; other staff only look."""
    return getattr(user, "role", None) in IMPORTERS


def _status_body(job: ImportJob) -> dict[str, object]:
    return {"id": job.id, "status": job.status, "progress": job.progress,
            "processed_rows": job.processed_rows, "total_rows": job.total_rows,
            "error_count": job.error_count, "message": job.message,
            "finished": job.status not in ACTIVE_STATUSES,
            "detail_url": url_for("catalog_staff.import_detail", job_id=job.id)}


@bp.get("/imports")
def imports():
    page, per_page = page_params(request.args, 25, 100)
    result = paginate(select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id.desc()),
                      page, per_page)
    books = {b.id: b for b in db.session.scalars(select(PriceBook).where(
        PriceBook.id.in_({j.price_book_id for j in result.items if j.price_book_id})))}
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({j.created_by_id for j in result.items if j.created_by_id})))}
    return render_template("admin/imports/index.html", page=result, books=books, users=users,
                           kinds=KINDS, can_import=can_import(current_user))


@bp.route("/imports/new", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def import_new():
    request.max_content_length = files.max_bytes() + FORM_OVERHEAD
    try:
        form = ImportForm()
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        form.load_books()
        form.file.errors = [files.too_big_message()]
        return _render_new(form), 413
    form.load_books()
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else form.kind.data
        form.price_book_id.data = request.args.get("price_book_id", "")
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = jobs.create_job(current_user, form.kind.data, form.book_id(), upload.filename or "",
                                  upload.stream)
        except DomainError as exc:
            db.session.rollback()
            for name, message in (exc.fields or {"file": exc.message}).items():
                getattr(form, name).errors = list(getattr(form, name).errors) + [message]
            status = exc.status
        else:
            job_id = job.id
            after_commit(lambda: dispatch(validate_import, job_id))
            db.session.commit()
            return redirect(url_for("catalog_staff.import_detail", job_id=job_id))
    elif request.method == "POST":
        status = 400
    return _render_new(form), status


def _render_new(form: ImportForm) -> str:
    return render_template("admin/imports/new.html", form=form, limits=limits_text(),
                           max_tiers=MAX_TIERS)


@bp.get("/imports/<id:job_id>")
def import_detail(job_id: int):
    job = get_or_404(ImportJob, job_id)
    book = db.session.get(PriceBook, job.price_book_id) if job.price_book_id else None
    creator = db.session.get(User, job.created_by_id) if job.created_by_id else None
    return render_template("admin/imports/detail.html", job=job, book=book, creator=creator,
                           kinds=KINDS, active=job.status in ACTIVE_STATUSES,
                           can_import=can_import(current_user), status=_status_body(job))


@bp.get("/imports/<id:job_id>/status")
def import_status(job_id: int):
    return jsonify(_status_body(get_or_404(ImportJob, job_id)))


@bp.post("/imports/<id:job_id>/apply")
@roles_required(*IMPORTERS)
def import_apply(job_id: int):
    job = get_or_404(ImportJob, job_id)
    try:
        jobs.claim_for_apply(job, current_user)
    except ImportStateError as exc:
        db.session.rollback()
        if wants_json():
            return json_error(exc.status, exc.code, exc.message)
        flash(exc.message, "warning")
        return redirect(url_for("catalog_staff.import_detail", job_id=job_id))
    after_commit(lambda: dispatch(apply_import, job_id))
    db.session.commit()
    if wants_json():
        return jsonify(_status_body(db.session.get(ImportJob, job_id))), 202
    return redirect(url_for("catalog_staff.import_detail", job_id=job_id))  # the page shows the outcome


def _download(header: list[str], rows: list[list[object]], name: str, title: str) -> Response:
    fmt = request.args.get("format", "csv")
    if fmt not in export.FORMATS:
        abort(400, description="format must be csv or xlsx.")
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "xlsx":
        return Response(export.xlsx_bytes(header, rows, title), mimetype=export.FORMATS[fmt],
                        headers=disposition)
    return Response(stream_with_context(export.csv_chunks(header, rows)),
                    content_type=export.FORMATS[fmt], headers=disposition)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "export"


@bp.get("/price-books/<id:book_id>/export")
@roles_required(*IMPORTERS)
def price_book_export(book_id: int):
    book = get_or_404(PriceBook, book_id)
    header, rows = export.entry_table(book)
    return _download(header, rows, f"price-book-{book.id}-{_slug(book.name)}", "Entries")


@bp.get("/products/export")
@roles_required(*IMPORTERS)
def products_export():
    header, rows = export.product_table()
    return _download(header, rows, "products", "Products")
