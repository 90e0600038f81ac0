"""Placing an order: header checks, pricing at today's prices (or a quote's frozen prices), the
credit check for on-account orders (the partner row is locked, so concurrent orders queue), the
order with its frozen lines, and idempotent submission. One cart or one quote gives one order,
however many tabs submit it at once (AlreadyOrdered for the others). These are the steps;
`orders.services.checkout.place` is the use case that runs them (and its dry run, the preview)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select

from catalog.pricing import LinePrice
from catalog.services import carts, pricing
from catalog.services.lookup import products_by_sku
from catalog.services.pricing import LineInput
from orders.models import PAYMENT_METHODS, Order, OrderLine, OrderStatusChange
from orders.payments import card_enabled
from orders.services import CreditLimitExceeded, OrderError, addresses, idempotency, notices
from portal.db import utcnow
from portal.errors import StateConflict
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money

MAX_LINES = 500


class AlreadyOrdered(StateConflict):
    """The cart or quote was ordered meanwhile by a concurrent submission (409); `order_id` is
    that order, when known."""

    code = "already_ordered"

    def __init__(self, message: str, *, order_id: int | None) -> None:
        super().__init__(message)
        self.order_id = order_id


@dataclass
class OrderInput:
    """An order's header as the partner gave it (validated by `header_from`)."""

    po_number: str
    payment_method: str
    ship_to: Mapping[str, Any] | None = None
    requested_date: date | None = None
    notes: str = ""
    opportunity_id: int | None = None
    source: str = "api"
    quote_id: int | None = None
    reorder_of_id: int | None = None


@dataclass(frozen=True)
class FrozenLine:
    """A line priced elsewhere (an approved quote) and copied onto the order as it is."""

    sku: str
    family: str
    quantity: int
    options: tuple[str, ...]
    unit_list_minor: int
    unit_net_minor: int
    waterfall: list[dict[str, str]] = field(default_factory=list)
    name: str | None = None


@dataclass(frozen=True)
class CreditSummary:
    limit: Money
    balance: Money
    available: Money


def header_from(data: Mapping[str, Any], source: str) -> OrderInput:
    """Check the header fields; every problem is reported by field."""
    errors: dict[str, str] = {}
    po = str(data.get("po_number") or "").strip()
    if not po:
        errors["po_number"] = "Your purchase order number is required."
    elif len(po) > 64:
        errors["po_number"] = "At most 64 characters."
    method = str(data.get("payment_method") or "")
    if method not in PAYMENT_METHODS:
        errors["payment_method"] = "Choose on_account or card."
    elif method == "card" and not card_enabled():
        errors["payment_method"] = "Card payments are not available; order on account."
    requested = data.get("requested_date")
    if isinstance(requested, str) and requested.strip():
        try:
            requested = date.fromisoformat(requested.strip())
        except ValueError:
            errors["requested_date"] = "Use a date as YYYY-MM-DD."
            requested = None
    elif not isinstance(requested, date):
        requested = None
    if isinstance(requested, date) and requested < pricing.today():
        errors["requested_date"] = "The requested date cannot be in the past."
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 2000:
        errors["notes"] = "At most 2,000 characters."
    opportunity = data.get("opportunity_id")
    if opportunity in ("", None):
        opportunity = None
    else:
        try:
            opportunity = int(opportunity)
        except (TypeError, ValueError):
            errors["opportunity_id"] = "A registration number."
            opportunity = None
    if errors:
        raise OrderError("The order cannot be placed: see fields.", fields=errors)
    return OrderInput(po, method, data.get("ship_to"), requested, notes, opportunity, source)


def open_balance(partner: Partner) -> Money:
    """Unpaid, not cancelled on-account orders."""
    total = db.session.scalar(select(func.coalesce(func.sum(Order.total_minor), 0)).where(
        Order.partner_id == partner.id, Order.payment_method == "on_account",
        Order.status != "cancelled", Order.paid_at.is_(None)))
    return Money(int(total or 0), partner.currency)


def credit_summary(partner: Partner) -> CreditSummary:
    balance = open_balance(partner)
    limit = partner.credit_limit
    left = limit - balance
    return CreditSummary(limit, balance, left if left.amount_minor > 0 else Money.zero(partner.currency))


def _check_credit(partner: Partner, total: Money) -> None:
    """Lock the partner row (PostgreSQL) so concurrent on-account orders are checked one after
    the other, then refuse an order that takes the open balance over the credit limit.

    FOR NO KEY UPDATE: the rows this transaction already inserted hold FOR KEY SHARE locks on
    the partner (their foreign keys); a plain FOR UPDATE would deadlock two such transactions."""
    db.session.execute(select(Partner.id).where(Partner.id == partner.id).with_for_update(key_share=True))
    credit = credit_summary(partner)
    if total.currency != credit.limit.currency:
        raise OrderError(f"Prices are in {total.currency}, but your credit limit is in "
                         f"{credit.limit.currency}: order by card or ask your partner manager.",
                         code="credit_limit_exceeded", fields={"payment_method": "Not on account."})
    if (credit.balance + total).amount_minor > credit.limit.amount_minor:
        raise CreditLimitExceeded(
            f"This order ({total.format()}) exceeds your available credit: your credit limit is "
            f"{credit.limit.format()}, your open balance {credit.balance.format()}, so "
            f"{credit.available.format()} is left. Pay by card, or ask your partner manager.",
            fields={"payment_method": f"Available credit: {credit.available.format()}."})


def price_lines(partner: Partner, lines: Sequence[LineInput], opportunity_id: int | None) -> list[LinePrice]:
    """Today's prices for the lines (with the deal discount of the registration, if any)."""
    if len(lines) > MAX_LINES:
        raise OrderError(f"An order has at most {MAX_LINES} lines.", fields={"lines": f"At most {MAX_LINES}."})
    deal = pricing.deal_for(partner, opportunity_id) if opportunity_id is not None else None
    return list(pricing.price_lines(partner, lines, deal=deal).lines)


def _frozen(priced: Sequence[LinePrice | FrozenLine]) -> list[FrozenLine]:
    out = []
    for line in priced:
        if isinstance(line, FrozenLine):
            out.append(line)
        else:
            out.append(FrozenLine(line.sku, line.family, line.quantity, tuple(line.options),
                                  line.unit_list.amount_minor, line.unit_net.amount_minor,
                                  [step.as_dict() for step in line.waterfall]))
    return out


def place_order(partner: Partner, actor: User, header: OrderInput,
                priced: Sequence[LinePrice | FrozenLine], currency: str) -> Order:
    """Create the order from priced lines: on account (credit checked) it is submitted, by card
    it waits in pending_payment. Payment itself starts after commit (orders.payments)."""
    lines = _frozen(priced)
    if not lines:
        raise OrderError("An order needs at least one line.", fields={"lines": "Add at least one line."})
    total = Money.zero(currency)
    for line in lines:
        total += Money(line.unit_net_minor, currency) * line.quantity
    ship_to, address_id = addresses.resolve(partner, header.ship_to)
    if header.payment_method == "on_account":
        _check_credit(partner, total)
    infos = products_by_sku({line.sku for line in lines})
    initial = "pending_payment" if header.payment_method == "card" else "submitted"
    order = Order(partner_id=partner.id, placed_by_id=actor.id, status=initial,
                  payment_method=header.payment_method, po_number=header.po_number,
                  currency=currency, total_minor=total.amount_minor,
                  requested_date=header.requested_date, notes=header.notes, ship_to=ship_to,
                  ship_to_address_id=address_id, source=header.source, quote_id=header.quote_id,
                  opportunity_id=header.opportunity_id, reorder_of_id=header.reorder_of_id)
    if initial == "submitted":
        order.submitted_at = utcnow()
    order.history.append(OrderStatusChange(
        partner_id=partner.id, from_status=None, to_status=initial, actor_id=actor.id,
        actor_label=actor.email, note="Placed by card: waiting for payment" if initial ==
        "pending_payment" else "Placed on account"))
    db.session.add(order)
    db.session.flush()
    rows = []
    for position, line in enumerate(lines):
        info = infos.get(line.sku)
        names = {o.code: o.name for g in info.config.groups for o in g.options} if info else {}
        rows.append(dict(
            partner_id=partner.id, order_id=order.id, position=position, sku=line.sku,
            name=line.name or (info.name if info else line.sku), family=line.family,
            options=list(line.options), option_names=[names.get(c, c) for c in line.options],
            quantity=line.quantity, unit_list_minor=line.unit_list_minor,
            unit_net_minor=line.unit_net_minor, line_total_minor=line.unit_net_minor * line.quantity,
            waterfall=line.waterfall))
    db.session.execute(insert(OrderLine), rows)  # one statement for all lines
    notices.order_placed(order)
    return order


def place_lines(partner: Partner, actor: User, header: OrderInput,
                lines: Sequence[LineInput]) -> Order:
    """Price lines today and place them."""
    priced = price_lines(partner, lines, header.opportunity_id)
    return place_order(partner, actor, header, priced, priced[0].currency)


def checkout_cart(partner: Partner, actor: User, header: OrderInput) -> Order:
    """Place the user's cart at today's prices, then empty the cart.

    A user's checkouts run one after the other (the user's row is locked first), and the cart is
    read again after the lock: of two tabs placing the same cart, the second finds it emptied by
    the first and is refused with AlreadyOrdered (409) instead of ordering it twice."""
    seen = carts.lines_for(partner, actor)
    lock_buyer(actor)
    for line in seen:
        db.session.expire(line)  # read again below: what the other checkout left, if anything
    cart_lines = carts.lines_for(partner, actor)
    if not cart_lines and seen:
        raise _cart_ordered_meanwhile(partner, actor)
    if not cart_lines:
        raise OrderError("Your cart is empty.", fields={"lines": "Your cart is empty."})
    lines = [LineInput(line.sku, line.quantity, tuple(line.options)) for line in cart_lines]
    try:
        order = place_lines(partner, actor, header, lines)
    except OrderError:
        raise
    except pricing.PricingFailed as exc:
        raise OrderError("Some lines of your cart can no longer be ordered: fix or remove them "
                         "in your cart first.", code=exc.code, fields=exc.fields) from exc
    carts.clear_cart(partner, actor)
    return order


def lock_buyer(actor: User) -> None:
    """Serialise one user's checkouts (PostgreSQL: FOR NO KEY UPDATE on the user's row, which
    rows that merely reference the user, such as new orders, do not wait for)."""
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update(key_share=True))


def _cart_ordered_meanwhile(partner: Partner, actor: User) -> AlreadyOrdered:
    latest = db.session.scalars(select(Order).where(
        Order.partner_id == partner.id, Order.placed_by_id == actor.id, Order.source == "cart")
        .order_by(Order.id.desc()).limit(1)).first()
    if latest is None:
        return AlreadyOrdered("Your cart was emptied meanwhile (in another tab or window): it "
                              "was not ordered. Check your cart.", order_id=None)
    return AlreadyOrdered(f"Your cart was just ordered from another tab or window as order "
                          f"{latest.number}; it was not ordered twice.", order_id=latest.id)


def submit(partner: Partner, actor: User, *, scope: str, key: str, digest: str,
           build: Callable[[], Order], strict: bool = True) -> tuple[Order, bool]:
    """Run `build` once per idempotency key: (order, True) when created now, (order, False) for
    a repeated submission."""
    row, existing = idempotency.claim(partner, actor, scope, key, digest, strict)
    if existing is not None:
        return existing, False
    order = build()
    idempotency.bind(row, order)
    db.session.flush()
    return order, True
