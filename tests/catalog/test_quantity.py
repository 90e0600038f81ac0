"""The one quantity parser (`portal.validation.parse_quantity`) and the wording of each caller."""
from __future__ import annotations

import pytest

from catalog.pricing import InvalidQuantity, check_quantity
from catalog.services.configurations import parse_quantity as cart_quantity
from portal.validation import ABOVE_MAX, BELOW_ONE, MAX_QUANTITY, NOT_WHOLE, QuantityError, parse_quantity


@pytest.mark.parametrize("value, expected", [(1, 1), (MAX_QUANTITY, MAX_QUANTITY), ("12", 12), (" 7 ", 7)])
def test_whole_numbers_from_1_to_the_maximum_are_quantities(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value, reason", [
    (0, BELOW_ONE), (-3, BELOW_ONE), ("0", BELOW_ONE), (MAX_QUANTITY + 1, ABOVE_MAX), ("1000001", ABOVE_MAX),
    (True, NOT_WHOLE), (1.0, NOT_WHOLE), ("1.5", NOT_WHOLE), ("-2", NOT_WHOLE), ("", NOT_WHOLE),
    ("1234567890", NOT_WHOLE), ("٣", NOT_WHOLE), (None, NOT_WHOLE),
])
def test_anything_else_says_why(value, reason):
    with pytest.raises(QuantityError) as caught:
        parse_quantity(value)
    assert caught.value.reason == reason


def test_strings_are_refused_where_the_caller_parsed_already():
    with pytest.raises(QuantityError) as caught:
        parse_quantity("2", strings=False)
    assert caught.value.reason == NOT_WHOLE


def test_each_caller_keeps_its_words():
    assert cart_quantity("3") == (3, None)
    assert cart_quantity("x") == (None, "The quantity must be a whole number.")
    assert cart_quantity(0) == (None, "The quantity must be at least 1.")
    assert cart_quantity(MAX_QUANTITY + 1) == (None, "The quantity must be at most 1,000,000.")
    assert check_quantity(MAX_QUANTITY + 1) == MAX_QUANTITY + 1  # the engine has no upper bound
    with pytest.raises(InvalidQuantity, match="Quantity must be a whole number of at least 1, not 0"):
        check_quantity(0)
