"""The audit log, browsable and filterable by admins."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import render_template, request
from sqlalchemy import select

from admin.blueprint import bp
from portal.converters import parse_id
from portal.extensions import db
from portal.listing import page_params, paginate
from portal.models import AuditEntry, Partner
from portal.permissions import roles_required
from portal.services import audit


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    args = request.args
    stmt = select(AuditEntry)
    kind = (args.get("kind") or "").strip()
    if kind:
        # "mdf" matches "mdf.claim_approve" but not "mdfx.": the dot is part of the prefix
        stmt = stmt.where(AuditEntry.action.startswith(f"{kind}.", autoescape=True))
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action.startswith(args["action"].strip()))
    if args.get("object_type"):
        stmt = stmt.where(AuditEntry.object_type == args["object_type"])
    if args.get("actor"):
        stmt = stmt.where(AuditEntry.actor_label.ilike(f"%{args['actor'].strip()}%"))
    if (args.get("partner") or "").isdigit():  # an id no row can have finds nothing
        stmt = stmt.where(AuditEntry.partner_id == (parse_id(args["partner"]) or 0))
    if (args.get("object_id") or "").isdigit():
        stmt = stmt.where(AuditEntry.object_id == (parse_id(args["object_id"]) or 0))
    start, end = _day(args.get("from")), _day(args.get("to"))
    if start:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(start, time(), timezone.utc))
    if end:
        stmt = stmt.where(AuditEntry.created_at < datetime.combine(end + timedelta(days=1), time(), timezone.utc))
    if args.get("sort") == "oldest":
        stmt = stmt.order_by(AuditEntry.id.asc())
    else:
        stmt = stmt.order_by(AuditEntry.id.desc())
    page, per_page = page_params(args, 50, 200)
    result = paginate(stmt, page, per_page)
    kinds = sorted(audit.KINDS, key=audit.kind_label)
    object_types = db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)).all()
    partners = db.session.execute(select(Partner.id, Partner.name).order_by(Partner.name)).all()
    return render_template("admin/audit.html", page=result, object_types=object_types,
                           kinds=[(k, audit.kind_label(k)) for k in kinds], kind_label=audit.kind_label,
                           partners=partners, bad_dates=bool(args.get("from") and not start
                                                              or args.get("to") and not end))
