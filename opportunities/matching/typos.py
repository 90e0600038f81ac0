"""Typo look-up over an index vocabulary with one-deletion neighbourhoods (SymSpell style)."""

from __future__ import annotations

from collections.abc import Container

from .similarity import within_one_edit


def deletions(token: str) -> list[str]:
    """Return the token with each single character deleted."""
    return [token[:i] + token[i + 1:] for i in range(len(token))]


class TypoVocabulary:
    """Words reachable from their one-deletion variants, to find words one typo away without a scan."""

    def __init__(self) -> None:
        """Create an empty vocabulary."""
        self._variants: dict[str, str | tuple[str, ...]] = {}

    def add(self, word: str) -> None:
        """Register a word and its one-deletion variants (words are never unregistered)."""
        for variant in [word, *deletions(word)]:
            known = self._variants.get(variant)
            if known is None:
                self._variants[variant] = word
            elif isinstance(known, str):
                if known != word:
                    self._variants[variant] = (known, word)
            elif word not in known:
                self._variants[variant] = (*known, word)

    def similar(self, token: str, live: Container[str]) -> set[str]:
        """Return the live words one typo away from the token with the same first letter (itself excluded)."""
        found: set[str] = set()
        for variant in [token, *deletions(token)]:
            known = self._variants.get(variant)
            if known is None:
                continue
            for word in (known,) if isinstance(known, str) else known:
                if word != token and word[0] == token[0] and word in live and within_one_edit(word, token):
                    found.add(word)
        return found
