"""Fast reads for pricing: products with their configuration, by SKU, as plain data.

Two Core queries whatever the number of SKUs (products joined to option groups and options;
rules, only when a product is configurable);
on PostgreSQL the SKU list is bound as one array (`= ANY(...)`), so the statement text, and its
prepared plan, stay the same for 1 or 200 lines.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

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


def core_execute(statement, params: dict | None = None):
    """Run a column-only select on the session's connection, skipping the ORM's per-statement
    work (no entities are loaded; these reads filter by partner themselves). Pending changes are
    flushed first, as the session's own execute would."""
    session = db.session()
    session.flush()  # returns at once when nothing is pending
    return session.connection().execute(statement, params)


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def in_list(column, values: Iterable[str | int]):
    """`column IN values`, as one array parameter on PostgreSQL."""
    values = list(values)
    if dialect_name() == "postgresql":
        item = Integer if values and isinstance(values[0], int) else String
        return column == any_(bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)


def in_param(column, name: str, dialect: str, item=String):
    """`column IN :name` for a statement built once: one array parameter on PostgreSQL (the
    statement text, and its prepared plan, stay the same for any number of values), an
    expanding parameter elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(item)))
    return column.in_(bindparam(name, expanding=True))


_BUILT: dict[tuple[str, str], Any] = {}


def built_once(name: str, build: Callable[[str], Any]) -> Any:
    """A statement built once per dialect and reused: hot paths (pricing every cart) skip the
    construction and keep SQLAlchemy's compiled-statement cache warm."""
    dialect = dialect_name()
    stmt = _BUILT.get((name, dialect))
    if stmt is None:
        stmt = _BUILT[(name, dialect)] = build(dialect)
    return stmt


def _products_stmt(dialect: str):
    return (select(Product.id, Product.sku, Product.name, Product.family, Product.active,
                   OptionGroup.id, OptionGroup.code, OptionGroup.name, OptionGroup.min_choices,
                   OptionGroup.max_choices, Option.code, Option.name)
            .outerjoin(OptionGroup, OptionGroup.product_id == Product.id)
            .outerjoin(Option, Option.group_id == OptionGroup.id)
            .where(in_param(Product.sku, "skus", dialect))
            .order_by(Product.id, OptionGroup.position, OptionGroup.id, Option.position))


def _rules_stmt(dialect: str):
    return (select(OptionRule.product_id, OptionRule.type, OptionRule.option_code, OptionRule.target_code)
            .where(in_param(OptionRule.product_id, "product_ids", dialect, Integer))
            .order_by(OptionRule.id))


def products_by_sku(skus: Iterable[str]) -> dict[str, ProductInfo]:
    """Products with their option groups and options (one query) and rules (a second query,
    only when one of them is configurable)."""
    rows = core_execute(built_once("products_by_sku", _products_stmt), {"skus": list(set(skus))}).all()
    heads: dict[int, tuple] = {}
    groups: dict[int, dict[int, tuple]] = {}
    options: dict[int, list[OptionData]] = {}
    for pid, sku, name, family, active, gid, gcode, gname, low, high, ocode, oname in rows:
        if gid is None:
            heads[pid] = (sku, name, family, active)
            continue
        heads.setdefault(pid, (sku, name, family, active))
        groups.setdefault(pid, {}).setdefault(gid, (gcode, gname, low, high))
        if ocode is not None:
            options.setdefault(gid, []).append(OptionData(ocode, oname))
    rules: dict[int, list[RuleData]] = {}
    if groups:
        for pid, kind, option, target in core_execute(built_once("option_rules", _rules_stmt),
                                                      {"product_ids": list(groups)}).all():
            rules.setdefault(pid, []).append(RuleData(kind, option, target))
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
