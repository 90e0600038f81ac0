"""Cleaning price values: dates, amounts in minor units, price book entries with volume tiers."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.services import CatalogError, price_rules
from portal.money import Money, MoneyError
from portal.validation import MAX_QUANTITY, parse_decimal


def parse_day(value: Any, path: str, errors: dict[str, str], required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors[path] = "This field is required."
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[path] = "Dates are written YYYY-MM-DD."
        return None


def require_list(rows: Any, name: str) -> None:
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)):
        raise CatalogError(f"{name} must be a list.", fields={name: "Must be a list."})


def to_minor(value: Any, currency: str) -> int:
    number = parse_decimal(value)
    if number < 0:
        raise ValueError("must not be negative")
    try:
        return Money.parse(str(number), currency).amount_minor
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


def clean_entries(rows: Sequence[Mapping[str, Any]], currency: str, prefix: str = "entries") -> list[dict[str, Any]]:
    """Validate entries `[{code, unit_price, tiers?: [{min_qty, unit_price}]}]` all at once."""
    errors: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    require_list(rows, prefix)
    for i, row in enumerate(rows):
        path = f"{prefix}.{i}"
        if not isinstance(row, Mapping):
            errors[path] = "Must be an object."
            continue
        code = str(row.get("code") or "").strip()
        if not code or len(code) > 64:
            errors[f"{path}.code"] = "A code (SKU or option code) of 1-64 characters is required."
        elif code in seen:
            errors[f"{path}.code"] = f"{code} is already priced in entry {seen[code]}."
        else:
            seen[code] = i
        try:
            unit = to_minor(row.get("unit_price"), currency)
        except ValueError as exc:
            errors[f"{path}.unit_price"] = f"unit_price {exc}"
            continue
        tiers: list[tuple[int, int, int]] = []  # (position in the row, min_qty, unit minor)
        for j, tier in enumerate(row.get("tiers") or []):
            tpath = f"{path}.tiers.{j}"
            try:
                qty = int(parse_decimal(tier.get("min_qty")))
                if qty < 2 or qty > MAX_QUANTITY or Decimal(str(tier.get("min_qty"))) != qty:
                    raise ValueError
            except (ValueError, AttributeError, TypeError):
                errors[f"{tpath}.min_qty"] = "min_qty must be a whole number of at least 2."
                continue
            try:
                tiers.append((j, qty, to_minor(tier.get("unit_price"), currency)))
            except ValueError as exc:
                errors[f"{tpath}.unit_price"] = f"unit_price {exc}"
        if len({q for _, q, _ in tiers}) != len(tiers):
            errors[f"{path}.tiers"] = "Each min_qty may appear once."
        else:
            for j, message in price_rules.tier_problems(unit, tiers, currency).items():
                errors[f"{path}.tiers.{j}.unit_price"] = message
        out.append({"code": code, "unit_price_minor": unit, "tiers": sorted([q, p] for _, q, p in tiers)})
    if errors:
        raise CatalogError(f"{len(errors)} problem(s) in the entries; nothing was saved.", fields=errors)
    return out
