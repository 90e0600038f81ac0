"""The database registry as a `MatchStore`: every read of a conflict search is one indexed query.

On PostgreSQL a search is one round trip (`begin` calls the function `registry_search`: counts,
typo words, chosen postings, candidates with their owners, the candidates' word frequencies); the
candidates are read again (`registry_fetch`) only if the search's own choice of postings differs,
and a rare acronym check adds one. Elsewhere (SQLite) the reads are separate SQLAlchemy Core
queries: 2 or 3, plus 2 for typos. Records are identified as ("r", registration id) or ("h", house account id); `owners` keeps
what conflict checks need to know about them (status, protection, families, partner).
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, case, func, literal, select, union

from opportunities.matching.search import (
    GENERIC_FACTOR, MAX_NAME_CANDIDATES, POSTING_BUDGET, TYPO_WEIGHT, Row, token_key, typo_candidate,
)
from opportunities.matching.similarity import within_one_edit
from opportunities.matching.typos import deletions
from opportunities.matching.vocab import GENERIC_WORDS
from opportunities.registrations.models import HouseAccount, Registration
from opportunities.registry.models import RegistryCount, RegistryEntry, RegistryKey, RegistryTypo
from opportunities.registry.store_sql import PG
from portal.extensions import db

TOTAL_KEY = "#"
E = RegistryEntry.__table__.c
K = RegistryKey.__table__.c
C = RegistryCount.__table__.c
T = RegistryTypo.__table__.c
R = Registration.__table__.c
H = HouseAccount.__table__.c
def _deletion_map(words: Iterable[str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for word in words:
        for variant in {word, *deletions(word)}:
            found.setdefault(variant, set()).add(word)
    return {variant: frozenset(ws) for variant, ws in found.items()}


_GENERIC_BY_VARIANT = _deletion_map(GENERIC_WORDS)


def generic_typos(tokens: Iterable[str]) -> list[str]:
    """The generic words one typo away from the tokens (their weight is lowered; the database search needs them)."""
    found = set()
    for token in tokens:
        for variant in {token, *deletions(token)}:
            for word in _GENERIC_BY_VARIANT.get(variant, ()):
                if word != token and word[0] == token[0] and within_one_edit(word, token):
                    found.add(word)
    return sorted(found)


def word_key(token: str) -> str:
    """Return the counter key of a word's document frequency."""
    return f"w\t{token}"


@dataclass(frozen=True, slots=True)
class Owner:
    """What a conflict check needs to know about an indexed registration or house account."""

    kind: str  # "r" or "h"
    id: int
    partner_id: int | None = None
    status: str | None = None
    protected_until: date | None = None
    families: tuple[str, ...] = ()
    external_ref: str | None = None
    active: bool = True

    def covers(self, families: Collection[str]) -> bool:
        """Whether its families overlap `families` (empty on either side: every family)."""
        return not self.families or not families or bool(set(self.families) & set(families))


class SqlStore:
    """Answers a conflict search from the registry tables, on the session's connection."""

    def __init__(self) -> None:
        """Bind to the current session (pending changes are flushed first)."""
        session = db.session()
        session.flush()
        self._conn = session.connection()
        self._pg = self._conn.dialect.name == "postgresql"
        # PostgreSQL: fixed statements straight on the driver's connection (same transaction), skipping
        # SQLAlchemy's per-statement work; the driver prepares them after a few uses.
        self._driver = self._conn.connection.driver_connection if self._pg else None
        self.round_trips = 0
        self.owners: dict[tuple[str, int], Owner] = {}
        self._typos: list[tuple[str, str, int, int]] | None = None  # (variant, word, frequency, posting size)
        self._frequencies: dict[str, int] | None = None  # of the candidates' words, fetched with them
        self._stats: tuple[int, dict[str, int], dict[str, int]] | None = None  # read by `begin`
        self._prefetched: tuple[frozenset[str], str | None, tuple[str, ...], list[Any]] | None = None
        self._acronyms: dict[tuple[str, int], list[str] | None] = {}

    def _pg_rows(self, name: str, params: dict[str, Any]) -> list[Any]:
        self.round_trips += 1
        with self._driver.cursor() as cursor:
            cursor.execute(PG[name], params)
            return cursor.fetchall()

    def _counts(self, keys: Iterable[str]) -> dict[str, int]:
        """Return the positive counters among `keys`."""
        keys = list(keys)
        if self._pg:
            return dict(self._pg_rows("counts", {"keys": keys}))
        self.round_trips += 1
        return dict(self._conn.execute(select(C.key, C.n).where(C.key.in_(keys), C.n > 0)).all())

    def begin(self, tokens: Collection[str], country: str, exact: Collection[str]) -> None:
        """PostgreSQL: read the whole search in one round trip; the later reads are answered from it (the
        candidates only if the postings chosen here are the ones `search` chooses, i.e. without typo words)."""
        if not self._pg:
            return
        ordered = sorted(tokens)
        typo_tokens = [t for t in ordered if typo_candidate(t)]
        params = {"tokens": ordered, "generic": [t in GENERIC_WORDS for t in ordered], "country": country,
                  "generic_factor": GENERIC_FACTOR, "budget": POSTING_BUDGET, "limit": MAX_NAME_CANDIDATES,
                  "exact": list(exact), "typo_tokens": typo_tokens, "typo_weight": TYPO_WEIGHT,
                  "generic_typos": generic_typos(typo_tokens)}
        rows, self._typos, stats = self._read(self._pg_rows("search", params))
        self._stats = (stats.get("total") or 0, stats.get("df") or {}, stats.get("size") or {})
        self._frequencies = {key[2:]: n for key, n in (stats.get("freqs") or {}).items()}
        self._prefetched = (frozenset(stats.get("pick") or ()), stats.get("big"), tuple(exact), rows)

    @staticmethod
    def _read(rows: list[Any]) -> tuple[list[list[Any]], list[tuple[str, str, int, int]], dict[str, Any]]:
        """Split the rows of registry_search / registry_fetch: candidates, typo candidates, stats."""
        candidates, typos, stats = [], [], {}
        for kind, payload in rows:
            value = json.loads(payload)
            if kind == 0:
                value[12] = date.fromisoformat(value[12]) if value[12] else None
                candidates.append(value)
            elif kind == 1:
                typos.append(tuple(value))
            else:
                stats = value
        return candidates, typos, stats

    def token_stats(self, tokens: Collection[str], country: str) -> tuple[int, dict[str, int], dict[str, int]]:
        """Return the entry count, the words' frequencies and their posting sizes in a country, in one query
        (on PostgreSQL with the typo candidates of the long words, for `similar_words`)."""
        keys = {TOTAL_KEY: ("#", "")}
        for token in tokens:
            keys[word_key(token)] = ("w", token)
            keys[token_key(country, token)] = ("t", token)
        if self._stats is not None:
            total, df, sizes = self._stats
            return total, {t: df[t] for t in tokens if t in df}, {t: sizes[t] for t in tokens if t in sizes}
        counts: dict[str, int] = {}
        if self._pg:
            self._typos = []  # the words one typo away from the query's unknown long words, found server-side
            typo_tokens = sorted(t for t in tokens if typo_candidate(t))
            for kind, key, n, word, size in self._pg_rows("stats", {"keys": list(keys), "country": country,
                                                                     "typo_tokens": typo_tokens}):
                if kind == 0:
                    counts[key] = n
                else:
                    self._typos.append((key, word, n, size or 0))
        else:
            counts = self._counts(keys)
        df: dict[str, int] = {}
        sizes: dict[str, int] = {}
        total = 0
        for key, n in counts.items():
            kind, token = keys[key]
            if kind == "#":
                total = n
            elif kind == "w":
                df[token] = n
            else:
                sizes[token] = n
        return total, df, sizes

    def similar_words(self, tokens: Collection[str], country: str) -> dict[str, dict[str, tuple[int, int]]]:
        """Return the live words one typo away from each token (same first letter), with their counts."""
        by_variant: dict[str, set[str]] = {}
        for token in tokens:
            for variant in {token, *deletions(token)}:
                by_variant.setdefault(variant, set()).add(token)
        if self._typos is not None:  # fetched with the token stats (PostgreSQL), counts included
            rows = [(variant, word) for variant, word, _, _ in self._typos if variant in by_variant]
            counts = {}
            for _, word, n, size in self._typos:
                counts[word_key(word)], counts[token_key(country, word)] = n, size
        else:
            self.round_trips += 1
            rows = self._conn.execute(select(T.variant, T.word).where(T.variant.in_(list(by_variant)))).all()
            counts = None
        pairs: dict[str, set[str]] = {token: set() for token in tokens}
        for variant, word in rows:
            for token in by_variant[variant]:
                if word != token and word[0] == token[0] and within_one_edit(word, token):
                    pairs[token].add(word)
        words = {w for found in pairs.values() for w in found}
        if counts is None:
            counts = self._counts([word_key(w) for w in words] + [token_key(country, w) for w in words]) if words else {}
        return {token: {w: (counts[word_key(w)], counts.get(token_key(country, w), 0))
                        for w in found if counts.get(word_key(w))}
                for token, found in pairs.items()}

    def fetch(self, weighted: Mapping[str, float], first: str | None, limit: int, exact: Collection[str]) -> list[Row]:
        """Return the rows of the best-weighted entries plus those of the exact postings, in one query."""
        if self._prefetched is not None:
            pick, big, prefetched_exact, prefetched = self._prefetched
            if first == big and frozenset(weighted) == pick and tuple(exact) == prefetched_exact \
                    and limit == MAX_NAME_CANDIDATES:
                return [self._row(r) for r in prefetched]
        if self._pg:
            candidates, _, stats = self._read(self._pg_rows("fetch", {
                "keys": list(weighted), "weights": list(weighted.values()), "first": first, "limit": limit,
                "exact": list(exact)}))
            self._frequencies = {key[2:]: n for key, n in (stats.get("freqs") or {}).items()}
            return [self._row(r) for r in candidates]
        else:
            self.round_trips += 1
            rows = self._conn.execute(self._core_fetch(weighted, first, limit, exact)).all()
        return [self._row(r) for r in rows]

    @staticmethod
    def _core_fetch(weighted: Mapping[str, float], first: str | None, limit: int, exact: Collection[str]) -> Any:
        parts = []
        if first is not None:
            top = select(K.entry_id).where(K.key == first).order_by(K.entry_id).limit(limit).subquery()
            parts.append(select(top.c.entry_id))
        elif weighted:
            weight = case({key: literal(w, Float) for key, w in weighted.items()}, value=K.key, else_=0.0)
            top = (select(K.entry_id).where(K.key.in_(list(weighted))).group_by(K.entry_id)
                   .order_by(func.sum(weight).desc(), K.entry_id).limit(limit).subquery())
            parts.append(select(top.c.entry_id))
        if exact:
            parts.append(select(K.entry_id).where(K.key.in_(list(exact))))
        ids = parts[0] if len(parts) == 1 else select(union(*parts).subquery().c.entry_id)
        return (select(E.registration_id, E.house_account_id, E.tokens, E.compact, E.acronym, E.place_tail,
                       E.country, E.host, E.domain, E.vat, R.partner_id, R.status, R.protected_until, R.families,
                       R.external_ref, H.active)
                .select_from(RegistryEntry.__table__.outerjoin(Registration.__table__, R.id == E.registration_id)
                             .outerjoin(HouseAccount.__table__, H.id == E.house_account_id))
                .where(E.id.in_(ids)))

    def _row(self, r: Any) -> Row:
        """The search row of a result row; its owner is remembered in `owners`."""
        if r[0] is not None:
            owner = Owner("r", r[0], r[10], r[11], r[12], tuple(r[13] or ()), r[14])
        else:
            owner = Owner("h", r[1], active=bool(r[15]))
        key = (owner.kind, owner.id)
        self.owners[key] = owner
        tokens = tuple(r[2].split(" ")) if r[2] else ()
        return (key, tokens, r[3], r[4], r[5], r[6], r[7], r[8], r[9])

    def frequencies(self, tokens: Collection[str]) -> dict[str, int]:
        """Return the document frequency of each known word."""
        if self._frequencies is not None:  # fetched with the candidates (PostgreSQL): all their words are there
            return {t: self._frequencies[t] for t in tokens if t in self._frequencies}
        return {key[2:]: n for key, n in self._counts(word_key(t) for t in tokens).items()}

    def acronym_compacts(self, key: str, limit: int) -> list[str] | None:
        """Return the compact names in an acronym posting, or None when it is longer than `limit` (read once
        per search: several candidates may ask for the same acronym)."""
        if (key, limit) not in self._acronyms:
            self._acronyms[(key, limit)] = self._read_acronym(key, limit)
        return self._acronyms[(key, limit)]

    def _read_acronym(self, key: str, limit: int) -> list[str] | None:
        if self._pg:
            compacts = [r[0] for r in self._pg_rows("acronym", {"key": key, "limit": limit + 1})]
        else:
            self.round_trips += 1
            stmt = select(E.compact).join_from(RegistryKey, RegistryEntry, K.entry_id == E.id).where(
                K.key == key).limit(limit + 1)
            compacts = list(self._conn.execute(stmt).scalars())
        return None if len(compacts) > limit else compacts
