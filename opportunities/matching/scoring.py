"""Scores saying how likely two names denote the same company, and the evidence scores of domains and VAT ids."""

from __future__ import annotations

from collections.abc import Callable

from .normalise import NameKey
from .similarity import align

#: Scores at or above this count as a conflict.
MATCH_THRESHOLD = 0.85

DOMAIN_HOST_SCORE = 0.98  # same host ("shop.acme.com" and "shop.acme.com")
DOMAIN_REGISTRABLE_SCORE = 0.95  # same registrable domain ("shop.acme.com" and "acme.com")
VAT_SCORE = 0.99
ACRONYM_SCORE = 0.85
#: Score floor when the query is the indexed name plus trailing words ("Qiagen Venlo" / "Qiagen").
PREFIX_CONTAINMENT_SCORE = 0.85
#: Score floor scale when the query is the first words of the indexed name ("Verisk" / "Verisk Analytics").
SHORT_QUERY_SCORE = 0.6
#: Weight factor of an unmatched trailing country name ("Alamo United States" / "Alamo Group").
PLACE_FACTOR = 0.0
#: Extra weight of unmatched words that open a name: "Silver Fox" is further from "Fox" than "Fox Hills".
LEADING_EXTRA = 0.5
#: Least total weight the shorter name needs for containment to count ("Bank" never does).
MIN_DISTINCTIVE_WEIGHT = 0.55

Weight = Callable[[str], float]


def name_score(query: NameKey, other: NameKey, weight: Weight, known: Callable[[str], bool] | None = None) -> float:
    """Return 0..1 similarity of a query name to an indexed name, using token rarity weights.

    `known` tells which query tokens are indexed words, hence not typos of another word.
    """
    if not query.tokens or not other.tokens:
        return 0.0
    if query.compact == other.compact:
        return 1.0
    al = align(query.tokens, other.tokens, weight, known)
    if al.matched <= 0.0:
        return 0.0
    weight_q = al.weight_a + _adjustment(query, al.unmatched_a, weight)
    weight_o = al.weight_b + _adjustment(other, al.unmatched_b, weight)
    low, high = sorted((min(1.0, al.matched / weight_q), min(1.0, al.matched / weight_o)))
    score = (low + high) / 2
    exact = all(sim == 1.0 for _i, _j, sim in al.pairs)
    if exact and not al.unmatched_a and _is_prefix(al.unmatched_b, len(other.tokens)):
        # The query is the indexed name's first words ("Verisk" / "Verisk Analytics").
        score = max(score, SHORT_QUERY_SCORE + (1 - SHORT_QUERY_SCORE) * min(1.0, al.matched / weight_o))
    if not al.unmatched_b and exact:
        # The indexed name is the query's first words ("Qiagen" in "Qiagen Venlo"): a site or qualifier.
        distinctive = len(other.compact) >= 3 and al.matched >= MIN_DISTINCTIVE_WEIGHT
        if distinctive and _is_prefix(al.unmatched_a, len(query.tokens)):
            score = max(score, PREFIX_CONTAINMENT_SCORE + (1 - PREFIX_CONTAINMENT_SCORE) * low)
    return score


def _is_prefix(unmatched: list[int], length: int) -> bool:
    """Tell whether the matched tokens of a name are its first ones (only trailing tokens unmatched)."""
    return unmatched == list(range(length - len(unmatched), length))


def _adjustment(key: NameKey, unmatched: list[int], weight: Weight) -> float:
    """Return the weight to add for unmatched words: more for opening words, less for a trailing country."""
    extra = 0.0
    for pos, missing in enumerate(unmatched):
        if missing != pos:
            break
        extra += LEADING_EXTRA * weight(key.tokens[missing])
    place_start = len(key.tokens) - key.place_tail
    for missing in unmatched:
        if missing >= place_start:
            extra -= (1 - PLACE_FACTOR) * weight(key.tokens[missing])
    return extra


def acronym_score(query: NameKey, other: NameKey) -> float:
    """Return ACRONYM_SCORE when one name is the other's initials ("AOS" / "Alpha and Omega Semiconductor")."""
    for short, long_ in ((query, other), (other, query)):
        if len(short.tokens) == 1 and 3 <= len(short.compact) <= 6 and short.compact == long_.acronym:
            return ACRONYM_SCORE
    return 0.0
