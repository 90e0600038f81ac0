"""Conflict search over any record store: blocked candidate retrieval, then scoring with reasons.

The algorithm is written once against `MatchStore`, a few batch reads that an in-memory index
(`CompanyIndex`) and the database registry (`opportunities.registry.index`) both answer, so the
product's check and the measured module give the same matches.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .domains import normalise_country, normalise_domain, normalise_vat, registrable_domain
from .normalise import NameKey, normalise_name
from .scoring import (
    ACRONYM_SCORE,
    DOMAIN_HOST_SCORE,
    DOMAIN_REGISTRABLE_SCORE,
    MATCH_THRESHOLD,
    VAT_SCORE,
    acronym_score,
    name_score,
)
from .similarity import MIN_TYPO_LEN
from .vocab import GENERIC_WORDS

#: Most postings visited per check for token blocking (keeps a check fast on any index size).
POSTING_BUDGET = 1000
#: Most name candidates scored per check.
MAX_NAME_CANDIDATES = 20
#: Weight factor of built-in generic words, so they weigh little even in a small index.
GENERIC_FACTOR = 0.5
#: Acronyms shared by more long names than this are never matched.
MAX_ACRONYM_POSTING = 20
#: Longest word looked up or registered for typos (longer words are compared exactly).
MAX_TYPO_LEN = 40
#: Weight factor of a word reached through a typo of the query's word.
TYPO_WEIGHT = 0.9

# Row layout: one plain tuple per record.
ID, TOKENS, COMPACT, ACRONYM, PLACE, COUNTRY, HOST, DOMAIN, VAT = range(9)
Row = tuple[Hashable, tuple[str, ...], str, str, int, str, "str | None", "str | None", "str | None"]


@dataclass(frozen=True, slots=True)
class Match:
    """A stored record denoting the same company as the query."""

    record_id: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Query:
    """A company to check, normalised once."""

    key: NameKey
    country: str
    host: str | None
    domain: str | None
    vat: str | None

    @classmethod
    def of(cls, name: str, domain: str | None = None, country: str | None = None, vat: str | None = None,
           city: str | None = None) -> Query:
        """Normalise the raw fields of a company."""
        host = normalise_domain(domain)
        return cls(normalise_name(name, city), normalise_country(country), host,
                   registrable_domain(host) if host else None, normalise_vat(vat))


class MatchStore(Protocol):
    """The batch reads a conflict search needs; keys are those of `record_keys`.

    A store may also have `begin(tokens, country, exact)`, called first: a chance to read everything the
    search will ask for in one go (the database registry does, in one round trip).
    """

    def token_stats(self, tokens: Collection[str], country: str) -> tuple[int, dict[str, int], dict[str, int]]:
        """Return (records in the store, document frequency per known word, posting size per word in the country)."""

    def similar_words(self, tokens: Collection[str], country: str) -> dict[str, dict[str, tuple[int, int]]]:
        """Return, per token, the live words one typo away with their (frequency, posting size in the country)."""

    def fetch(self, weighted: Mapping[str, float], first: str | None, limit: int, exact: Collection[str]) -> list[Row]:
        """Return the rows of the `limit` best-weighted records of the weighted postings (or the first `limit`
        of posting `first`), plus every record of the `exact` postings."""

    def frequencies(self, tokens: Collection[str]) -> dict[str, int]:
        """Return the document frequency of each known word."""

    def acronym_compacts(self, key: str, limit: int) -> list[str] | None:
        """Return the compact names of the records in an acronym posting, or None when it has more than `limit`."""


def record_keys(tokens: Collection[str], compact: str, acronym: str, country: str, domain: str | None,
                vat: str | None) -> list[str]:
    """Return the inverted-index keys of a record: name keys per country, domain and VAT keys global."""
    keys = [token_key(country, token) for token in set(tokens)]
    if compact:
        keys.append(f"c{country}\t{compact}")
    if acronym:
        keys.append(f"a{country}\t{acronym}")
    if domain:
        keys.append(f"d\t{domain}")
    if vat:
        keys.append(f"v\t{vat}")
    return keys


def token_key(country: str, token: str) -> str:
    """Return the posting key of a name word in a country."""
    return f"t{country}\t{token}"


def typo_candidate(token: str) -> bool:
    """Tell whether a word is long enough, and not a number, to be looked up or registered for typos."""
    return MIN_TYPO_LEN <= len(token) <= MAX_TYPO_LEN and not token.isdigit()


def rarity(total: int, frequency: int, token: str) -> float:
    """Return the 0..1 weight of a word: normalised IDF over the store, lower for generic words."""
    idf = (math.log((total + 1) / (frequency + 1)) + 1.0) / (math.log(total + 1) + 1.0)
    return idf * GENERIC_FACTOR if token in GENERIC_WORDS else idf


@dataclass(slots=True)
class SearchResult:
    """The matches of a search and how many records it scored."""

    matches: list[Match]
    candidates: list[Hashable]  # ids of the records scored

    @property
    def scored(self) -> int:
        """Return how many records the search scored."""
        return len(self.candidates)


def exact_keys(query: Query) -> list[str]:
    """Return the postings every record of which is a candidate: same compact name, acronym, domain or VAT id."""
    key, cc = query.key, query.country
    exact: list[str] = []
    if key.compact:
        exact.append(f"c{cc}\t{key.compact}")
        if len(key.tokens) == 1:
            exact.append(f"a{cc}\t{key.compact}")
        if key.acronym:
            exact.append(f"c{cc}\t{key.acronym}")
    if query.domain:
        exact.append(f"d\t{query.domain}")
    if query.vat:
        exact.append(f"v\t{query.vat}")
    return exact


def select_postings(lists: list[tuple[int, float, str]]) -> tuple[dict[str, float], str | None]:
    """Choose the (size, weight, key) postings to visit: rarest first within POSTING_BUDGET; one huge posting alone."""
    weighted: dict[str, float] = {}
    visited = 0
    for size, weight, posting_key in sorted(lists, key=lambda item: (item[0], item[2])):  # rarest words first
        if visited and visited + size > POSTING_BUDGET:
            break
        if not visited and size > POSTING_BUDGET:
            return {}, posting_key  # one huge posting: its first records only
        visited += size
        weighted[posting_key] = weighted.get(posting_key, 0.0) + weight
    return weighted, None


def search(store: MatchStore, query: Query) -> SearchResult:
    """Find the records denoting the query's company, best first, scored at or above MATCH_THRESHOLD."""
    key, cc = query.key, query.country
    tokens = set(key.tokens)
    exact = exact_keys(query)
    begin = getattr(store, "begin", None)  # optional: a store may read everything it can in one round trip
    if begin is not None and key.compact:
        begin(tokens, cc, exact)
    total, df, sizes = store.token_stats(tokens, cc) if key.compact else (0, {}, {})
    lists: list[tuple[int, float, str]] = []
    for token in tokens:
        if token in sizes:
            lists.append((sizes[token], rarity(total, df.get(token, 0), token), token_key(cc, token)))
    unknown = [t for t in tokens if t not in df and typo_candidate(t)]
    if unknown:
        for words in store.similar_words(unknown, cc).values():
            for word, (freq, size) in words.items():
                df.setdefault(word, freq)
                if size:
                    lists.append((size, TYPO_WEIGHT * rarity(total, freq, word), token_key(cc, word)))
    weighted, first = select_postings(lists)
    if not (weighted or first or exact):
        return SearchResult([], [])
    rows = store.fetch(weighted, first, MAX_NAME_CANDIDATES, exact)
    missing = {t for row in rows if row[COUNTRY] == cc for t in row[TOKENS] if t not in df}
    if missing:
        df.update(store.frequencies(missing))
        if not total:
            total = store.token_stats((), cc)[0]
    scorer = _Scorer(store, query, total, df, rows)
    matches = [m for row in rows if (m := scorer.score(row)) is not None]
    matches.sort(key=lambda m: (-m.score, str(m.record_id)))
    return SearchResult(matches, [row[ID] for row in rows])


class _Scorer:
    """Weighs the evidence that a candidate row is the query's company."""

    def __init__(self, store: MatchStore, query: Query, total: int, df: dict[str, int], rows: list[Row]) -> None:
        self.store, self.query, self.total, self.df = store, query, total, df
        # A short query ("BMW") that is some record's whole name is not read as initials; a long query that has an
        # exact twin still finds the records registered under its initials (the uniqueness rule guards those).
        self.exact = len(query.key.tokens) == 1 and any(
            row[COMPACT] == query.key.compact and row[COUNTRY] == query.country for row in rows)
        self.known = {t for t in query.key.tokens if df.get(t, 0) > 0}
        self.weights: dict[str, float] = {}

    def weight(self, token: str) -> float:
        """Return the rarity weight of a word (computed once per search)."""
        found = self.weights.get(token)
        if found is None:
            found = self.weights[token] = rarity(self.total, self.df.get(token, 0), token)
        return found

    def score(self, row: Row) -> Match | None:
        """Return the match of a row, or None when below the threshold."""
        q = self.query
        evidence: dict[str, float] = {}
        if q.host and row[HOST]:
            if row[HOST] == q.host:
                evidence["domain"] = DOMAIN_HOST_SCORE
            elif row[DOMAIN] == q.domain:
                evidence["domain"] = DOMAIN_REGISTRABLE_SCORE
        if q.vat and row[VAT] == q.vat:
            evidence["vat"] = VAT_SCORE
        if row[COUNTRY] == q.country:
            other = row_key(row)
            evidence["name"] = name_score(q.key, other, self.weight, self.known.__contains__)
            if not self.exact and evidence["name"] < MATCH_THRESHOLD:
                evidence["acronym"] = self._acronym(other)
        strong = [reason for reason, score in evidence.items() if score >= MATCH_THRESHOLD]
        if not strong:
            return None
        score = min(1.0, max(evidence.values()) + 0.01 * (len(strong) - 1))
        return Match(row[ID], round(score, 4), strong)

    def _acronym(self, other: NameKey) -> float:
        """Score an acronym match, but only if no other company in the country has those initials."""
        query = self.query.key
        if not acronym_score(query, other):
            return 0.0
        acronym, long_form = (query.compact, other) if len(query.tokens) == 1 else (other.compact, query)
        compacts = self.store.acronym_compacts(f"a{self.query.country}\t{acronym}", MAX_ACRONYM_POSTING)
        if compacts is None or any(c != long_form.compact for c in compacts):
            return 0.0
        return ACRONYM_SCORE


def row_key(row: Row) -> NameKey:
    """Rebuild the NameKey of a stored row (the full name is not kept)."""
    base = " ".join(row[TOKENS])
    return NameKey(base, row[TOKENS], base, row[COMPACT], row[ACRONYM], (), row[PLACE])
