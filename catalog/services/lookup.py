"""Fast reads for pricing: products with their configuration, by SKU, as plain data.

Two Core queries whatever the number of SKUs (products joined to option groups and options;
rules, only when a product is configurable);
on PostgreSQL the SKU list is bound as one array (`= ANY(...)`), so the statement text, and its
prepared plan, stay the same for 1 or 200 lines.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from catalog.configurator import OptionData, OptionGroupData, ProductConfig, RuleData
from catalog.models import Option, OptionGroup, OptionRule, Product
from portal.extensions import db


@dataclass(frozen=True, slots=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    family: str
    active: bool
    config: ProductConfig


NO_OPTIONS = ProductConfig()


def core_execute(statement):
    """Run a column-only select on the session's connection, skipping the ORM's per-statement
    work (no entities are loaded; these reads filter by partner themselves). Pending changes are
    flushed first, as the session's own execute would."""
    session = db.session()
    session.flush()  # returns at once when nothing is pending
    return session.connection().execute(statement)


def in_list(column, values: Iterable[str | int]):
    """`column IN values`, as one array parameter on PostgreSQL."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        item = Integer if values and isinstance(values[0], int) else String
        return column == any_(bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)


def products_by_sku(skus: Iterable[str]) -> dict[str, ProductInfo]:
    """Products with their option groups and options (one query) and rules (a second query,
    only when one of them is configurable)."""
    rows = core_execute(
        select(Product.id, Product.sku, Product.name, Product.family, Product.active,
               OptionGroup.id.label("gid"), OptionGroup.code.label("gcode"), OptionGroup.name.label("gname"),
               OptionGroup.min_choices, OptionGroup.max_choices, Option.code.label("ocode"),
               Option.name.label("oname"))
        .outerjoin(OptionGroup, OptionGroup.product_id == Product.id)
        .outerjoin(Option, Option.group_id == OptionGroup.id)
        .where(in_list(Product.sku, set(skus)))
        .order_by(Product.id, OptionGroup.position, OptionGroup.id, Option.position)
    ).all()
    heads: dict[int, tuple] = {}
    groups: dict[int, dict[int, tuple]] = {}
    options: dict[int, list[OptionData]] = {}
    for r in rows:
        heads.setdefault(r.id, (r.sku, r.name, r.family, r.active))
        if r.gid is not None:
            groups.setdefault(r.id, {}).setdefault(r.gid, (r.gcode, r.gname, r.min_choices, r.max_choices))
            if r.ocode is not None:
                options.setdefault(r.gid, []).append(OptionData(r.ocode, r.oname))
    rules: dict[int, list[RuleData]] = {}
    if groups:
        for r in core_execute(select(OptionRule.product_id, OptionRule.type, OptionRule.option_code,
                                           OptionRule.target_code)
                                    .where(in_list(OptionRule.product_id, list(groups)))
                                    .order_by(OptionRule.id)):
            rules.setdefault(r.product_id, []).append(RuleData(r.type, r.option_code, r.target_code))
    out = {}
    for pid, (sku, name, family, active) in heads.items():
        config = NO_OPTIONS
        if pid in groups:
            config = ProductConfig(
                tuple(OptionGroupData(code, gname, low, high, tuple(options.get(gid, ())))
                      for gid, (code, gname, low, high) in groups[pid].items()),
                tuple(rules.get(pid, ())))
        out[sku] = ProductInfo(pid, sku, name, family, active, config)
    return out
