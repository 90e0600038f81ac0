"""Model mixins, tenant-scoped loaders and after-commit hooks."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import DateTime, ForeignKey, event, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from portal.errors import NotFound
from portal.extensions import db

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class TenantMixin:
    """A partner-owned row: `partner_id` NOT NULL, foreign key, indexed."""

    @declared_attr
    def partner_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("partners.id"), nullable=False, index=True)

    @classmethod
    def for_partner(cls: type[T], partner: Any):  # -> Select[tuple[T]]
        """The one way portal code lists a partner's rows."""
        return select(cls).where(cls.partner_id == partner.id)  # type: ignore[attr-defined]


ID_MAX = 2**31 - 1  # every primary key is an INTEGER (portal.converters.ID_MAX)


def id_in_range(object_id: Any) -> bool:
    """Whether `object_id` is an id a row can have (1..2**31-1); asking the database for any
    other value is an error on PostgreSQL, not a miss."""
    return isinstance(object_id, int) and not isinstance(object_id, bool) and 1 <= object_id <= ID_MAX


def load_owned(model: type[T], object_id: Any, partner: Any, *, error: type[NotFound] = NotFound,
               message: str = "No such record.", lock: bool = False,
               visible: Callable[[T], bool] | None = None, **details: Any) -> T:
    """The one tenant loader of the services: the partner's row `object_id` of `model`, or
    `error(message)` (a DomainError, 404 by default) when there is no such row, when it is another
    partner's, or when `visible` says this user may not see it. An id no row can have (not an
    int, out of range) is the same error, before any query. `lock` reads it again FOR UPDATE.
    Another partner's row reads exactly like a missing one, so ids leak nothing."""
    if not id_in_range(object_id):
        raise error(message, **details)
    obj = (db.session.get(model, object_id, with_for_update=True, populate_existing=True) if lock
           else db.session.get(model, object_id))  # locked: read again, whatever the session holds
    if obj is None or obj.partner_id != partner.id or (visible is not None and not visible(obj)):  # type: ignore[attr-defined]
        raise error(message, **details)
    return obj


def get_for_partner_or_404(model: type[T], object_id: int, partner: Any) -> T:
    """`load_owned` for views: another partner's row is the 404 page, so ids leak nothing."""
    try:
        return load_owned(model, object_id, partner)
    except NotFound:
        abort(404)


def get_or_404(model: type[T], object_id: int) -> T:
    """Load a row by id; a missing row, or an id no row can have, is a 404."""
    if not id_in_range(object_id):
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


# --- side effects after commit -------------------------------------------------------------

def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current transaction has committed; dropped on rollback."""
    session = db.session()
    session.info.setdefault("after_commit", []).append(callback)


def _install_commit_hooks() -> None:
    @event.listens_for(Session, "after_commit")
    def _run(session: Session) -> None:
        callbacks = session.info.pop("after_commit", [])
        for callback in callbacks:
            callback()

    @event.listens_for(Session, "after_soft_rollback")
    def _drop(session: Session, previous_transaction: Any) -> None:
        if not session.in_transaction():
            session.info.pop("after_commit", None)


_install_commit_hooks()
