"""Grouping end-customer records (registrations, leads, house accounts) into companies with the
conflict-detection matcher: the same normalisation, index, candidate search and scores (pure, no I/O).

Two records are the same company when the matcher, checking one of them against all the others as
conflict detection checks a new registration, scores the other at or above `MATCH_THRESHOLD` (either
direction); a company is a connected group of such records. The search
itself is scored the same way: a group matches the searched company when one of its records does.
Word rarity comes from the registry's counters (every active registration and house account) plus
the candidates, so a word weighs what it weighs in conflict checks.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from opportunities.matching import MATCH_THRESHOLD, CompanyIndex, Query, name_score, normalise_name, search
from opportunities.matching.search import Row, rarity

Key = tuple[str, int]  # ("r", registration id) | ("l", lead id) | ("h", house account id)
REASON_LABELS = {"name": "name", "domain": "web domain", "vat": "VAT id", "acronym": "acronym",
                 "house_account": "house account"}


@dataclass(frozen=True)
class Record:
    """An end customer as one record names it."""

    key: Key
    name: str
    domain: str | None = None
    country: str | None = None
    vat: str | None = None
    city: str | None = None

    def query(self) -> Query:
        return Query.of(self.name, self.domain, self.country, self.vat, self.city)


@dataclass(frozen=True)
class Link:
    """Why a record belongs to its group: its score and reasons against the searched company (`via` None),
    or against the group member `via` that brought it in."""

    score: float
    reasons: tuple[str, ...]
    via: Key | None = None


@dataclass
class Group:
    """One company: its records, how each is linked, and how it compares with the search."""

    members: list[Record]
    links: dict[Key, Link] = field(default_factory=dict)
    score: float = 0.0  # against the search: the best match, or the best name similarity when none
    reasons: tuple[str, ...] = ()
    matched: bool = False  # the same company as the search (score >= MATCH_THRESHOLD)

    def keys(self, kind: str) -> list[int]:
        return [m.key[1] for m in self.members if m.key[0] == kind]


class CandidateStore:
    """The `MatchStore` of a customer search: the candidates in memory, word rarity from the registry too."""

    def __init__(self, index: CompanyIndex, background: Mapping[str, int], background_total: int) -> None:
        self.index, self.background, self.background_total = index, background, background_total

    def _df(self, local: Mapping[str, int], tokens: Iterable[str]) -> dict[str, int]:
        out = {}
        for t in tokens:
            n = local.get(t, 0) + self.background.get(t, 0)
            if n:
                out[t] = n
        return out

    def token_stats(self, tokens: Collection[str], country: str) -> tuple[int, dict[str, int], dict[str, int]]:
        total, local, sizes = self.index.token_stats(tokens, country)
        return total + self.background_total, self._df(local, tokens), sizes

    def similar_words(self, tokens: Collection[str], country: str) -> dict[str, dict[str, tuple[int, int]]]:
        found = self.index.similar_words(tokens, country)
        return {t: {w: (n + self.background.get(w, 0), size) for w, (n, size) in words.items()}
                for t, words in found.items()}

    def fetch(self, weighted: Mapping[str, float], first: str | None, limit: int, exact: Collection[str]) -> list[Row]:
        return self.index.fetch(weighted, first, limit, exact)

    def frequencies(self, tokens: Collection[str]) -> dict[str, int]:
        return self._df(self.index.frequencies(tokens), tokens)

    def acronym_compacts(self, key: str, limit: int) -> list[str] | None:
        return self.index.acronym_compacts(key, limit)

    def weight(self, token: str) -> float:
        """A word's rarity weight, as the scorer computes it."""
        total = len(self.index) + self.background_total
        return rarity(total, self.index.frequencies([token]).get(token, 0) + self.background.get(token, 0), token)


def words_of(records: Iterable[Record], *names: str) -> set[str]:
    """The normalised name words of the records and of `names` (to look up their registry counts)."""
    words = {t for r in records for t in normalise_name(r.name, r.city).tokens}
    for name in names:
        words.update(normalise_name(name).tokens)
    return words


def group_records(records: list[Record], name: str = "", domain: str | None = None, country: str | None = None,
                  background: Mapping[str, int] | None = None, background_total: int = 0) -> list[Group]:
    """Group the records into companies and score each group against the searched name or domain; matching
    groups first (best score first), then the others (by name similarity)."""
    index = CompanyIndex()
    for r in records:
        index.add(r.key, r.name, r.domain, r.country, r.vat, r.city)
    store = CandidateStore(index, background or {}, background_total)
    by_key = {r.key: r for r in records}
    edges: dict[Key, dict[Key, tuple[float, tuple[str, ...]]]] = {r.key: {} for r in records}
    for r in records:  # each record is checked as if it were new, as conflict detection checks a registration
        index.remove(r.key)
        for m in search(store, r.query()).matches:
            other: Hashable = m.record_id
            if other in by_key:
                _edge(edges, r.key, other, m.score, tuple(m.reasons))  # type: ignore[arg-type]
        index.add(r.key, r.name, r.domain, r.country, r.vat, r.city)
    direct = _query_matches(store, records, name, domain, country)
    groups = [_group(component, by_key, edges, direct) for component in _components(edges)]
    key_name = normalise_name(name) if name else None
    for g in groups:
        if g.matched or key_name is None:
            continue
        g.score = max((name_score(key_name, normalise_name(m.name, m.city), store.weight) for m in g.members),
                      default=0.0)
        g.reasons = (("same name, other country",) if g.score >= MATCH_THRESHOLD
                     else ("similar name",) if g.score > 0 else ())
    groups.sort(key=lambda g: (not g.matched, -round(g.score, 4), -len(g.members), min(m.key for m in g.members)))
    return groups


def _edge(edges: dict[Key, dict[Key, tuple[float, tuple[str, ...]]]], a: Key, b: Key, score: float,
          reasons: tuple[str, ...]) -> None:
    for x, y in ((a, b), (b, a)):
        if score > edges[x].get(y, (0.0, ()))[0]:
            edges[x][y] = (score, reasons)


def _query_matches(store: CandidateStore, records: list[Record], name: str, domain: str | None,
                   country: str | None) -> dict[Key, tuple[float, tuple[str, ...]]]:
    """The records denoting the searched company. A name without a country is tried in every candidate's
    country (names only match within a country, as in conflict checks)."""
    if name:
        countries = {country} if country else ({r.country or "" for r in records} or {""})
        queries = [Query.of(name, domain, c) for c in sorted(countries)]
    elif domain:
        queries = [Query.of("", domain, country)]
    else:
        return {}
    found: dict[Key, tuple[float, tuple[str, ...]]] = {}
    for q in queries:
        for m in search(store, q).matches:
            key: Key = m.record_id  # type: ignore[assignment]
            if m.score > found.get(key, (0.0, ()))[0]:
                found[key] = (m.score, tuple(m.reasons))
    return found


def _components(edges: Mapping[Key, Mapping[Key, object]]) -> list[list[Key]]:
    seen: set[Key] = set()
    out = []
    for start in sorted(edges):
        if start in seen:
            continue
        component, todo = [], [start]
        seen.add(start)
        while todo:
            key = todo.pop()
            component.append(key)
            for other in edges[key]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        out.append(sorted(component))
    return out


def _group(component: list[Key], by_key: Mapping[Key, Record], edges: Mapping[Key, Mapping[Key, tuple]],
           direct: Mapping[Key, tuple[float, tuple[str, ...]]]) -> Group:
    """Link every member: directly to the search when it matches, else through the member that reached it
    first (breadth first from the direct matches, or from the group's first record)."""
    group = Group([by_key[k] for k in component])
    seeds = [k for k in component if k in direct]
    for k in seeds:
        score, reasons = direct[k]
        group.links[k] = Link(score, reasons)
    if seeds:
        best = max(seeds, key=lambda k: direct[k][0])
        group.score, group.reasons, group.matched = direct[best][0], direct[best][1], direct[best][0] >= MATCH_THRESHOLD
    queue = deque(seeds or component[:1])
    if not seeds:
        group.links[component[0]] = Link(0.0, ())
    while queue:
        key = queue.popleft()
        for other, (score, reasons) in sorted(edges[key].items(), key=lambda e: -e[1][0]):
            if other not in group.links:
                group.links[other] = Link(score, reasons, key)
                queue.append(other)
    return group
