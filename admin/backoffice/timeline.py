"""A partner's activity timeline: the audit log merged with the features' own event histories
(quotes, orders, registrations, leads, MDF), newest first, paged in the database (two queries a page).

Audit entries about quotes, orders and leads are left out: their feature events say the same thing
with more detail.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, cast, func, literal, null, or_, select, union_all

from opportunities.campaigns.models import MdfEvent, MdfRequest
from opportunities.leads.models import Lead, LeadEvent
from opportunities.registrations.models import Registration, RegistrationEvent
from orders.models import Order, OrderStatusChange
from orders.quotes.models import Quote, QuoteEvent
from portal.db import UTCDateTime
from portal.extensions import db
from portal.listing import Page
from portal.models import AuditEntry, Partner
from portal.money import Money

COVERED_BY_EVENTS = ("quotes", "orders", "leads")
SOURCES = {"audit": "Audit log", "quote": "Quote", "order": "Order", "registration": "Registration",
           "lead": "Lead", "mdf": "MDF"}


def _columns(at: Any, source: str, row_id: Any, object_id: Any, actor: Any, action: Any, note: Any,
             subject: Any = None, extra: Any = None, subject_at: Any = None) -> list[Any]:
    """The timeline's columns, typed alike in every branch of the union."""
    text = String(400)
    return [at.label("at"), literal(source, String(20)).label("source"), row_id.label("row_id"),
            cast(object_id, Integer).label("object_id"), cast(actor, text).label("actor"),
            cast(action, String(64)).label("action"), cast(note, Text).label("note"),
            (cast(subject, text) if subject is not None else null().cast(text)).label("subject"),
            (cast(extra, Text) if extra is not None else null().cast(Text)).label("extra"),
            (subject_at if subject_at is not None else null().cast(UTCDateTime)).label("subject_at")]


def timeline_query(partner: Partner) -> Any:
    """Every event of the partner as one subquery (at, source, row_id, object_id, actor, action, note, ...)."""
    pid = partner.id
    parts = [
        select(*_columns(AuditEntry.created_at, "audit", AuditEntry.id, AuditEntry.object_id, AuditEntry.actor_label,
                         AuditEntry.action, AuditEntry.summary, AuditEntry.object_type, AuditEntry.after))
        .where(AuditEntry.partner_id == pid, AuditEntry.object_type.notin_(COVERED_BY_EVENTS)),
        select(*_columns(QuoteEvent.created_at, "quote", QuoteEvent.id, QuoteEvent.quote_id, QuoteEvent.actor_label,
                         QuoteEvent.action, QuoteEvent.note, Quote.number))
        .join(Quote, Quote.id == QuoteEvent.quote_id).where(QuoteEvent.partner_id == pid),
        select(*_columns(OrderStatusChange.created_at, "order", OrderStatusChange.id, OrderStatusChange.order_id,
                         OrderStatusChange.actor_label, OrderStatusChange.to_status, OrderStatusChange.note,
                         Order.po_number, OrderStatusChange.from_status, Order.created_at))
        .join(Order, Order.id == OrderStatusChange.order_id).where(OrderStatusChange.partner_id == pid),
        select(*_columns(RegistrationEvent.at, "registration", RegistrationEvent.seq, RegistrationEvent.registration_id,
                         RegistrationEvent.actor_label, RegistrationEvent.event, null(), Registration.customer_name,
                         RegistrationEvent.data))
        .join(Registration, Registration.id == RegistrationEvent.registration_id)
        .where(RegistrationEvent.partner_id == pid),
        select(*_columns(LeadEvent.created_at, "lead", LeadEvent.id, LeadEvent.lead_id, LeadEvent.actor_label,
                         LeadEvent.action, LeadEvent.reason, Lead.company_name))
        .join(Lead, Lead.id == LeadEvent.lead_id)
        .where(or_(LeadEvent.from_partner_id == pid, LeadEvent.to_partner_id == pid)),
        select(*_columns(MdfEvent.created_at, "mdf", MdfEvent.id, MdfEvent.request_id, MdfEvent.actor_label,
                         MdfEvent.action, MdfEvent.note, MdfRequest.activity,
                         func.coalesce(cast(MdfEvent.amount_minor, String(30)), "") + " " + MdfEvent.currency))
        .join(MdfRequest, MdfRequest.id == MdfEvent.request_id).where(MdfEvent.partner_id == pid),
    ]
    return union_all(*parts).subquery("timeline")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    at: datetime
    source: str
    object_id: int | None
    actor: str
    action: str
    text: str

    @property
    def label(self) -> str:
        return SOURCES[self.source]


def timeline(partner: Partner, number: int, per_page: int) -> Page[Entry]:
    """One page of the partner's timeline, newest first."""
    sub = timeline_query(partner)
    total = db.session.scalar(select(func.count()).select_from(sub)) or 0
    rows = db.session.execute(select(sub).order_by(sub.c.at.desc(), sub.c.source, sub.c.row_id.desc())
                              .limit(per_page).offset((number - 1) * per_page)).all()
    return Page([_entry(r) for r in rows], number, per_page, total)


def _words(action: str) -> str:
    return action.replace("_", " ").replace(".", " ")


def _entry(r: Any) -> Entry:
    """Say what happened in words."""
    note = (r.note or "").strip()
    if r.source == "audit":
        text = (note or _words(r.action)) + _changes(r.extra)
    elif r.source == "quote":
        text = f"{r.subject}: {_words(r.action)}" + (f" — {note}" if note else "")
    elif r.source == "order":
        number = f"SO-{r.subject_at.year}-{r.object_id:06d}" if r.subject_at else f"Order #{r.object_id}"
        change = f"{_words(r.extra)} → {_words(r.action)}" if r.extra else _words(r.action)
        text = f"{number} (PO {r.subject}): {change}" + (f" — {note}" if note else "")
    elif r.source == "registration":
        text = f"#{r.object_id} {r.subject}: {_words(r.action)}" + _registration_detail(r.extra, r.action)
    elif r.source == "lead":
        text = f"{r.subject}: {_words(r.action)}" + (f" — {note}" if note else "")
    else:
        amount = _amount(r.extra)
        text = f"“{r.subject}”: {_words(r.action)}" + (f" {amount}" if amount else "") + (f" — {note}" if note else "")
    return Entry(r.at, r.source, r.object_id, r.actor, r.action, text)


def _json(data: Any) -> Any:
    try:
        return json.loads(data) if isinstance(data, str) else data
    except ValueError:
        return None


def _changes(after: Any) -> str:
    """The new values an audit entry recorded: " (payment terms days → 45)"."""
    values = _json(after)
    if not isinstance(values, dict) or not values:
        return ""
    shown = [f"{_words(k)} → {v}" for k, v in list(values.items())[:4] if not isinstance(v, (dict, list))]
    return f" ({', '.join(shown)})" if shown else ""


def _registration_detail(data: Any, event: str) -> str:
    """The telling part of a registration event's data: a reason, a status, a protection date."""
    values = _json(data)
    if not isinstance(values, dict):
        return ""
    for key, template in (("reason", " — {}"), ("status", " ({})"), ("protected_until", " until {}"),
                          ("outcome", " ({})")):
        value = values.get(key)
        if value and value != event:
            return template.format(_words(str(value)))
    return ""


def _amount(extra: str | None) -> str:
    """"250000 EUR" (minor units and currency) as money, "" when there is no amount."""
    minor, _, currency = (extra or "").strip().partition(" ")
    if not minor.strip() or not currency:
        return ""
    try:
        return Money(int(minor), currency.strip()).format()
    except (ValueError, TypeError):
        return ""
