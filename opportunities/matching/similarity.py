"""Token and name similarity for company names (typos, abbreviations, word order, containment)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .vocab import GENERIC_WORDS

#: Shortest token length at which a one-letter typo is tolerated.
MIN_TYPO_LEN = 4
#: Shortest abbreviation accepted as a prefix of a longer word ("tech" for "technologies").
MIN_ABBREVIATION_LEN = 4

TYPO_SIMILARITY = 0.9
ABBREVIATION_SIMILARITY = 0.8


def within_one_edit(a: str, b: str) -> bool:
    """Tell whether two strings differ by at most one insertion, deletion, substitution or swap."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if i == la:
        return True
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    return a[i:] == b[i + 1:]


def token_similarity(a: str, b: str, typos: bool = True) -> float:
    """Similarity of two name tokens: 1 equal, 0.9 one typo, 0.8 abbreviation of a generic word, else 0.

    A typo never touches the first letter (people rarely mistype it; "Nidec" is not "Idec").
    """
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if (
        typos
        and min(la, lb) >= MIN_TYPO_LEN
        and a[0] == b[0]
        and not (a.isdigit() or b.isdigit())
        and within_one_edit(a, b)
    ):
        return TYPO_SIMILARITY
    short, long_ = (a, b) if la < lb else (b, a)
    if (
        len(short) >= MIN_ABBREVIATION_LEN
        and len(long_) >= len(short) + 2
        and long_ in GENERIC_WORDS
        and long_.startswith(short)
    ):
        return ABBREVIATION_SIMILARITY
    return 0.0


@dataclass(slots=True)
class Alignment:
    """How the tokens of two names line up, with rarity weights."""

    matched: float  # weighted similarity mass shared by both names
    weight_a: float  # total weight of the first name
    weight_b: float  # total weight of the second name
    unmatched_a: list[int]  # positions of first-name tokens left unmatched
    unmatched_b: list[int]  # positions of second-name tokens left unmatched
    pairs: list[tuple[int, int, float]]  # (position in a, position in b, similarity)


def align(
    a: Sequence[str],
    b: Sequence[str],
    weight: Callable[[str], float],
    known: Callable[[str], bool] | None = None,
) -> Alignment:
    """Greedily pair the tokens of two names, best similarity and heaviest tokens first.

    A token of `a` that `known` says is an indexed word is taken as spelt right: no typo match.
    """
    wa = [weight(t) for t in a]
    wb = [weight(t) for t in b]
    options: list[tuple[float, float, int, int]] = []
    for i, ta in enumerate(a):
        typos = known is None or not known(ta)
        for j, tb in enumerate(b):
            sim = token_similarity(ta, tb, typos)
            if sim > 0.0:
                options.append((sim, min(wa[i], wb[j]), i, j))
    options.sort(key=lambda o: (-o[0], -o[1], o[2], o[3]))
    eff_a, eff_b = list(wa), list(wb)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    matched = 0.0
    for sim, shared, i, j in options:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, sim))
            eff_a[i] = eff_b[j] = shared
            matched += sim * shared
    for x, y, wx, wy, ex, ey, ux, uy, flip in (
        (a, b, wa, wb, eff_a, eff_b, used_a, used_b, False),
        (b, a, wb, wa, eff_b, eff_a, used_b, used_a, True),
    ):
        for i, tok in enumerate(x):
            for j in range(len(y) - 1):
                if i in ux or j in uy or j + 1 in uy or y[j] + y[j + 1] != tok:
                    continue
                shared = min(wx[i], max(wy[j], wy[j + 1]))
                ex[i], ey[j], ey[j + 1] = shared, shared, 0.0
                ux.add(i)
                uy.update((j, j + 1))
                pairs.append((j, i, 1.0) if flip else (i, j, 1.0))
                matched += shared
    return Alignment(
        matched=matched,
        weight_a=sum(eff_a),
        weight_b=sum(eff_b),
        unmatched_a=[i for i in range(len(a)) if i not in used_a],
        unmatched_b=[j for j in range(len(b)) if j not in used_b],
        pairs=pairs,
    )
