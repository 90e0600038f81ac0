"""Pure quote rules: the state machine, percentages, self-approval limits, the validity date.

No database and no Flask, so every transition can be tested in microseconds.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

HUNDRED = Decimal(100)
PERCENT_PLACES = 2

# action -> the statuses it may start from, and where it leads. "edit" keeps a draft a draft
# (same revision); "revise" makes a new revision (a draft again) of a quote that has left draft.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({"draft"}), "draft"),
    "revise": (frozenset({"pending_approval", "approved", "rejected", "expired"}), "draft"),
    "submit": (frozenset({"draft"}), "pending_approval|approved"),
    "approve": (frozenset({"pending_approval"}), "approved"),
    "reject": (frozenset({"pending_approval"}), "rejected"),
    "accept": (frozenset({"approved"}), "accepted"),
    "decline": (frozenset({"draft", "pending_approval", "approved"}), "declined"),
    "expire": (frozenset({"approved"}), "expired"),
}
ACTION_WORDS = {
    "edit": "edited", "revise": "revised", "submit": "submitted", "approve": "approved",
    "reject": "rejected", "accept": "accepted", "decline": "declined", "expire": "expired",
}
STATUS_WORDS = {
    "draft": "a draft", "pending_approval": "waiting for approval", "approved": "approved",
    "rejected": "rejected", "declined": "declined", "accepted": "accepted", "expired": "expired",
}


class PercentError(ValueError):
    """A percentage that is not a number, negative, over 100 or too precise."""

    def __init__(self, message: str, *, malformed: bool = False) -> None:
        super().__init__(message)
        self.malformed = malformed


def allowed(action: str, status: str) -> bool:
    """Whether `action` may be taken on a quote in `status`."""
    return status in TRANSITIONS[action][0]


def actions_for(status: str) -> list[str]:
    """Every action a quote in `status` allows (for buttons and the API's `actions`)."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def refusal(action: str, status: str, number: str = "This quote") -> str:
    """Why `action` is not allowed, in words: "Q-2026-00001 is rejected: it cannot be approved."."""
    if TRANSITIONS[action][1] == status:
        return f"{number} is already {STATUS_WORDS.get(status, status)}."
    return f"{number} is {STATUS_WORDS.get(status, status)}: it cannot be {ACTION_WORDS[action]}."


def parse_percent(value: Any, *, what: str = "The discount") -> Decimal:
    """A percentage from 0 to 100 with at most 2 decimals, from a decimal string or a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise PercentError(f"{what} must be a number such as \"5\" or \"7.5\".", malformed=True)
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise PercentError(f"{what} must be a number such as \"5\" or \"7.5\", not {str(value)!r}.") from None
    if not number.is_finite():
        raise PercentError(f"{what} must be a number such as \"5\" or \"7.5\", not {str(value)!r}.")
    if number < 0:
        raise PercentError(f"{what} cannot be negative.")
    if number > HUNDRED:
        raise PercentError(f"{what} cannot be more than 100%.")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PERCENT_PLACES:
        raise PercentError(f"{what} has at most {PERCENT_PLACES} decimal places.")
    return number.quantize(Decimal("0.01"))


def format_percent(percent: Decimal | None) -> str | None:
    """'5' for 5.00, '7.5' for 7.50 (the API's decimal string); None stays None."""
    if percent is None:
        return None
    text = format(Decimal(percent).normalize(), "f")
    return text


def self_approval_limit(limits: Mapping[str, Any], tier: str) -> Decimal:
    """The tier's self-approval limit from the settings; an unknown tier may approve nothing."""
    value = limits.get(tier, 0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def within_limit(requested: Decimal, limit: Decimal) -> bool:
    """A requested extra discount within the limit is approved at once."""
    return requested <= limit


def valid_until(approved_on: date, days: int) -> date:
    """The last day an approval is valid (inclusive)."""
    return approved_on + timedelta(days=days)


def is_expired(valid_to: date | None, on: date) -> bool:
    """Past its last valid day."""
    return valid_to is not None and on > valid_to
