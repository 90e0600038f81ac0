"""Pure product configurator: validate a selection of options and explain what is unavailable.

Rules: `requires` (A needs B chosen too) and `excludes` (A and B cannot both be chosen; symmetric).
A requirement is met only by choosing the target itself: nothing is added automatically and
variants are never pre-generated. Validation reports each direct requirement that is not met, so
a chain A -> B -> C surfaces step by step. Availability looks through requirements transitively:
an option cannot be added when it, or anything it (indirectly) requires, conflicts with the
current choices ("cannot be added" means: without removing something already chosen).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RULE_TYPES = ("requires", "excludes")


@dataclass(frozen=True, slots=True)
class OptionData:
    """An option of a configurable product."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class OptionGroupData:
    """A group of options with a minimum and maximum number of choices."""

    code: str
    name: str
    min: int
    max: int
    options: tuple[OptionData, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleData:
    """`option` requires/excludes `target`."""

    type: str
    option: str
    target: str


@dataclass(frozen=True, slots=True)
class ProductConfig:
    """A configurable product's option groups and rules."""

    groups: tuple[OptionGroupData, ...] = ()
    rules: tuple[RuleData, ...] = ()


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether an option can be added to the current choices, and if not, why."""

    available: bool
    reasons: list[str] = field(default_factory=list)
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class ConfigResult:
    """The outcome of validating a selection."""

    valid: bool
    problems: list[str]
    availability: dict[str, Availability]


class _Index:
    """Lookups over a product definition."""

    def __init__(self, config: ProductConfig) -> None:
        self.names: dict[str, str] = {}
        self.group_of: dict[str, OptionGroupData] = {}
        self.groups: dict[str, OptionGroupData] = {}
        for group in config.groups:
            self.groups.setdefault(group.code, group)
            for option in group.options:
                self.names.setdefault(option.code, option.name)
                self.group_of.setdefault(option.code, group)
        self.requires: dict[str, list[str]] = {}
        self.excludes: dict[str, list[str]] = {}
        for rule in config.rules:
            if rule.type == "requires":
                self.requires.setdefault(rule.option, []).append(rule.target)
            elif rule.type == "excludes":  # symmetric
                self.excludes.setdefault(rule.option, []).append(rule.target)
                self.excludes.setdefault(rule.target, []).append(rule.option)

    def label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{name} ({code})" if name and name != code else code

    def closure(self, code: str) -> list[str]:
        """Everything `code` requires, directly or through other requirements, in order."""
        seen: list[str] = []
        stack = list(reversed(self.requires.get(code, [])))
        while stack:
            target = stack.pop()
            if target == code or target in seen:
                continue
            seen.append(target)
            stack.extend(reversed(self.requires.get(target, [])))
        return seen

    def excluded(self, a: str, b: str) -> bool:
        return b in self.excludes.get(a, ())


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def _selection_problems(index: _Index, config: ProductConfig, selected: Sequence[str]) -> list[str]:
    problems: list[str] = []
    for code in _unique(c for c in selected if selected.count(c) > 1):
        problems.append(f"Option {index.label(code)} is chosen more than once")
    chosen = _unique(selected)
    problems += [f"Unknown option {code}" for code in chosen if code not in index.names]
    for group in config.groups:
        count = sum(1 for option in group.options if option.code in chosen)
        if count < group.min:
            problems.append(f"Choose at least {group.min} of {group.name}")
        if count > group.max:
            problems.append(f"Choose at most {group.max} of {group.name}")
    for code in chosen:
        for target in index.requires.get(code, []):
            if target not in chosen:
                problems.append(f"Option {index.label(code)} requires {index.label(target)}")
    pairs: set[frozenset[str]] = set()
    for i, code in enumerate(chosen):
        for other in chosen[i + 1:]:
            if index.excluded(code, other) and frozenset((code, other)) not in pairs:
                pairs.add(frozenset((code, other)))
                problems.append(f"{index.label(code)} and {index.label(other)} "
                                "cannot be chosen together")
    return problems


def _by_group(index: _Index, codes: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for code in codes:
        if code in index.group_of:
            grouped.setdefault(index.group_of[code].code, []).append(code)
    return grouped


def _blocked(index: _Index, code: str, chosen: set[str], counts: dict[str, int]) -> list[str]:
    """Why `code` cannot be added to `chosen` (empty when it can)."""
    reasons: list[str] = []
    for other in index.excludes.get(code, []):
        if other in chosen:
            reasons.append(f"excludes {index.label(other)} (chosen)")
    group = index.group_of[code]
    if counts[group.code] >= group.max:
        reasons.append(f"at most {group.max} of {group.name} already chosen")
    needed = [t for t in index.closure(code) if t not in chosen]
    for target in needed:
        if target not in index.names:
            reasons.append(f"requires {target}, which is not an option of this product")
            continue
        for other in index.excludes.get(target, []):
            if other in chosen:
                reasons.append(f"requires {index.label(target)}, "
                               f"which is excluded by {index.label(other)}")
            elif other == code:
                reasons.append(f"requires {index.label(target)}, which excludes it")
        target_group = index.group_of[target]
        if counts[target_group.code] >= target_group.max:
            reasons.append(f"requires {index.label(target)}, but at most {target_group.max} "
                           f"of {target_group.name} already chosen")
    for i, first in enumerate(needed):
        for second in needed[i + 1:]:
            if index.excluded(first, second):
                reasons.append(f"requires {index.label(first)} and {index.label(second)}, "
                               "which cannot be chosen together")
    for group_code, codes in _by_group(index, [code, *needed]).items():
        grp, have = index.groups[group_code], counts[group_code]
        if len(codes) > 1 and have < grp.max < have + len(codes):
            reasons.append(f"needs {len(codes)} more of {grp.name}, but only "
                           f"{grp.max - have} more can be chosen")
    return reasons


def availability(config: ProductConfig, selected: Sequence[str]) -> dict[str, Availability]:
    """For every option of the product: can it be added to the current choices, and if not why."""
    index = _Index(config)
    chosen = set(selected)
    counts = {g.code: sum(1 for o in g.options if o.code in chosen) for g in config.groups}
    result: dict[str, Availability] = {}
    for group in config.groups:
        for option in group.options:
            if option.code in result:
                continue
            if option.code in chosen:
                result[option.code] = Availability(True, [], chosen=True)
                continue
            reasons = _blocked(index, option.code, chosen, counts)
            result[option.code] = Availability(not reasons, reasons)
    return result


def validate(product_config: ProductConfig, selected: Sequence[str]) -> ConfigResult:
    """Check a selection against groups and rules; explain every problem and what is unavailable."""
    selected = list(selected)
    problems = _selection_problems(_Index(product_config), product_config, selected)
    return ConfigResult(not problems, problems, availability(product_config, selected))


def _group_problems(groups: Sequence[OptionGroupData]) -> list[str]:
    problems: list[str] = []
    group_codes = [g.code for g in groups]
    for code in _unique(c for c in group_codes if group_codes.count(c) > 1):
        problems.append(f"Group code {code} is used more than once")
    option_codes = [o.code for g in groups for o in g.options]
    for code in _unique(c for c in option_codes if option_codes.count(c) > 1):
        problems.append(f"Option code {code} is used more than once")
    for group in groups:
        name = group.name or group.code
        if not group.code.strip():
            problems.append(f"Group {name} has no code")
        if any(not o.code.strip() for o in group.options):
            problems.append(f"An option of {name} has no code")
        if not group.options:
            problems.append(f"Group {name} has no options")
        if group.min < 0:
            problems.append(f"Group {name}: the minimum must be 0 or more")
        if group.max < 1:
            problems.append(f"Group {name}: the maximum must be at least 1")
        if group.min > group.max:
            problems.append(f"Group {name}: the minimum ({group.min}) is above the maximum "
                            f"({group.max})")
        elif group.options and group.min > len(group.options):
            problems.append(f"Group {name}: the minimum ({group.min}) is more than its "
                            f"{len(group.options)} options")
    return problems


def _rule_problems(index: _Index, rules: Sequence[RuleData]) -> tuple[list[str], list[RuleData]]:
    problems: list[str] = []
    sound: list[RuleData] = []
    seen: set[tuple[str, frozenset[str] | tuple[str, str]]] = set()
    for number, rule in enumerate(rules, 1):
        if rule.type not in RULE_TYPES:
            problems.append(f"Rule {number}: type must be requires or excludes, not {rule.type!r}")
            continue
        unknown = _unique(c for c in (rule.option, rule.target) if c not in index.names)
        problems += [f"Rule {number}: unknown option {code}" for code in unknown]
        if rule.option == rule.target:
            verb = "require" if rule.type == "requires" else "exclude"
            problems.append(f"Rule {number}: option {index.label(rule.option)} "
                            f"cannot {verb} itself")
        if unknown or rule.option == rule.target:
            continue
        pair = (frozenset((rule.option, rule.target)) if rule.type == "excludes"
                else (rule.option, rule.target))
        if (rule.type, pair) in seen:
            problems.append(f"Rule {number} repeats an earlier rule ({index.label(rule.option)} "
                            f"{rule.type} {index.label(rule.target)})")
            continue
        seen.add((rule.type, pair))
        sound.append(rule)
    return problems, sound


def _impossible_options(index: _Index) -> list[str]:
    problems: list[str] = []
    for code in index.names:
        direct = index.requires.get(code, [])
        for target in direct:
            if index.excluded(code, target):
                problems.append(f"Option {index.label(code)} both requires and excludes "
                                f"{index.label(target)}")
        needed = index.closure(code)
        for target in needed:
            if target not in direct and index.excluded(code, target):
                problems.append(f"Option {index.label(code)} can never be chosen: it requires "
                                f"{index.label(target)} (indirectly), which excludes it")
        for i, first in enumerate(needed):
            for second in needed[i + 1:]:
                if index.excluded(first, second):
                    problems.append(f"Option {index.label(code)} can never be chosen: it requires "
                                    f"{index.label(first)} and {index.label(second)}, "
                                    "which exclude each other")
        for group_code, codes in _by_group(index, [code, *needed]).items():
            group = index.groups[group_code]
            if len(codes) > group.max:
                problems.append(f"Option {index.label(code)} can never be chosen: it needs "
                                f"{len(codes)} of {group.name}, which allows at most {group.max}")
    return problems


def check_definition(groups: Sequence[OptionGroupData], rules: Sequence[RuleData]) -> list[str]:
    """Problems in a product definition (codes, group limits, rules), in words; empty if sound."""
    groups = tuple(groups)
    problems = _group_problems(groups)
    rule_problems, sound = _rule_problems(_Index(ProductConfig(groups)), rules)
    problems += rule_problems
    problems += _impossible_options(_Index(ProductConfig(groups, tuple(sound))))
    return problems
