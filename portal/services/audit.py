"""Writing the audit log: who changed what, when, before and after; bulk work as one entry."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.extensions import db
from portal.models import AuditEntry

# The kind of an entry is the part of its action before the dot ("mdf.claim_approve" -> "mdf");
# the audit page filters by it. Kinds not listed here are shown by their raw name.
KINDS = {
    "application": "Partner applications",
    "campaign": "Campaigns",
    "contract_prices": "Contract prices",
    "house_account": "House accounts",
    "lead": "Leads",
    "mdf": "MDF requests and claims",
    "order": "Orders",
    "partner": "Partners",
    "price_book": "Price books",
    "product": "Products",
    "quote": "Quotes",
    "registration": "Deal registrations",
    "tier_discounts": "Tier discounts",
    "token": "API tokens",
    "user": "Users",
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind.replace("_", " ").capitalize())


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
    """Append an audit entry in the caller's transaction (it is written with the change or not at
    all); with both `before` and `after`, only changed fields are kept."""
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
        after={k: _jsonable(v) for k, v in after.items()} if after is not None else None,
        ip=ip,
    )
    db.session.add(entry)
    return entry


def record_bulk(actor: Any, action: str, obj: Any = None, *, what: str, filename: str = "",
                job_id: int | None = None, created: int = 0, updated: int = 0, skipped: int = 0,
                removed: int | None = None, extra: dict[str, Any] | None = None,
                partner_id: int | None = None) -> AuditEntry:
    """One entry for a whole import or bulk change (never one per row): the counts, the file name
    and the job id go to `after`, and a sentence to the summary."""
    counts = {"created": int(created), "updated": int(updated), "skipped": int(skipped)}
    if removed is not None:
        counts["removed"] = int(removed)
    after: dict[str, Any] = {**counts, "file": filename or None, "job_id": job_id, **(extra or {})}
    parts = [f"{counts['created']:,} created", f"{counts['updated']:,} updated"]
    if removed is not None:
        parts.append(f"{counts['removed']:,} removed")
    parts.append(f"{counts['skipped']:,} skipped")
    source = f" from {filename}" if filename else ""
    job = f" (import #{job_id})" if job_id is not None else ""
    return record(actor, action, obj, after=after, partner_id=partner_id,
                  summary=f"Imported {what}{source}{job}: {', '.join(parts)}")
