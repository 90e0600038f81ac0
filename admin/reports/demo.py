"""Demo history for the reports: a year of closed orders, deal registrations decided and closed
(with their entries in the hash-chained event log) and converted leads, as if imported from the
systems used before the portal. Dated in the past, so nothing here asks anyone to act."""
from __future__ import annotations

from flask import Flask
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import insert, select

from catalog.demo import EUR_PRICES, RATES, SIMPLE
from opportunities.leads.inputs import company_key
from opportunities.leads.models import Lead, LeadEvent, LeadOwnership
from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registrations.services.events import entry_hash
from orders.models import Order, OrderLine, OrderStatusChange
from portal.extension_points import DemoLoader, registry
from portal.db import utcnow
from portal.extensions import db
from portal.money import Money

MONTHS = 12
# partner index -> orders per month (Fabrikam, suspended now, ordered until five months ago)
ORDER_RATE = {0: 4, 1: 3, 2: 2, 3: 1, 4: 2}
SKUS = [(sku, name, family) for sku, name, family, _ in SIMPLE if sku != "HW-LEGACY-1"]
CUSTOMERS = ["Harbor Logistics", "Alpine Clinics", "Metro Schools", "Sunrise Hotels", "Delta Foods",
             "Nova Insurance", "Granite Builders", "Blue River Energy", "Summit Retail", "Orchid Pharma",
             "Atlas Freight", "Cedar Banking", "Falcon Airways Cargo", "Lumen Media", "Pioneer Farms"]
LOST_REASONS = ["Customer chose a competitor", "Budget frozen", "Project postponed a year"]


def _unit_price(sku: str, currency: str) -> int:
    price = Decimal(EUR_PRICES[sku][0]) * RATES[currency] * Decimal("0.92")
    return Money.from_decimal(price.quantize(Decimal(1) if currency == "JPY" else Decimal("0.01")), currency).amount_minor


def _orders(rng: Random, partners: list[Any], buyers: dict[int, Any], now: datetime) -> dict[int, list[Any]]:
    """Closed (and a few cancelled) orders spread over the last twelve months."""
    placed: dict[int, list[Any]] = {}
    for index, rate in ORDER_RATE.items():
        partner = partners[index]
        for month in range(MONTHS, 0, -1):
            if index == 4 and month < 5:
                continue
            for n in range(rng.randint(max(rate - 1, 1), rate + 1)):
                at = now - timedelta(days=30 * month - rng.randint(0, 27), hours=rng.randint(0, 9))
                order = Order(partner_id=partner.id, placed_by_id=getattr(buyers.get(index), "id", None),
                              status="cancelled" if rng.random() < 0.06 else "closed", payment_method="on_account",
                              po_number=f"H-{partner.id}-{month:02d}{n:02d}", currency=partner.currency, total_minor=0,
                              notes="Imported order history", source="import", created_at=at, updated_at=at,
                              submitted_at=at, paid_at=min(at + timedelta(days=partner.payment_terms_days), now))
                if order.status == "cancelled":
                    order.paid_at = None
                for position, (sku, name, family) in enumerate(rng.sample(SKUS, rng.randint(1, 3))):
                    qty = rng.choice((1, 2, 3, 5, 10)) * (5 if family == "hardware" else 1)
                    unit = _unit_price(sku, partner.currency)
                    amount = Money(unit, partner.currency).as_str()
                    order.lines.append(OrderLine(
                        partner_id=partner.id, position=position, sku=sku, name=name, family=family, quantity=qty,
                        unit_list_minor=unit, unit_net_minor=unit, line_total_minor=unit * qty,
                        waterfall=[{"step": "net", "label": "Net price (imported)", "amount": amount}]))
                    order.total_minor += unit * qty
                order.history.append(OrderStatusChange(partner_id=partner.id, from_status=None, to_status=order.status,
                                                       actor_label="import", note="Imported history", created_at=at))
                db.session.add(order)
                placed.setdefault(index, []).append(order)
    db.session.flush()
    return placed


def _registration(rng: Random, partner: Any, user: Any, manager: Any, submitted: datetime, n: int,
                  events: list[tuple[datetime, Any, str, Any, dict[str, Any]]]) -> Registration:
    families = rng.sample(["hardware", "software", "services"], rng.randint(1, 2))
    amount = Money.from_decimal(rng.choice((12, 18, 25, 40, 65, 90, 150)) * 1000 * RATES[partner.currency],
                                partner.currency)
    customer = f"{CUSTOMERS[n % len(CUSTOMERS)]} {partner.country} {n}"
    reg = Registration(partner_id=partner.id, created_by_id=user.id, source="portal", customer_name=customer,
                       customer_domain=f"{customer.lower().replace(' ', '-')}.example", customer_country=partner.country,
                       families=families, amount_minor=amount.amount_minor, currency=partner.currency,
                       expected_close=(submitted + timedelta(days=75)).date(), status="submitted",
                       submitted_at=submitted, created_at=submitted, updated_at=submitted)
    db.session.add(reg)
    db.session.flush()
    events.append((submitted, reg, "submitted", user, {"customer": customer, "source": "history"}))
    if rng.random() < 0.12:
        decided = submitted + timedelta(hours=rng.randint(4, 96))
        reg.status, reg.decided_at, reg.decided_by_id = "rejected", decided, manager.id
        reg.rejection_reason = "Another partner registered this customer first."
        events.append((decided, reg, "rejected", manager, {"reason": reg.rejection_reason}))
        return reg
    # most are approved within a working day or two; some wait a week
    wait = timedelta(hours=rng.choice((2, 5, 9, 20, 26, 30, 44, 50, 70, 160)) + rng.random() * 3)
    decided = submitted + wait
    reg.status, reg.decided_at, reg.decided_by_id = "approved", decided, manager.id
    reg.protection_days, reg.protected_until = 90, (decided + timedelta(days=90)).date()
    events.append((decided, reg, "approved", manager, {"protection_days": 90, "source": "history"}))
    return reg


def _close(rng: Random, reg: Registration, orders: list[Any], now: datetime,
           events: list[tuple[datetime, Any, str, Any, dict[str, Any]]]) -> None:
    """Won with a later order, lost, or expired: whatever a past deal became."""
    later = [o for o in orders if o.created_at > reg.decided_at and o.status == "closed" and o.opportunity_id is None]
    roll = rng.random()
    if roll < 0.45 and later:
        order = later[0]
        closed = order.created_at
        reg.status, reg.won_order_id, order.opportunity_id = "won", order.id, reg.id
        events.append((closed, reg, "won", None, {"order_id": order.id}))
    elif roll < 0.8 or reg.protected_until >= now.date():
        closed = reg.decided_at + timedelta(days=rng.randint(10, 60))
        reg.status, reg.lost_reason = "lost", rng.choice(LOST_REASONS)
        events.append((closed, reg, "lost", None, {"reason": reg.lost_reason}))
    else:
        closed = datetime.combine(reg.protected_until + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
        reg.status = "expired"
        events.append((closed, reg, "expired", None, {}))
    reg.closed_at = min(closed, now - timedelta(days=1))


def _lead(partner: Any, user: Any, manager: Any, reg: Registration | None, n: int, at: datetime) -> None:
    """A lead the partner took from the pool, then converted (into `reg`) or released and staff closed."""
    name = f"{CUSTOMERS[(n + 7) % len(CUSTOMERS)]} Group {partner.country}-{n}"
    lead = Lead(company_name=name, company_key=company_key(name), company_country=partner.country,
                region=partner.region, families=["hardware"], source="import", notes="Imported lead history",
                created_by_id=manager.id, created_at=at, updated_at=at, status="closed")
    db.session.add(lead)
    db.session.flush()
    claimed, done = at + timedelta(days=1), at + timedelta(days=6)
    ownership = LeadOwnership(lead_id=lead.id, partner_id=partner.id, user_id=user.id, via="claim", started_at=claimed,
                              first_activity_at=claimed + timedelta(days=1), ended_at=done)
    entries = [("created", None, "Imported from the previous CRM", at), ("claimed", partner.id, "", claimed)]
    if reg is not None:
        lead.status, lead.owner_partner_id, lead.owner_user_id = "converted", partner.id, user.id
        lead.opportunity_id, lead.converted_at, ownership.outcome = reg.id, done, "converted"
        reg.source, reg.lead_id = "lead", lead.id
        entries.append(("converted", partner.id, f"Deal registration #{reg.id}", done))
    else:
        ownership.outcome = "released"
        entries += [("released", None, "No project this year", done),
                    ("closed", None, "Customer bought elsewhere", done + timedelta(days=2))]
    db.session.add(ownership)
    db.session.add_all([LeadEvent(lead_id=lead.id, action=a, to_partner_id=p if a != "released" else None,
                                  from_partner_id=partner.id if a == "released" else None,
                                  actor_label="import", reason=r, created_at=t) for a, p, r, t in entries])


def _log(events: list[tuple[datetime, Any, str, Any, dict[str, Any]]]) -> None:
    """Append the registrations' events to the chained log, oldest first, with valid hashes."""
    last = db.session.execute(select(RegistrationEvent.seq, RegistrationEvent.hash)
                              .order_by(RegistrationEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0], last[1]) if last else (0, "0" * 64)
    rows = []
    for at, reg, event, actor, data in sorted(events, key=lambda e: (e[0], e[1].id)):
        seq += 1
        label = getattr(actor, "email", None) or "system"
        digest = entry_hash(prev, seq, reg.id, reg.partner_id, event, getattr(actor, "id", None), label, at, data)
        rows.append({"seq": seq, "registration_id": reg.id, "partner_id": reg.partner_id, "event": event,
                     "actor_id": getattr(actor, "id", None), "actor_label": label, "at": at, "data": data,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    if rows:
        db.session.execute(insert(RegistrationEvent), rows)


def load(objects: dict) -> None:
    """Add a year of history to the demo data."""
    rng, now = Random(2026), utcnow()
    partners, staff = objects["partners"], objects["staff"]
    users = {u.partner_id: u for u in reversed(objects["users"])}  # each partner's admin
    managers = {p.id: next(s for s in staff if s.id == p.manager_id) for p in partners}
    placed = _orders(rng, partners, {i: users.get(p.id) for i, p in enumerate(partners)}, now)
    events: list[tuple[datetime, Any, str, Any, dict[str, Any]]] = []
    n = 0
    for index in (0, 1, 2, 3):
        partner, user = partners[index], users[partners[index].id]
        for month in range(MONTHS, 1, -1):
            for _ in range(rng.randint(1, 3 if index < 2 else 2)):
                n += 1
                submitted = now - timedelta(days=30 * month - rng.randint(0, 20), hours=rng.randint(0, 8))
                reg = _registration(rng, partner, user, managers[partner.id], submitted, n, events)
                if reg.status == "approved":
                    _close(rng, reg, placed.get(index, []), now, events)
                if rng.random() < 0.4:
                    _lead(partner, user, managers[partner.id], reg if reg.status != "rejected" else None, n,
                          submitted - timedelta(days=7))
        for k in range(3):  # leads released and closed
            _lead(partner, user, managers[partner.id], None, 900 + 10 * index + k,
                  now - timedelta(days=40 * (k + 2)))
    db.session.flush()
    _log(events)
    db.session.flush()


def init_app(app: Flask) -> None:
    registry(app).demo_loaders.append(DemoLoader("reports", 20, load))
