"""WTForms for the catalog back office, and the mapping of service errors onto form rows."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import Length

from catalog.configurator import RULE_TYPES
from portal.errors import DomainError
from portal.forms import options

DATE = {"type": "date", "placeholder": "YYYY-MM-DD"}
# Field lengths: the columns (codes 64, names 200, units 20); the services check the same bounds.
CODE_LEN, NAME_LEN, NUMBER_LEN = Length(max=64), Length(max=200), Length(max=30)
RULE_NUMBER = re.compile(r"^Rule (\d+)\b")
PRODUCT_FIELDS = ("sku", "name", "family", "unit", "description", "active")


class RowForm(Form):
    """A repeated row: it carries errors that concern the row as a whole."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_errors: list[str] = []

    def blank(self) -> bool:
        """Whether nothing was typed in the row (its removal flag and defaults aside)."""
        return not any(str(self[name].data or "").strip() for name in self.KEYS)

    KEYS: tuple[str, ...] = ()


class OptionRow(RowForm):
    KEYS = ("code", "name")
    code = StringField("Option code", validators=[CODE_LEN])
    name = StringField("Option name", validators=[NAME_LEN])
    remove = BooleanField("Remove")


class GroupRow(RowForm):
    KEYS = ("code", "name")
    code = StringField("Group code", validators=[CODE_LEN])
    name = StringField("Group name", validators=[NAME_LEN])
    min = StringField("Minimum", default="0", validators=[NUMBER_LEN])
    max = StringField("Maximum", default="1", validators=[NUMBER_LEN])
    remove = BooleanField("Remove group")
    options = FieldList(FormField(OptionRow))

    def blank(self) -> bool:
        return super().blank() and all(o.form.blank() for o in self.options)


class RuleRow(RowForm):
    KEYS = ("option", "target")
    type = SelectField("Rule", choices=options((t, t) for t in RULE_TYPES))
    option = StringField("Option", validators=[CODE_LEN])
    target = StringField("Target option", validators=[CODE_LEN])
    remove = BooleanField("Remove")


class ProductForm(FlaskForm):
    sku = StringField("SKU", validators=[CODE_LEN], description="Letters, digits, '.', '_', '/' or '-'; unique.")
    name = StringField("Name", validators=[NAME_LEN])
    family = StringField("Family", validators=[CODE_LEN],
                         description="e.g. hardware, software, services (stored in lower case).")
    unit = StringField("Unit", default="each", validators=[Length(max=20)])
    description = TextAreaField("Description", validators=[Length(max=20000)], render_kw={"rows": 3})
    active = BooleanField("Active (orderable)", default=True,
                          description="Untick to retire the product: it stays on past orders.")
    groups = FieldList(FormField(GroupRow))
    rules = FieldList(FormField(RuleRow))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_errors: dict[str, list[str]] = {"groups": [], "rules": []}

    def add_blank_rows(self, groups: int = 1, options_per_group: int = 2, rules: int = 2) -> None:
        """Empty rows to type new groups, options and rules into (no JavaScript needed)."""
        for entry in self.groups:
            for _ in range(options_per_group):
                entry.options.append_entry()
        for _ in range(groups):
            entry = self.groups.append_entry()
            for _ in range(max(3, options_per_group)):
                entry.options.append_entry()
        for _ in range(rules):
            self.rules.append_entry()

    def option_codes(self) -> list[str]:
        """Option codes typed in the form (for the rule fields' suggestions)."""
        return sorted({(o.code.data or "").strip() for g in self.groups for o in g.options
                       if (o.code.data or "").strip()})


def product_form_data(product: Any) -> dict[str, Any]:
    """A product as the form's initial data."""
    return {
        "sku": product.sku, "name": product.name, "family": product.family, "unit": product.unit,
        "description": product.description, "active": product.active,
        "groups": [{"code": g.code, "name": g.name, "min": str(g.min_choices), "max": str(g.max_choices),
                    "options": [{"code": o.code, "name": o.name} for o in g.options]} for g in product.groups],
        "rules": [{"type": r.type, "option": r.option_code, "target": r.target_code} for r in product.rules],
    }


@dataclass
class ProductRows:
    """The form rows that the groups, options and rules sent to the service came from."""

    groups: list[GroupRow] = field(default_factory=list)
    options: list[list[OptionRow]] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)


def _kept(entries: FieldList) -> list[Any]:
    """The row forms of a list, without blank rows and rows marked for removal."""
    return [e.form for e in entries if not (e.form.remove.data or e.form.blank())]


def product_payload(form: ProductForm) -> tuple[dict[str, Any], ProductRows]:
    """The plain dict create_product/update_product take, and the rows to place its errors on."""
    rows = ProductRows(groups=_kept(form.groups), rules=_kept(form.rules))
    rows.options = [_kept(group.options) for group in rows.groups]
    data: dict[str, Any] = {key: form[key].data for key in PRODUCT_FIELDS}
    data["option_groups"] = [{"code": g.code.data, "name": g.name.data, "min": g.min.data, "max": g.max.data,
                              "options": [{"code": o.code.data, "name": o.name.data} for o in opts]}
                             for g, opts in zip(rows.groups, rows.options)]
    data["rules"] = [{"type": r.type.data, "option": r.option.data, "target": r.target.data} for r in rows.rules]
    return data, rows


def _add(target: Any, message: str) -> None:
    """Append an error to a field (`errors`) or a row form (`row_errors`)."""
    if isinstance(target, RowForm):
        target.row_errors.append(message)
    else:
        target.errors = list(target.errors) + [message]


def _field_of(row: Any, rest: list[str]) -> Any:
    """The field a path's remainder names in a row form, else the row (or field) itself."""
    return row[rest[0]] if isinstance(row, Form) and rest and rest[0] in row else row


def _index(parts: list[str], i: int, items: list[Any]) -> Any | None:
    """items[parts[i]] when parts[i] is an index into items."""
    return items[int(parts[i])] if len(parts) > i and parts[i].isdigit() and int(parts[i]) < len(items) else None


def show_product_errors(form: ProductForm, exc: DomainError, rows: ProductRows) -> None:
    """Place each service error next to its field or row; section-wide ones above the section."""
    form.form_errors.append(exc.message)
    for path, message in exc.fields.items():
        parts = path.split(".")
        group = _index(parts, 1, rows.groups) if parts[0] == "option_groups" else None
        rule = _index(parts, 1, rows.rules) if parts[0] == "rules" else None
        if parts[0] in PRODUCT_FIELDS:
            _add(form[parts[0]], message)
        elif group is not None:
            option = _index(parts, 3, rows.options[int(parts[1])]) if parts[2:3] == ["options"] else None
            _add(_field_of(option, parts[4:]) if option is not None else _field_of(group, parts[2:]), message)
        elif rule is not None:
            _add(rule, message)
        elif parts[0] == "rules":
            _place_definition_problems(form, message, rows)
        else:
            form.section_errors["groups"].append(message)


def _group_named(rows: ProductRows, problem: str) -> GroupRow | None:
    """The group a configurator problem names ("Group Memory: ...", "An option of Memory ...")."""
    for group in sorted(rows.groups, key=lambda g: -len(_label(g))):
        label = _label(group)
        if problem.startswith((f"Group {label}:", f"Group {label} has ", f"An option of {label} ")):
            return group
    return None


def _label(group: GroupRow) -> str:
    return str(group.name.data or group.code.data or "").strip()


def _place_definition_problems(form: ProductForm, message: str, rows: ProductRows) -> None:
    """The configurator's problems ("Rule 2: unknown option X", "Group Memory: ...") go to the
    row they name; the others above the section they concern."""
    for problem in filter(None, (p.strip() for p in message.split("; "))):
        number = RULE_NUMBER.match(problem)
        group = _group_named(rows, problem)
        if number and 0 < int(number.group(1)) <= len(rows.rules):
            text = RULE_NUMBER.sub("", problem).lstrip(": ")  # the row shows which rule it is
            rows.rules[int(number.group(1)) - 1].row_errors.append(text[:1].upper() + text[1:])
        elif group is not None:
            group.row_errors.append(problem)
        elif problem.startswith("Rule ") or " requires " in problem or " excludes " in problem:
            form.section_errors["rules"].append(problem)
        else:
            form.section_errors["groups"].append(problem)


class PriceBookForm(FlaskForm):
    name = StringField("Name", validators=[NAME_LEN], description="e.g. 'EUR list prices 2026'.")
    currency = StringField("Currency", render_kw={"maxlength": 3}, description="ISO 4217 code, e.g. EUR.")
    valid_from = StringField("Valid from", validators=[Length(max=10)], render_kw=DATE)
    valid_to = StringField("Valid to", validators=[Length(max=10)], render_kw=DATE,
                           description="Last day the book applies; empty: open-ended.")


class TierRow(RowForm):
    KEYS = ("min_qty", "unit_price")
    min_qty = StringField("From quantity", validators=[NUMBER_LEN])
    unit_price = StringField("Unit price", validators=[NUMBER_LEN])


class EntryForm(FlaskForm):
    code = StringField("Code", validators=[CODE_LEN], description="A product SKU or an option code.")
    unit_price = StringField("Unit price", validators=[NUMBER_LEN], description="In the book's currency, e.g. 1250.00.")
    tiers = FieldList(FormField(TierRow), description="Clear a tier's row to remove it.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tier_errors: list[str] = []

    def payload(self) -> tuple[dict[str, Any], list[TierRow]]:
        """The entry row for the service and the form row of each tier sent."""
        kept = [t.form for t in self.tiers if not t.form.blank()]
        row = {"code": self.code.data, "unit_price": self.unit_price.data,
               "tiers": [{"min_qty": t.min_qty.data, "unit_price": t.unit_price.data} for t in kept]}
        return row, kept


def show_entry_errors(form: EntryForm, exc: DomainError, index: int, tier_rows: list[TierRow]) -> None:
    """Errors of entry `index` go to the form's fields; others (an older entry) above the form."""
    form.form_errors.append(exc.message)
    prefix = f"entries.{index}"
    for path, message in exc.fields.items():
        if not (path == prefix or path.startswith(prefix + ".")):
            form.form_errors.append(f"{path}: {message}")
            continue
        parts = path.split(".")[2:]
        tier = _index(parts, 1, tier_rows) if parts[:1] == ["tiers"] else None
        if tier is not None:
            _add(_field_of(tier, parts[2:]), message)
        elif parts[:1] == ["tiers"]:
            form.tier_errors.append(message)
        elif parts and parts[0] in ("code", "unit_price"):
            _add(form[parts[0]], message)
        else:
            form.form_errors.append(message)


class DiscountRow(Form):
    tier = HiddenField()
    cells = FieldList(StringField("Percent", validators=[NUMBER_LEN]))


class TierDiscountForm(FlaskForm):
    """A grid of percentages: one row per partner tier, one column per product family."""

    families = FieldList(HiddenField())
    rows = FieldList(FormField(DiscountRow))

    def payload(self) -> tuple[list[dict[str, Any]], list[Any]]:
        """Rows for set_tier_discounts (empty cells mean no discount) and the cell of each."""
        families = [f.data for f in self.families]
        out, cells = [], []
        for row in self.rows:
            for fi, cell in enumerate(row.form.cells):
                if fi < len(families) and str(cell.data or "").strip():
                    out.append({"tier": row.form.tier.data, "family": families[fi], "percent": cell.data})
                    cells.append(cell)
        return out, cells


def tier_discount_data(tiers: Iterable[str], families: list[str],
                       percents: Mapping[tuple[str, str], Any]) -> dict[str, Any]:
    return {"families": families, "rows": [
        {"tier": t, "cells": [_percent(percents.get((t, f))) for f in families]} for t in tiers]}


def _percent(value: Any) -> str:
    return "" if value is None else f"{value.normalize():f}"


class ContractRow(RowForm):
    KEYS = ("code", "unit_price", "valid_from", "valid_to")
    code = StringField("Code", validators=[CODE_LEN])
    unit_price = StringField("Unit price", validators=[NUMBER_LEN])
    valid_from = StringField("Valid from", validators=[Length(max=10)], render_kw=DATE)
    valid_to = StringField("Valid to", validators=[Length(max=10)], render_kw=DATE)
    remove = BooleanField("Remove")


class ContractPricesForm(FlaskForm):
    rows = FieldList(FormField(ContractRow))

    def payload(self) -> tuple[list[dict[str, Any]], list[ContractRow]]:
        """Rows for set_contract_prices (blank and removed rows left out) and the form row of each."""
        kept = [r.form for r in self.rows if not (r.form.remove.data or r.form.blank())]
        return [{"code": r.code.data, "unit_price": r.unit_price.data, "valid_from": r.valid_from.data,
                 "valid_to": r.valid_to.data} for r in kept], kept


def show_row_errors(form: FlaskForm, exc: DomainError, targets: list[Any]) -> None:
    """Errors "<list>.<i>[.<field>]" next to targets[i] (a row form's field, or a single field);
    the rest above the form."""
    form.form_errors.append(exc.message)
    for path, message in exc.fields.items():
        parts = path.split(".")
        target = _index(parts, 1, targets)
        if target is not None:
            _add(_field_of(target, parts[2:]), message)
        else:
            form.form_errors.append(message)
