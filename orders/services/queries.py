"""Finding orders: a partner's history and the staff desk, filtered by status, date, PO and SKU."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Select, exists, false, select

from orders.models import ORDER_STATUSES, Order, OrderLine
from portal.errors import Malformed
from portal.extensions import db
from portal.models import Partner

NUMBER = re.compile(r"^\s*SO-\d{4}-0*(\d{1,12})\s*$", re.IGNORECASE)
ID_MAX = 2**31 - 1
SORTS = {"date": Order.created_at, "number": Order.id, "total": Order.total_minor,
         "status": Order.status, "po": Order.po_number}


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Malformed(f"{name} must be a date as YYYY-MM-DD.", fields={name: "YYYY-MM-DD"}) from None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def filtered(stmt: Select, args: Mapping[str, Any]) -> Select:
    """Apply ?status=&from=&to=&po=&sku=&q= (q: an order number or PO)."""
    status = (args.get("status") or "").strip()
    if status:
        if status not in ORDER_STATUSES:
            raise Malformed(f"Unknown status {status!r}.", fields={"status": ", ".join(ORDER_STATUSES)})
        stmt = stmt.where(Order.status == status)
    start, end = _day(args.get("from"), "from"), _day(args.get("to"), "to")
    if start:
        stmt = stmt.where(Order.created_at >= _start(start))
    if end:
        stmt = stmt.where(Order.created_at < _start(end + timedelta(days=1)))
    po = (args.get("po") or "").strip()
    if po:
        stmt = stmt.where(Order.po_number.ilike(f"%{po}%"))
    sku = (args.get("sku") or "").strip()
    if sku:
        stmt = stmt.where(exists().where(OrderLine.order_id == Order.id,
                                         OrderLine.sku.ilike(f"%{sku}%")))
    q = (args.get("q") or "").strip()
    if q:
        match = NUMBER.match(q)
        if match and int(match.group(1)) > ID_MAX:  # a number no order can have: nothing, not a DB error
            stmt = stmt.where(false())
        else:
            stmt = stmt.where(Order.id == int(match.group(1))) if match else stmt.where(
                Order.po_number.ilike(f"%{q}%"))
    return stmt


def for_partner(partner: Partner, args: Mapping[str, Any]) -> Select:
    return filtered(Order.for_partner(partner), args)


def for_staff(args: Mapping[str, Any]) -> Select:
    stmt = filtered(select(Order), args)
    partner_id = str(args.get("partner_id") or "").strip()
    if partner_id.isdigit():
        stmt = stmt.where(Order.partner_id == int(partner_id))
    return stmt


def partner_names(orders: list[Order]) -> dict[int, str]:
    ids = {o.partner_id for o in orders}
    if not ids:
        return {}
    return dict(db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all())
