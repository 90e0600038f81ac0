"""Products with option groups, options and rules: create, update, load as configurator data."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from catalog.configurator import OptionData, OptionGroupData, ProductConfig, RuleData, check_definition
from catalog.models import Option, OptionGroup, OptionRule, Product
from catalog.services import CatalogError
from portal.extensions import db
from portal.services import audit

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
AUDITED = ("sku", "name", "family", "description", "unit", "active")


def _text(data: Mapping[str, Any], key: str, errors: dict[str, str], *, required: bool,
          max_len: int, default: str = "") -> str:
    value = data.get(key, default)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors[key] = "This field is required."
    elif len(text) > max_len:
        errors[key] = f"At most {max_len} characters."
    return text


def _code(value: Any, path: str, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if not CODE.match(text):
        errors[path] = "Codes are 1-64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit."
    return text


def clean_product(data: Mapping[str, Any], product: Product | None) -> dict[str, Any]:
    """Validate a product definition; every problem is reported against its field path."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if product is None or "sku" in data:
        out["sku"] = _code(data.get("sku"), "sku", errors)
    for key, required, max_len in (("name", True, 200), ("family", True, 64),
                                   ("description", False, 20000), ("unit", False, 20)):
        if product is None or key in data:
            out[key] = _text(data, key, errors, required=required, max_len=max_len)
    if out.get("family"):
        out["family"] = out["family"].lower()
    if product is None or "unit" in data:
        out["unit"] = out.get("unit") or "each"
    if "active" in data:
        out["active"] = bool(data["active"])
    groups = data.get("option_groups")
    rules = data.get("rules")
    if groups is not None:
        out["option_groups"] = _clean_groups(groups, errors)
    if rules is not None:
        out["rules"] = _clean_rules(rules, errors)
    if not errors and (groups is not None or rules is not None):
        group_data = out.get("option_groups") if groups is not None else _groups_of(product)
        rule_data = out.get("rules") if rules is not None else _rules_of(product)
        problems = check_definition(group_data, rule_data)
        if problems:
            errors["rules" if rules is not None else "option_groups"] = "; ".join(problems)
    sku = out.get("sku")
    if sku and "sku" not in errors:
        clash = select(Product.id).where(func.lower(Product.sku) == sku.lower())
        if product is not None:
            clash = clash.where(Product.id != product.id)
        if db.session.scalar(clash) is not None:
            errors["sku"] = f"SKU {sku} already exists."
    option_codes = [o.code for g in out.get("option_groups", []) for o in g.options]
    if option_codes and not errors:
        taken = db.session.scalars(select(Product.sku).where(Product.sku.in_(option_codes))).all()
        if taken or (sku and sku in option_codes):
            errors["option_groups"] = (f"Option codes must not be product SKUs: "
                                       f"{', '.join(sorted(set(taken) | ({sku} & set(option_codes))))}")
    if errors:
        raise CatalogError("The product could not be saved: check the fields.", fields=errors)
    return out


def _clean_groups(groups: Any, errors: dict[str, str]) -> list[OptionGroupData]:
    if not isinstance(groups, list):
        errors["option_groups"] = "Must be a list of option groups."
        return []
    out = []
    for i, g in enumerate(groups):
        path = f"option_groups.{i}"
        if not isinstance(g, Mapping):
            errors[path] = "Must be an object."
            continue
        code = _code(g.get("code"), f"{path}.code", errors)
        name = str(g.get("name") or code).strip()[:200]
        try:
            low, high = int(g.get("min", 0)), int(g.get("max", 1))
        except (TypeError, ValueError):
            errors[f"{path}.min"] = "min and max must be whole numbers."
            continue
        options = []
        for j, o in enumerate(g.get("options") or []):
            if not isinstance(o, Mapping):
                errors[f"{path}.options.{j}"] = "Must be an object."
                continue
            ocode = _code(o.get("code"), f"{path}.options.{j}.code", errors)
            options.append(OptionData(ocode, str(o.get("name") or ocode).strip()[:200]))
        out.append(OptionGroupData(code, name, low, high, tuple(options)))
    return out


def _clean_rules(rules: Any, errors: dict[str, str]) -> list[RuleData]:
    if not isinstance(rules, list):
        errors["rules"] = "Must be a list of rules."
        return []
    out = []
    for i, r in enumerate(rules):
        if not isinstance(r, Mapping):
            errors[f"rules.{i}"] = "Must be an object."
            continue
        out.append(RuleData(str(r.get("type") or "").strip(), str(r.get("option") or "").strip(),
                            str(r.get("target") or "").strip()))
    return out


def _groups_of(product: Product | None) -> list[OptionGroupData]:
    if product is None:
        return []
    return [OptionGroupData(g.code, g.name, g.min_choices, g.max_choices,
                            tuple(OptionData(o.code, o.name) for o in g.options)) for g in product.groups]


def _rules_of(product: Product | None) -> list[RuleData]:
    if product is None:
        return []
    return [RuleData(r.type, r.option_code, r.target_code) for r in product.rules]


def product_config(product: Product) -> ProductConfig:
    """The product's configuration as pure configurator data."""
    return ProductConfig(tuple(_groups_of(product)), tuple(_rules_of(product)))


def _apply(product: Product, values: dict[str, Any]) -> None:
    for key in ("sku", "name", "family", "description", "unit", "active"):
        if key in values:
            setattr(product, key, values[key])
    db.session.flush()  # the product id, for its options
    if "option_groups" in values:
        product.groups.clear()
        db.session.flush()
        for position, g in enumerate(values["option_groups"]):
            group = OptionGroup(code=g.code, name=g.name, min_choices=g.min, max_choices=g.max,
                                position=position)
            group.options = [Option(code=o.code, name=o.name, position=k, product_id=product.id)
                             for k, o in enumerate(g.options)]
            product.groups.append(group)
    if "rules" in values:
        product.rules = [OptionRule(type=r.type, option_code=r.option, target_code=r.target)
                         for r in values["rules"]]
    db.session.flush()


def create_product(actor: Any, data: Mapping[str, Any], *, audited: bool = True) -> Product:
    """A new product; an import passes `audited=False` and writes one entry for the whole file."""
    values = clean_product(data, None)
    product = Product(active=values.pop("active", True))
    db.session.add(product)
    _apply(product, values)
    if audited:
        audit.record(actor, "product.create", product, after=audit.snapshot(product, AUDITED),
                     summary=f"Created product {product.sku}")
    return product


def update_product(actor: Any, product: Product, data: Mapping[str, Any], *, audited: bool = True) -> Product:
    before = audit.snapshot(product, AUDITED)
    values = clean_product(data, product)
    _apply(product, values)
    if audited:
        audit.record(actor, "product.update", product, before=before,
                     after=audit.snapshot(product, AUDITED), summary=f"Updated product {product.sku}")
    return product


def get_by_sku(sku: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.sku == sku).options(*eager()))


def eager() -> list[Any]:
    """Loader options for a product with its whole configuration (3 extra queries, fixed)."""
    return [selectinload(Product.groups).selectinload(OptionGroup.options), selectinload(Product.rules)]


def search(q: str | None = None, family: str | None = None, active_only: bool = False):
    """A select of products matching a text (SKU or name) and family."""
    stmt = select(Product)
    if q:
        like = "%" + like_escape(q.strip()) + "%"
        stmt = stmt.where(or_(Product.sku.ilike(like, escape="\\"), Product.name.ilike(like, escape="\\")))
    if family:
        stmt = stmt.where(Product.family == family.lower())
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    return stmt


def like_escape(text: str) -> str:
    """Make `%`, `_` and the escape character match themselves in a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def families() -> list[str]:
    return list(db.session.scalars(select(Product.family).distinct().order_by(Product.family)))
