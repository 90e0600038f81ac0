"""The registration event log: append-only (database triggers refuse changes), chained by hash."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

GENESIS = "0" * 64


class RegistrationEvent(db.Model):
    """One event of a registration; `hash` covers the event and the previous entry's hash."""

    __tablename__ = "registration_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # position in the chain
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column()  # no foreign key: rows are never changed
    actor_label: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
