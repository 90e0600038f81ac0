"""Idempotency of order submissions: the same key (per user and scope) gives the same order.

The key row is inserted in the same transaction as the order, before anything else is written.
A concurrent duplicate blocks on the unique index until the first transaction ends; if that one
committed, the insert fails and the duplicate answers with the committed order; if it rolled
back (a refused order), the duplicate proceeds on its own.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orders.models import IdempotencyKey, Order
from orders.services import IdempotencyKeyReused, OrderError
from portal.extensions import db
from portal.models import Partner, User

MAX_KEY = 255


def request_hash(body: Any) -> str:
    """A fingerprint of a request body that ignores key order and whitespace."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _find(user: User, scope: str, key: str) -> IdempotencyKey | None:
    return db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user.id, IdempotencyKey.scope == scope,
        IdempotencyKey.key == key)).first()


def _answer(row: IdempotencyKey, digest: str, strict: bool) -> Order:
    if strict and row.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; use a new key for "
            "a new order.", fields={"Idempotency-Key": "already used with another body"})
    order = db.session.get(Order, row.order_id) if row.order_id else None
    if order is None:
        raise OrderError("This submission could not be matched to an order; send it again "
                         "with a new key.")
    return order


def claim(partner: Partner, user: User, scope: str, key: str, digest: str,
          strict: bool = True) -> tuple[IdempotencyKey | None, Order | None]:
    """(row, None) when this submission is new and owns `key`; (None, order) for a repeat."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise OrderError("An idempotency key of 1 to 255 characters is required.",
                         code="idempotency_key_required",
                         fields={"Idempotency-Key": "1 to 255 characters"})
    existing = _find(user, scope, key)
    if existing is not None:
        return None, _answer(existing, digest, strict)
    row = IdempotencyKey(partner_id=partner.id, user_id=user.id, scope=scope, key=key,
                         request_hash=digest)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        existing = _find(user, scope, key)  # committed meanwhile by a concurrent duplicate
        if existing is None:
            raise
        return None, _answer(existing, digest, strict)
    return row, None


def bind(row: IdempotencyKey, order: Order) -> None:
    """Record the order a key produced (same transaction as the order)."""
    row.order_id = order.id
