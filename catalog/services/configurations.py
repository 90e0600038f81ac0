"""A product configuration checked for a partner: the configurator's verdict, what is
unavailable and why, the problems of each option group, and the price with its waterfall."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog.configurator import Availability, ConfigResult, ProductConfig, availability, validate
from catalog.models import Product
from catalog.pricing import LinePrice, PricingError
from catalog.services import pricing
from catalog.services.products import product_config
from portal import validation
from portal.models import Partner


@dataclass(frozen=True)
class Checked:
    """A configuration as the configurator judged it and, when it is valid, its price."""

    product: Product
    quantity: int | None
    options: tuple[str, ...]
    result: ConfigResult
    price: LinePrice | None
    errors: dict[str, str]
    group_problems: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        """Whether the configuration may go into the cart."""
        return self.price is not None and not self.errors


def parse_quantity(value: Any) -> tuple[int | None, str | None]:
    """A whole quantity from 1 to MAX_QUANTITY (an int or digits), or why it is not one."""
    try:
        return validation.parse_quantity(value), None
    except validation.QuantityError as exc:
        return None, pricing.QUANTITY_MESSAGES[exc.reason]


def sentences(problems: Sequence[str]) -> str:
    """Problems as one text of sentences."""
    return " ".join(p if p.endswith(".") else f"{p}." for p in problems)


def config_of(product: Product) -> ProductConfig:
    """The product's configuration; a product without option groups needs no rules (no query)."""
    return product_config(product) if product.groups else ProductConfig()


def _availability(config: ProductConfig, selected: list[str],
                  result: ConfigResult) -> dict[str, Availability]:
    """The configurator's availability, except that in a single-choice group another option is
    judged as a swap for the chosen one (as a radio button works), not as a second choice."""
    shown = dict(result.availability)
    chosen = set(selected)
    for group in config.groups:
        codes = {option.code for option in group.options}
        if group.max != 1 or not codes & chosen:
            continue
        swapped = availability(config, [code for code in selected if code not in codes])
        for code in codes - chosen:
            shown[code] = swapped[code]
    return shown


def _problems_by_group(config: ProductConfig, problems: Sequence[str]) -> dict[str, list[str]]:
    """Each problem next to the groups it names: "... of <group name>" or one of its options,
    which the configurator always writes as "<name> (<code>)"."""
    by_group: dict[str, list[str]] = {}
    for group in config.groups:
        codes = [f"({option.code})" for option in group.options]
        found = [p for p in problems if p.endswith(f" of {group.name}")
                 or any(p.endswith(c) or f"{c} " in p for c in codes)]
        if found:
            by_group[group.code] = found
    return by_group


def price_all(partner: Partner, items: Sequence[tuple[Product, int, tuple[str, ...]]],
              on: date, *, cached: bool = False) -> tuple[str, list[LinePrice | str]]:
    """Price validated configurations with one load of the pricing inputs: (currency, for each
    item its price or why it has none). Raises PricingError when nothing can be priced.
    `cached`: campaign rules may come from the per-process copy (a minute old at most)."""
    codes = {code for product, _, options in items for code in (product.sku, *options)}
    pricer = pricing.Pricer.load(partner, codes, on, skus={product.sku for product, _, _ in items},
                                 cached=cached)
    results: list[LinePrice | str] = []
    for product, quantity, options in items:
        try:
            results.append(pricer.line(product.sku, product.family, quantity, options))
        except PricingError as exc:
            results.append(f"It cannot be priced: {exc}.")
    return pricer.currency, results


def check_configuration(partner: Partner, product: Product, quantity: Any, options: Sequence[Any],
                        on: date | None = None, *, priced: bool = True, cached: bool = False) -> Checked:
    """Validate a product's options and quantity; price the configuration when both are valid
    (unless `priced` is False: the caller prices many configurations at once; `cached`: see
    `price_all`)."""
    selected = [str(code) for code in options]
    config = config_of(product)
    result = validate(config, selected)
    qty, qty_problem = parse_quantity(quantity)
    errors: dict[str, str] = {}
    if not product.active:
        errors["sku"] = f"{product.sku} ({product.name}) is no longer available."
    if qty_problem:
        errors["quantity"] = qty_problem
    if not result.valid:
        errors["options"] = sentences(result.problems)
    ordered = tuple(o.code for g in product.groups for o in g.options if o.code in selected)
    price = None
    if priced and not errors and qty is not None:
        try:
            _, (found,) = price_all(partner, [(product, qty, ordered)], on or pricing.today(), cached=cached)
        except PricingError as exc:
            found = f"{exc}."
        if isinstance(found, str):
            errors["price"] = found
        else:
            price = found
    shown = ConfigResult(result.valid, result.problems, _availability(config, selected, result))
    return Checked(product, qty, ordered if result.valid else tuple(selected), shown, price, errors,
                   _problems_by_group(config, result.problems))
