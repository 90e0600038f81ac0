"""The registration event log: appending chained entries, and verifying the chain.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON
(position, registration, partner, event, actor, time, data), so changing, removing or inserting
an entry breaks every later link. Database triggers refuse UPDATE and DELETE on the table.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registrations.models.events import GENESIS
from opportunities.registry import bulk
from opportunities.registry.index import registry_lock
from portal.db import utcnow
from portal.extensions import db

def canonical(entry: dict[str, Any]) -> str:
    """Return the canonical JSON of an entry's hashed fields."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, seq: int, registration_id: int, partner_id: int, event: str,
               actor_id: int | None, actor_label: str, at: datetime, data: dict[str, Any]) -> str:
    """Return the hash of an entry chained to `prev_hash`."""
    body = canonical({"seq": seq, "registration_id": registration_id, "partner_id": partner_id, "event": event,
                      "actor_id": actor_id, "actor_label": actor_label, "at": _stamp(at), "data": data})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _head() -> tuple[int, str]:
    """Return (seq, hash) of the chain's last entry (callers hold the registry lock)."""
    row = db.session.execute(
        select(RegistrationEvent.seq, RegistrationEvent.hash).order_by(RegistrationEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append_events(items: Sequence[tuple[Registration, str, Any, dict[str, Any]]]) -> int:
    """Append (registration, event, actor, data) entries in order; returns how many were written."""
    if not items:
        return 0
    registry_lock()
    seq, prev = _head()
    rows = []
    at = utcnow()
    for reg, event, actor, data in items:
        seq += 1
        actor_id = getattr(actor, "id", None)
        label = getattr(actor, "email", None) or "system"
        digest = entry_hash(prev, seq, reg.id, reg.partner_id, event, actor_id, label, at, data)
        rows.append({"seq": seq, "registration_id": reg.id, "partner_id": reg.partner_id, "event": event,
                     "actor_id": actor_id, "actor_label": label, "at": at, "data": data,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    bulk.insert_rows(RegistrationEvent.__table__, rows)
    return len(rows)


def append_event(reg: Registration, event: str, actor: Any, data: dict[str, Any] | None = None) -> None:
    """Append one event of a registration to the chained log."""
    append_events([(reg, event, actor, data or {})])


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: entries checked, and the first broken one (if any)."""

    checked: int
    head: str
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _entries(batch: int = 5000) -> Iterator[Any]:
    last = 0
    columns = RegistrationEvent.__table__.c
    while True:
        rows = db.session.execute(select(columns).where(columns.seq > last).order_by(columns.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> ChainReport:
    """Walk the whole log in order and report the first entry whose link or content does not check out."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for row in _entries():
        if row.seq != expected_seq:
            return ChainReport(checked, prev, row.seq, f"entry {expected_seq} is missing (next is {row.seq})")
        if row.prev_hash != prev:
            return ChainReport(checked, prev, row.seq, "its link to the previous entry does not match")
        digest = entry_hash(prev, row.seq, row.registration_id, row.partner_id, row.event, row.actor_id,
                            row.actor_label, row.at, row.data or {})
        if digest != row.hash:
            return ChainReport(checked, prev, row.seq, "its content was changed after it was written")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return ChainReport(checked, prev)


def events_of(reg: Registration) -> list[RegistrationEvent]:
    """The registration's events, oldest first."""
    return list(db.session.scalars(select(RegistrationEvent).where(
        RegistrationEvent.registration_id == reg.id).order_by(RegistrationEvent.seq)))
