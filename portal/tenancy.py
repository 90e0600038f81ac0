"""Who the current partner is, and the safety net that scopes partner requests' queries.

The mechanism is explicit: services take `partner` first and portal reads go through
`Model.for_partner(partner)` / `get_for_partner_or_404`. The `do_orm_execute` listener is a net
under it: during a partner request every ORM select of a `TenantMixin` model is limited to the
current partner, unless code opts out with `unscoped()` (conflict detection, for instance).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_app_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from portal.db import TenantMixin


def current_partner() -> Any:
    """The logged-in user's partner (None for staff or anonymous); cached once a request."""
    if "current_partner" not in g:
        user = current_user
        partner = None
        if user and user.is_authenticated and user.partner_id is not None:
            partner = user.partner
        g.current_partner = partner
    return g.current_partner


def activate_tenant_scope(partner_id: int | None) -> None:
    """Called once authentication is known: a partner user's request is scoped to its partner."""
    g.tenant_partner_id = partner_id


@contextmanager
def unscoped() -> Iterator[None]:
    """Staff or cross-partner code (e.g. conflict detection) reads across partners."""
    previous = g.get("tenant_unscoped", False)
    g.tenant_unscoped = True
    try:
        yield
    finally:
        g.tenant_unscoped = previous


def _scoped_partner_id() -> int | None:
    if not has_app_context() or g.get("tenant_unscoped", False):
        return None
    return g.get("tenant_partner_id")


@event.listens_for(Session, "do_orm_execute")
def _tenant_safety_net(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    partner_id = _scoped_partner_id()
    if partner_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.partner_id == partner_id,
            include_aliases=True,
        )
    )
