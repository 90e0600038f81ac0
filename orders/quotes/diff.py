"""What changed between two revisions of a quote (pure: works on any objects with the fields).

Lines are matched by product and configuration (SKU plus the set of options); the same
configuration twice is matched in order. A line whose configuration changed shows as one line
removed and one added.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from portal.money import Money
from orders.quotes.rules import format_percent


class LineLike(Protocol):
    sku: str
    name: str
    options: list[str]
    option_names: list[str]
    quantity: int
    unit_net_minor: int
    line_total_minor: int


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class LineChange:
    kind: str  # added, removed, changed
    sku: str
    name: str
    option_names: tuple[str, ...]
    quantity_before: int | None
    quantity_after: int | None
    unit_before: Money | None
    unit_after: Money | None
    total_before: Money | None
    total_after: Money | None


@dataclass
class RevisionDiff:
    before: int
    after: int
    fields: list[FieldChange] = field(default_factory=list)
    lines: list[LineChange] = field(default_factory=list)
    unchanged_lines: int = 0

    @property
    def empty(self) -> bool:
        return not self.fields and not self.lines

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        def amount(m: Money | None) -> str | None:
            return m.as_str() if m is not None else None
        return {
            "from_revision": self.before, "to_revision": self.after,
            "fields": [{"field": c.label, "before": c.before, "after": c.after} for c in self.fields],
            "lines": [{"change": c.kind, "sku": c.sku, "name": c.name, "options": list(c.option_names),
                       "quantity_before": c.quantity_before, "quantity_after": c.quantity_after,
                       "unit_net_before": amount(c.unit_before), "unit_net_after": amount(c.unit_after),
                       "line_total_before": amount(c.total_before),
                       "line_total_after": amount(c.total_after)} for c in self.lines],
            "unchanged_lines": self.unchanged_lines,
        }


def _key(line: LineLike) -> tuple[str, tuple[str, ...]]:
    return line.sku, tuple(sorted(line.options))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _percent(value: Any) -> str:
    return f"{format_percent(value)}%" if value is not None else "—"


def _deal(value: Any) -> str:
    return f"registration #{value}" if value else "none"


def diff_revisions(old: Any, new: Any) -> RevisionDiff:
    """Changes from revision `old` to revision `new` (header fields, then lines)."""
    result = RevisionDiff(old.number, new.number)
    header = (
        ("Reference", _text, "title"), ("Deal registration", _deal, "opportunity_id"),
        ("Requested extra discount", _percent, "requested_discount_percent"),
        ("Justification", _text, "justification"),
    )
    for label, show, name in header:
        before, after = show(getattr(old, name)), show(getattr(new, name))
        if before != after:
            result.fields.append(FieldChange(label, before, after))
    currency = new.currency
    result.lines, result.unchanged_lines = _line_changes(old.lines, new.lines, old.currency, currency)
    if old.total_minor != new.total_minor or old.currency != currency:
        result.fields.append(FieldChange("Total", Money(old.total_minor, old.currency).format(),
                                         Money(new.total_minor, currency).format()))
    return result


def _line_changes(old: Sequence[LineLike], new: Sequence[LineLike], old_currency: str,
                  new_currency: str) -> tuple[list[LineChange], int]:
    def money(minor: int, currency: str) -> Money:
        return Money(minor, currency)

    remaining: dict[tuple[str, tuple[str, ...]], list[LineLike]] = {}
    for line in old:
        remaining.setdefault(_key(line), []).append(line)
    changes: list[LineChange] = []
    unchanged = 0
    for line in new:
        matches = remaining.get(_key(line))
        if not matches:
            changes.append(LineChange("added", line.sku, line.name, tuple(line.option_names), None,
                                      line.quantity, None, money(line.unit_net_minor, new_currency), None,
                                      money(line.line_total_minor, new_currency)))
            continue
        before = matches.pop(0)
        same = (before.quantity == line.quantity and before.unit_net_minor == line.unit_net_minor
                and old_currency == new_currency)
        if same:
            unchanged += 1
            continue
        changes.append(LineChange(
            "changed", line.sku, line.name, tuple(line.option_names), before.quantity, line.quantity,
            money(before.unit_net_minor, old_currency), money(line.unit_net_minor, new_currency),
            money(before.line_total_minor, old_currency), money(line.line_total_minor, new_currency)))
    for leftovers in remaining.values():
        for line in leftovers:
            changes.append(LineChange("removed", line.sku, line.name, tuple(line.option_names),
                                      line.quantity, None, money(line.unit_net_minor, old_currency), None,
                                      money(line.line_total_minor, old_currency), None))
    return changes, unchanged
