"""Checkout, the one way an order is placed: from the cart, from lines (the API) or from an
approved quote, once per idempotency key (`place`). Its dry run is the review step: what would
be ordered, at which prices, and the credit left, computed without writing anything (`Preview`).
Card payment starts after the commit (`start_card_payment`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.services import carts, pricing
from catalog.services.lookup import products_by_sku
from catalog.services.pricing import LineInput
from orders import payments
from orders.models import Order
from orders.quotes.services.queries import frozen_quote
from orders.services import OrderError, PaymentUnavailable, addresses, placing
from orders.services.placing import CreditSummary, OrderInput, credit_summary, price_lines
from orders.services.quoting import order_from_quote, steps
from portal.models import Partner, User
from portal.money import Money


@dataclass(frozen=True)
class Idempotency:
    """Idempotency of a submission: the same `key` (per user and `scope`) places one order;
    `digest` is the request's hash; `strict`: a reused key with another body is refused."""

    scope: str
    key: str
    digest: str
    strict: bool = True


@dataclass(frozen=True)
class PlaceRequest:
    """What the partner asks to order: the header fields as given (po_number, payment_method,
    ship_to, requested_date, notes, opportunity_id), and a quote, lines, or (neither) the cart."""

    data: Mapping[str, Any]
    source: str  # "cart" or "api" ("quote" when quote_id is given)
    quote_id: int | None = None
    lines: Sequence[LineInput] | None = None
    idempotency: Idempotency | None = None  # required to place; unused by the dry run
    save_address: bool = False  # typed ship-to fields are saved as an address, then used by id


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False: the same submission again, answered with the order it placed


@dataclass(frozen=True)
class PreviewLine:
    sku: str
    name: str
    option_names: list[str]
    quantity: int
    unit_list: Money
    unit_net: Money
    line_total: Money
    waterfall: list[dict[str, Any]]


@dataclass(frozen=True)
class Preview:
    lines: list[PreviewLine]
    total: Money
    credit: CreditSummary
    ship_to: dict[str, str]
    quote_number: str | None = None

    @property
    def exceeds_credit(self) -> bool:
        return (self.total.currency != self.credit.limit.currency
                or self.total.amount_minor > self.credit.available.amount_minor)


def _from_cart(partner: Partner, actor: User, header: OrderInput) -> list[PreviewLine]:
    cart_lines = carts.lines_for(partner, actor)
    if not cart_lines:
        raise OrderError("Your cart is empty.", fields={"lines": "Your cart is empty."})
    try:
        return _from_lines(partner, [LineInput(l.sku, l.quantity, tuple(l.options)) for l in cart_lines],
                           header)
    except pricing.PricingFailed as exc:
        raise OrderError("Some lines of your cart can no longer be ordered: fix or remove them in "
                         "your cart first.", code=exc.code, fields=exc.fields) from exc


def _from_lines(partner: Partner, lines: Sequence[LineInput], header: OrderInput) -> list[PreviewLine]:
    priced = price_lines(partner, lines, header.opportunity_id)
    infos = products_by_sku({p.sku for p in priced})
    out = []
    for p in priced:
        info = infos.get(p.sku)
        names = {o.code: o.name for g in info.config.groups for o in g.options} if info else {}
        out.append(PreviewLine(p.sku, info.name if info else p.sku, [names.get(c, c) for c in p.options],
                               p.quantity, p.unit_list, p.unit_net, p.line_total,
                               [s.as_dict() for s in p.waterfall]))
    return out


def _from_quote(partner: Partner, quote_id: int) -> tuple[list[PreviewLine], str, str]:
    quote = frozen_quote(partner, quote_id)
    if quote.status != "approved":
        raise OrderError(f"Quote {quote.number} is {quote.status.replace('_', ' ')}: only an approved "
                         "quote can be ordered.", code="quote_not_approved", status=409)
    cur = quote.currency
    return [PreviewLine(l.sku, l.name, list(l.option_names), l.quantity, Money(l.unit_list_minor, cur),
                        Money(l.unit_net_minor, cur), Money(l.line_total_minor, cur), steps(l.waterfall, cur))
            for l in quote.lines], quote.number, cur


def _preview(partner: Partner, actor: User, header: OrderInput, quote_id: int | None,
             lines: Sequence[LineInput] | None) -> Preview:
    """The priced lines (today's prices, or the quote's frozen ones), total and credit."""
    ship_to, _ = addresses.resolve(partner, header.ship_to)
    number = None
    if quote_id is not None:
        previewed, number, currency = _from_quote(partner, quote_id)
    else:
        previewed = _from_lines(partner, lines, header) if lines is not None else _from_cart(partner, actor, header)
        if not previewed:
            raise OrderError("An order needs at least one line.", fields={"lines": "Add at least one line."})
        currency = previewed[0].unit_net.currency
    total = Money.zero(currency)
    for line in previewed:
        total += line.line_total
    return Preview(previewed, total, credit_summary(partner), ship_to, number)


def place(partner: Partner, actor: User, request: PlaceRequest, *,
          dry_run: bool = False) -> Placed | Preview:
    """Place the order the request describes, once per idempotency key (the key is claimed
    first, then the order is built: the address saved, the header checked, the lines priced or
    the quote's taken), or, as a dry run, the `Preview` of it without writing anything."""
    if dry_run:
        header = placing.header_from(request.data, request.source)
        return _preview(partner, actor, header, request.quote_id, request.lines)
    if request.idempotency is None:
        raise ValueError("placing an order needs its idempotency (PlaceRequest.idempotency)")

    def build() -> Order:
        header = placing.header_from(_saving_address(partner, request),
                                     "quote" if request.quote_id is not None else request.source)
        if request.quote_id is not None:
            return order_from_quote(partner, actor, request.quote_id, header)
        if request.lines is not None:
            return placing.place_lines(partner, actor, header, request.lines)
        return placing.checkout_cart(partner, actor, header)

    once = request.idempotency
    order, created = placing.submit(partner, actor, scope=once.scope, key=once.key, digest=once.digest,
                                    build=build, strict=once.strict)
    return Placed(order, created)


def _saving_address(partner: Partner, request: PlaceRequest) -> Mapping[str, Any]:
    """The header data, with typed ship-to fields saved as an address when asked to."""
    ship_to = request.data.get("ship_to") or {}
    if not request.save_address or "address_id" in ship_to:
        return request.data
    saved = addresses.add_address(partner, {**ship_to, "label": ship_to.get("city")})
    return {**request.data, "ship_to": {"address_id": saved.id}}


def start_card_payment(order: Order) -> str | None:
    """After the commit: start the card payment of a card order (its own commits); the message
    when the payment service is unavailable (the order stays pending), else None."""
    if order.payment_method != "card":
        return None
    try:
        payments.begin(order.id)
    except PaymentUnavailable as exc:
        return exc.message
    return None
