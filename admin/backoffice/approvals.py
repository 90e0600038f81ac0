"""The approvals queue: everything waiting for a staff decision, built from the features' own queue
queries (registrations, quote discounts, MDF requests and claims, partner applications).

One UNION ALL of (kind, id, partner, waiting since, conflict) is counted, sorted and paged in the
database; the page's items are then loaded with one query per kind, so a page costs the same
number of queries whatever it shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, String, and_, case, exists, func, literal, null, or_, select, union_all

from admin.backoffice.approval_items import KIND_LABELS, OLD_AFTER, OVERDUE_AFTER, Item, load_items
from opportunities.campaigns.models import MdfClaim, MdfRequest
from opportunities.campaigns.services import mdf
from opportunities.registrations.models import PENDING_STATUSES, Conflict, Registration
from orders.quotes.models import Quote
from orders.quotes.services import queries as quote_queries
from portal.db import utcnow
from portal.extensions import db
from portal.listing import Page
from portal.models import Partner, PartnerApplication, User
from portal.services import onboarding

__all__ = ["KINDS", "KIND_LABELS", "OLD_AFTER", "OVERDUE_AFTER", "Item", "Scope", "counts", "page", "queue",
           "waiting_count"]

KINDS = ("registration", "quote", "mdf_request", "mdf_claim", "application")
DECIDERS = ("admin", "partner_manager")
SORTS = ("priority", "waiting", "-waiting")


def can_use(user: Any) -> bool:
    """The approvals page is for those who decide: admins and partner managers."""
    return bool(user and getattr(user, "role", None) in DECIDERS)


def default_mine(user: Any) -> bool:
    """A partner manager starts with its own partners; an admin with everything."""
    return getattr(user, "role", None) == "partner_manager"


@dataclass(frozen=True)
class Scope:
    """Which items: `mine` (partners managed by `actor`; applications belong to nobody, so they stay),
    one kind, one partner."""

    actor: User
    mine: bool = False
    kind: str | None = None
    partner_id: int | None = None


def _managed(partner_column: Any, actor: User) -> Any:
    return partner_column.in_(select(Partner.id).where(Partner.manager_id == actor.id))


def _row(stmt: Select, kind: str, item_id: Any, partner_id: Any, since: Any, conflict: Any = None) -> Select:
    return stmt.with_only_columns(
        literal(kind, String(20)).label("kind"), item_id.label("item_id"), partner_id.label("partner_id"),
        since.label("since"), (conflict if conflict is not None else literal(0, Integer)).label("conflict"),
        maintain_column_froms=False)


def _sources(scope: Scope) -> list[Select]:
    """One select per kind, each from the feature's queue query, narrowed to the scope."""
    manager = scope.actor if scope.mine else None
    crossing = exists().where(or_(Conflict.registration_id == Registration.id, Conflict.other_id == Registration.id),
                              Conflict.own.is_(False))
    regs = select(Registration).where(Registration.status.in_(PENDING_STATUSES))
    if manager is not None:
        regs = regs.where(_managed(Registration.partner_id, manager))
    claims = mdf.staff_requests("claimed", manager).join(
        MdfClaim, and_(MdfClaim.request_id == MdfRequest.id, MdfClaim.status == "submitted"))
    sources = {
        "registration": (_row(regs, "registration", Registration.id, Registration.partner_id,
                              Registration.submitted_at, case((crossing, 1), else_=0)), Registration.partner_id),
        "quote": (_row(quote_queries.staff_quotes(status="pending_approval", manager=manager), "quote", Quote.id,
                       Quote.partner_id, Quote.submitted_at), Quote.partner_id),
        "mdf_request": (_row(mdf.staff_requests("submitted", manager), "mdf_request", MdfRequest.id,
                             MdfRequest.partner_id, MdfRequest.created_at), MdfRequest.partner_id),
        "mdf_claim": (_row(claims, "mdf_claim", MdfRequest.id, MdfRequest.partner_id, MdfClaim.created_at),
                      MdfRequest.partner_id),
        "application": (_row(onboarding.search(status="pending"), "application", PartnerApplication.id,
                             null().cast(Integer), PartnerApplication.created_at), None),
    }
    selected = []
    for kind, (stmt, partner_column) in sources.items():
        if scope.kind not in (None, kind):
            continue
        if scope.partner_id is not None:
            if partner_column is None:
                continue  # applications have no partner yet
            stmt = stmt.where(partner_column == scope.partner_id)
        selected.append(stmt)
    return selected


def queue(scope: Scope) -> Any:
    """The waiting items as a subquery (kind, item_id, partner_id, since, conflict); None when no kind is left."""
    sources = _sources(scope)
    if not sources:
        return None
    return (sources[0] if len(sources) == 1 else union_all(*sources)).subquery("approvals")


def counts(scope: Scope) -> dict[str, tuple[int, datetime | None]]:
    """Per kind: how many wait and since when the oldest waits (one query; the kind filter is ignored)."""
    sub = queue(Scope(scope.actor, scope.mine, None, scope.partner_id))
    rows = db.session.execute(select(sub.c.kind, func.count(), func.min(sub.c.since)).group_by(sub.c.kind)).all()
    found = {kind: (n, since) for kind, n, since in rows}
    return {kind: found.get(kind, (0, None)) for kind in KINDS}


def waiting_count(actor: User, mine: bool) -> int:
    """How many items wait in the actor's view (the navigation badge)."""
    sub = queue(Scope(actor, mine))
    return db.session.scalar(select(func.count()).select_from(sub)) or 0


def page(scope: Scope, sort: str, number: int, per_page: int, total: int) -> Page[Item]:
    """One page of items, sorted: "priority" (conflicts first, then the longest waiting), "waiting"
    (longest first) or "-waiting" (newest first)."""
    sub = queue(scope)
    if sub is None or not total:
        return Page([], number, per_page, total, sort)
    order = {"priority": (sub.c.conflict.desc(), sub.c.since.asc()), "waiting": (sub.c.since.asc(),),
             "-waiting": (sub.c.since.desc(),)}[sort]
    rows = db.session.execute(select(sub).order_by(*order, sub.c.kind, sub.c.item_id)
                              .limit(per_page).offset((number - 1) * per_page)).all()
    return Page(load_items(scope.actor, rows), number, per_page, total, sort)


def waited(delta: timedelta) -> str:
    """A wait in words: "3 d 4 h", "5 h 10 min", "12 min"."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"


def now() -> datetime:
    """The time ages are measured against."""
    return utcnow()
