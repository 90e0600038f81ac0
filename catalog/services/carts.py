"""The cart: a user's configured lines, validated on the way in and re-priced whenever shown.

A line reaches the cart only when the configurator accepts its options and it can be priced.
Prices are never stored: the cart is priced again each time it is shown, so a price book change,
a deactivated product or a changed configuration shows on the line concerned, which is then left
out of the total, instead of failing the whole cart.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select

from catalog.configurator import validate
from catalog.models import CartLine, Product
from catalog.pricing import DocumentPrice, LinePrice, PricingError, price_document
from catalog.services import CatalogError, browse, pricing
from catalog.services.configurations import (
    Checked, check_configuration, config_of, parse_quantity, price_all, sentences,
)
from catalog.services.products import eager
from portal.db import load_owned
from portal.errors import NotFound
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money


class CartError(CatalogError):
    """A cart line cannot be added or changed (422 with field errors)."""


class CartLineNotFound(NotFound):
    """Not a line of this user's cart (another user's or partner's line leaks nothing)."""


class InvalidConfiguration(CartError):
    """The configuration was refused; `checked` says why, option by option."""

    def __init__(self, checked: Checked) -> None:
        super().__init__("This configuration cannot be added to the cart: see the problems.",
                         fields=dict(checked.errors))
        self.checked = checked


@dataclass(frozen=True)
class CartItem:
    """A cart line as shown: its product, option names, and a price or the problem it has."""

    line: CartLine
    product: Product | None
    options: list[tuple[str, str]]
    price: LinePrice | None
    problem: str | None


@dataclass(frozen=True)
class PricedCart:
    """A cart priced today; `document` holds the lines that could be priced."""

    items: list[CartItem]
    document: DocumentPrice | None
    problem: str | None

    @property
    def total(self) -> Money | None:
        """The sum of the priced lines (lines with a problem are left out)."""
        return self.document.total if self.document is not None else None

    @property
    def excluded(self) -> list[CartItem]:
        """The lines left out of the total."""
        return [item for item in self.items if item.problem]


def lines_for(partner: Partner, user: User) -> list[CartLine]:
    """The user's cart lines, oldest first."""
    stmt = CartLine.for_partner(partner).where(CartLine.user_id == user.id).order_by(CartLine.id)
    return list(db.session.scalars(stmt))


def get_line(partner: Partner, user: User, line_id: int) -> CartLine:
    """A line of this user's cart, or CartLineNotFound."""
    return load_owned(CartLine, line_id, partner, error=CartLineNotFound,
                      message="This cart line does not exist.", visible=lambda line: line.user_id == user.id)


def add_line(partner: Partner, user: User, sku: str | Product, quantity: Any, options: Sequence[Any],
             on: date | None = None) -> CartLine:
    """Add a configured product (its SKU, or the orderable product a page has already loaded with
    its options); the same configuration already in the cart gets the quantity."""
    product = sku if isinstance(sku, Product) else browse.product_for_partner(str(sku or "").strip())
    if product is None or not product.active:
        raise CartError(f"There is no orderable product with SKU {sku}.",
                        fields={"sku": f"Unknown or unavailable SKU {sku}."})
    # Whether it can be priced, not its price (the cart prices afresh): a campaign only lowers a
    # price, so its rules may come from the per-process copy and cost no query.
    checked = check_configuration(partner, product, quantity, options, on, cached=True)
    if not checked.ok or checked.quantity is None:
        raise InvalidConfiguration(checked)
    for line in lines_for(partner, user):
        if line.sku == product.sku and sorted(line.options) == sorted(checked.options):
            return update_quantity(partner, user, line.id, line.quantity + checked.quantity)
    line = CartLine(partner_id=partner.id, user_id=user.id, sku=product.sku,
                    quantity=checked.quantity, options=list(checked.options))
    db.session.add(line)
    db.session.flush()
    return line


def add_lines(partner: Partner, user: User, items: Sequence[tuple[str, Any, Sequence[Any]]],
              on: date | None = None) -> list[CartLine | CartError]:
    """Add several configured products at once (quick order, reorder): one load of the products,
    of their prices and of the cart whatever the number of lines. Each item gets its cart line
    or the CartError that refused it; the valid ones are added all the same."""
    on = on or pricing.today()
    skus = {str(sku or "").strip() for sku, _, _ in items}
    products = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_(skus), Product.active.is_(True)).options(*eager()))}
    results: list[CartLine | CartError | None] = []
    valid: list[tuple[int, Product, int, tuple[str, ...]]] = []
    for i, (sku, quantity, options) in enumerate(items):
        product = products.get(str(sku or "").strip())
        if product is None:
            results.append(CartError(f"There is no orderable product with SKU {sku}.",
                                     fields={"sku": f"Unknown or unavailable SKU {sku}."}))
            continue
        checked = check_configuration(partner, product, quantity, options, on, priced=False)
        if checked.errors or checked.quantity is None:
            results.append(InvalidConfiguration(checked))
            continue
        results.append(None)
        valid.append((i, product, checked.quantity, checked.options))
    if not valid:
        return results  # type: ignore[return-value]
    try:
        _, prices = price_all(partner, [(p, q, o) for _, p, q, o in valid], on)
    except PricingError as exc:
        prices = [f"It cannot be priced: {exc}."] * len(valid)
    in_cart = {(line.sku, tuple(sorted(line.options))): line for line in lines_for(partner, user)}
    new: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    added: list[tuple[int, tuple[str, tuple[str, ...]]]] = []
    for (i, product, quantity, options), price in zip(valid, prices):
        key = (product.sku, tuple(sorted(options)))
        if isinstance(price, str):
            results[i] = CartError(price, fields={"price": price})
            continue
        line, row = in_cart.get(key), new.get(key)
        before = line.quantity if line is not None else row["quantity"] if row is not None else 0
        total, problem = parse_quantity(before + quantity)
        if problem or total is None:
            results[i] = CartError(problem or "Invalid quantity.", fields={"quantity": problem or ""})
        elif line is not None:
            line.quantity = total
            results[i] = line
        else:
            new.setdefault(key, {"partner_id": partner.id, "user_id": user.id, "sku": product.sku,
                                 "options": list(options)})["quantity"] = total
            added.append((i, key))
    db.session.flush()
    if new:  # one multi-row INSERT, then the new lines read back with the cart
        db.session.execute(insert(CartLine), list(new.values()))
        in_cart = {(line.sku, tuple(sorted(line.options))): line for line in lines_for(partner, user)}
        for i, key in added:
            results[i] = in_cart[key]
    return results  # type: ignore[return-value]


def update_quantity(partner: Partner, user: User, line_id: int, quantity: Any) -> CartLine:
    """Change a line's quantity (1 to MAX_QUANTITY)."""
    line = get_line(partner, user, line_id)
    qty, problem = parse_quantity(quantity)
    if problem or qty is None:
        raise CartError(problem or "Invalid quantity.", fields={"quantity": problem or ""})
    line.quantity = qty
    db.session.flush()
    return line


def remove_line(partner: Partner, user: User, line_id: int) -> CartLine:
    """Take a line out of the cart; returns the removed line."""
    line = get_line(partner, user, line_id)
    db.session.delete(line)
    db.session.flush()
    return line


def clear_cart(partner: Partner, user: User) -> int:
    """Empty the user's cart; returns how many lines were removed."""
    result = db.session.execute(delete(CartLine).where(
        CartLine.partner_id == partner.id, CartLine.user_id == user.id))
    db.session.flush()
    return result.rowcount or 0


def _option_names(product: Product | None, codes: Sequence[str]) -> list[tuple[str, str]]:
    names = {o.code: o.name for g in product.groups for o in g.options} if product else {}
    return [(code, names.get(code, code)) for code in codes]


def _line_problem(line: CartLine, product: Product | None) -> str | None:
    if product is None:
        return f"{line.sku} is no longer in the catalog."
    if not product.active:
        return f"{product.name} ({product.sku}) is no longer available."
    result = validate(config_of(product), list(line.options))
    if not result.valid:
        return f"The configuration is no longer valid: {sentences(result.problems)}"
    return None


def price_cart(partner: Partner, user: User, on: date | None = None) -> PricedCart:
    """Price the user's cart today; a line that cannot be priced shows why and is left out."""
    lines = lines_for(partner, user)
    skus = {line.sku for line in lines}
    products = {p.sku: p for p in db.session.scalars(
        select(Product).where(Product.sku.in_(skus)).options(*eager()))} if skus else {}
    items = [CartItem(line, products.get(line.sku), _option_names(products.get(line.sku), line.options),
                      None, _line_problem(line, products.get(line.sku))) for line in lines]
    sound = [i for i, item in enumerate(items) if item.problem is None]
    if not sound:
        return PricedCart(items, None, None)
    try:
        currency, results = price_all(partner, [(items[i].product, items[i].line.quantity,
                                                  tuple(items[i].line.options)) for i in sound],
                                       on or pricing.today())
    except PricingError as exc:
        problem = f"{exc}: your cart cannot be priced. Please contact your partner manager."
        for i in sound:
            items[i] = replace(items[i], problem="It cannot be priced: no price book applies.")
        return PricedCart(items, None, problem)
    for i, result in zip(sound, results):
        items[i] = replace(items[i], price=result) if isinstance(result, LinePrice) else \
            replace(items[i], problem=result)
    priced = [item.price for item in items if item.price is not None]
    return PricedCart(items, price_document(priced, currency), None)
