"""Pure quote rules: the state machine (every action from every status), percentages, limits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from orders.quotes import rules
from orders.quotes.models import QUOTE_STATUSES

LEGAL = {
    "edit": {"draft"},
    "revise": {"pending_approval", "approved", "rejected", "expired"},
    "submit": {"draft"},
    "approve": {"pending_approval"},
    "reject": {"pending_approval"},
    "accept": {"approved"},
    "decline": {"draft", "pending_approval", "approved"},
    "expire": {"approved"},
}


@pytest.mark.parametrize("action", sorted(LEGAL))
@pytest.mark.parametrize("status", QUOTE_STATUSES)
def test_every_action_from_every_status(action, status):
    assert rules.allowed(action, status) is (status in LEGAL[action])


def test_final_statuses_allow_nothing():
    for status in ("declined", "accepted"):
        assert rules.actions_for(status) == []
    assert rules.actions_for("rejected") == ["revise"]
    assert rules.actions_for("expired") == ["revise"]


def test_refusals_are_sentences():
    assert rules.refusal("approve", "rejected", "Q-2026-00001") == \
        "Q-2026-00001 is rejected: it cannot be approved."
    assert rules.refusal("approve", "approved", "Q-2026-00001") == "Q-2026-00001 is already approved."
    assert rules.refusal("decline", "declined", "Q-1") == "Q-1 is already declined."
    assert rules.refusal("accept", "pending_approval", "Q-1") == \
        "Q-1 is waiting for approval: it cannot be accepted."


@pytest.mark.parametrize("raw, expected", [
    ("5", Decimal("5.00")), ("7.5", Decimal("7.50")), (" 12.25 ", Decimal("12.25")), (8, Decimal("8.00")),
    (2.5, Decimal("2.50")), ("100", Decimal("100.00")), ("0", Decimal("0.00")), (None, Decimal(0)),
    ("", Decimal(0)), ("5%", Decimal("5.00")), (Decimal("3.1"), Decimal("3.10")),
])
def test_percent_parsing(raw, expected):
    assert rules.parse_percent(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("-1", "cannot be negative"), ("100.01", "more than 100%"), ("abc", "must be a number"),
    ("1.234", "at most 2 decimal places"), ("NaN", "must be a number"), ("Infinity", "must be a number"),
    ("1e3", "more than 100%"),
])
def test_bad_percentages_are_refused_in_words(raw, message):
    with pytest.raises(rules.PercentError) as exc:
        rules.parse_percent(raw, what="The requested discount")
    assert message in str(exc.value) and str(exc.value).startswith("The requested discount")
    assert exc.value.malformed is False


@pytest.mark.parametrize("raw", [True, [5], {"p": 5}])
def test_a_percentage_of_the_wrong_type_is_malformed(raw):
    with pytest.raises(rules.PercentError) as exc:
        rules.parse_percent(raw)
    assert exc.value.malformed is True


def test_self_approval_limits_and_validity():
    limits = {"registered": "0", "silver": "2", "gold": 5, "platinum": "8"}
    assert rules.self_approval_limit(limits, "gold") == Decimal(5)
    assert rules.self_approval_limit(limits, "unknown") == Decimal(0)
    assert rules.within_limit(Decimal("2.00"), Decimal("2")) is True
    assert rules.within_limit(Decimal("2.01"), Decimal("2")) is False
    assert rules.valid_until(date(2026, 1, 31), 30) == date(2026, 3, 2)
    assert rules.is_expired(date(2026, 3, 2), date(2026, 3, 2)) is False  # the last day counts
    assert rules.is_expired(date(2026, 3, 2), date(2026, 3, 3)) is True
    assert rules.is_expired(None, date(2026, 3, 3)) is False
    assert rules.format_percent(Decimal("7.50")) == "7.5" and rules.format_percent(Decimal("10.00")) == "10"
