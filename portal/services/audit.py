"""Writing the audit log: who changed what, when, before and after."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.extensions import db
from portal.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record(actor: Any, action: str, obj: Any = None, *, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, summary: str = "", partner_id: int | None = None,
           ip: str | None = None) -> AuditEntry:
    """Append an audit entry; with both `before` and `after`, only changed fields are kept."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after[k] for k in sorted(changed)}
    object_type = obj.__tablename__ if obj is not None else action.split(".")[0]
    if partner_id is None and obj is not None:
        partner_id = obj.id if object_type == "partners" else getattr(obj, "partner_id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        action=action,
        object_type=object_type,
        object_id=getattr(obj, "id", None),
        partner_id=partner_id,
        summary=summary[:300],
        before=before,
        after=after,
        ip=ip,
    )
    db.session.add(entry)
    return entry
