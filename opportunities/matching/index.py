"""In-memory index of companies: the `MatchStore` of the pure module, for tests and benchmarks."""

from __future__ import annotations

import gc
import heapq
import sys
from array import array
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence

from .domains import normalise_country, normalise_domain, normalise_vat, registrable_domain
from .normalise import normalise_name
from .search import (
    COMPACT,
    MAX_ACRONYM_POSTING,
    MAX_NAME_CANDIDATES,
    POSTING_BUDGET,
    TOKENS,
    Match,
    Query,
    Row,
    rarity,
    record_keys,
    search,
    token_key,
    typo_candidate,
)
from .typos import TypoVocabulary

__all__ = ["MAX_ACRONYM_POSTING", "MAX_NAME_CANDIDATES", "POSTING_BUDGET", "CompanyIndex", "Match"]


class CompanyIndex:
    """Companies indexed by name tokens, compact name, acronym, domain and VAT id.

    Name keys are scoped by country (a name match counts only in the same country; two records
    without a country count as the same); domain and VAT keys are global. A check visits a bounded
    number of postings, never the whole index. Not thread-safe: guard writes with a lock.
    """

    def __init__(self) -> None:
        """Create an empty index."""
        self._rows: list[Row | None] = []
        self._slot: dict[Hashable, int] = {}
        self._postings: dict[str, array[int]] = {}
        self._df: dict[str, int] = {}
        self._typos = TypoVocabulary()
        self._free: list[int] = []  # slots of removed records, reused by add()
        self.last_scored = 0  # records scored by the latest match(), for tests and tuning

    def __len__(self) -> int:
        """Return the number of records."""
        return len(self._slot)

    def __contains__(self, record_id: object) -> bool:
        """Tell whether a record id is indexed."""
        return record_id in self._slot

    def add(
        self,
        record_id: Hashable,
        name: str,
        domain: str | None = None,
        country: str | None = None,
        vat: str | None = None,
        city: str | None = None,
    ) -> None:
        """Index one record, replacing any record with the same id."""
        if record_id in self._slot:
            self.remove(record_id)
        key = normalise_name(name, city)
        host = normalise_domain(domain)
        tokens = tuple(sys.intern(t) for t in key.tokens)
        row: Row = (
            record_id, tokens, key.compact, key.acronym, key.place_tail, sys.intern(normalise_country(country)),
            host, registrable_domain(host) if host else None, normalise_vat(vat),
        )
        if self._free:
            slot = self._free.pop()
            self._rows[slot] = row
        else:
            slot = len(self._rows)
            self._rows.append(row)
        self._slot[record_id] = slot
        for posting_key in self._keys_of(row):
            posting = self._postings.get(posting_key)
            if posting is None:
                self._postings[posting_key] = array("i", (slot,))
            else:
                posting.append(slot)
        for token in set(tokens):
            count = self._df.get(token, 0)
            self._df[token] = count + 1
            if count == 0 and typo_candidate(token):
                self._typos.add(token)

    def add_many(self, records: Iterable[Sequence[str | None]]) -> None:
        """Index many (record_id, name, domain, country, vat[, city]) tuples, pausing the garbage collector."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            for record in records:
                self.add(*record)  # type: ignore[arg-type]
        finally:
            if enabled:
                gc.enable()

    def remove(self, record_id: Hashable) -> bool:
        """Remove a record; tell whether it was present."""
        slot = self._slot.pop(record_id, None)
        if slot is None:
            return False
        row = self._rows[slot]
        assert row is not None
        self._rows[slot] = None
        self._free.append(slot)
        for posting_key in self._keys_of(row):
            posting = self._postings.get(posting_key)
            if posting is not None and slot in posting:
                posting.remove(slot)
                if not posting:
                    del self._postings[posting_key]
        for token in set(row[TOKENS]):
            self._df[token] -= 1
            if not self._df[token]:
                del self._df[token]
        return True

    @staticmethod
    def _keys_of(row: Row) -> list[str]:
        """Return the inverted-index keys of a stored row."""
        return record_keys(row[TOKENS], row[COMPACT], row[3], row[5], row[7], row[8])

    def weight(self, token: str) -> float:
        """Return the 0..1 rarity weight of a word (normalised IDF from this index, lower for generic words)."""
        return rarity(len(self._slot), self._df.get(token, 0), token)

    # --- MatchStore ------------------------------------------------------------------------------------------

    def token_stats(self, tokens: Collection[str], country: str) -> tuple[int, dict[str, int], dict[str, int]]:
        """Return the record count, known words' frequencies and their posting sizes in a country."""
        df = {t: n for t in tokens if (n := self._df.get(t))}
        sizes = {t: len(p) for t in tokens if (p := self._postings.get(token_key(country, t)))}
        return len(self._slot), df, sizes

    def similar_words(self, tokens: Collection[str], country: str) -> dict[str, dict[str, tuple[int, int]]]:
        """Return the live words one typo away from each token, with frequency and posting size."""
        found: dict[str, dict[str, tuple[int, int]]] = {}
        for token in tokens:
            words = self._typos.similar(token, self._df)
            found[token] = {w: (self._df[w], len(self._postings.get(token_key(country, w), ()))) for w in words}
        return found

    def fetch(self, weighted: Mapping[str, float], first: str | None, limit: int, exact: Collection[str]) -> list[Row]:
        """Return the rows of the best-weighted records plus those of the exact postings."""
        if first is not None:
            found = set(self._postings.get(first, array("i"))[:limit])
        else:
            hits: dict[int, float] = {}
            for posting_key, weight in weighted.items():
                new = dict.fromkeys(self._postings.get(posting_key, ()), weight)
                for slot in new.keys() & hits.keys():
                    new[slot] += hits[slot]
                hits.update(new)
            found = set(heapq.nlargest(limit, hits, key=hits.__getitem__)) if len(hits) > limit else set(hits)
        for posting_key in exact:
            found.update(self._postings.get(posting_key, ()))
        return [row for s in found if (row := self._rows[s]) is not None]

    def frequencies(self, tokens: Collection[str]) -> dict[str, int]:
        """Return the document frequency of each known word."""
        return {t: n for t in tokens if (n := self._df.get(t))}

    def acronym_compacts(self, key: str, limit: int) -> list[str] | None:
        """Return the compact names in an acronym posting, or None when it is longer than `limit`."""
        posting = self._postings.get(key, ())
        if len(posting) > limit:
            return None
        return [row[COMPACT] for s in posting if (row := self._rows[s]) is not None]

    # --- checks ----------------------------------------------------------------------------------------------

    def candidates(
        self,
        name: str,
        domain: str | None = None,
        country: str | None = None,
        vat: str | None = None,
        city: str | None = None,
    ) -> list[Hashable]:
        """Return the ids of the records a check would score (a bounded set, never the whole index)."""
        return search(self, Query.of(name, domain, country, vat, city)).candidates

    def match(
        self,
        name: str,
        domain: str | None = None,
        country: str | None = None,
        vat: str | None = None,
        city: str | None = None,
    ) -> list[Match]:
        """Return the records denoting the same company, best first, scored at or above MATCH_THRESHOLD."""
        result = search(self, Query.of(name, domain, country, vat, city))
        self.last_scored = result.scored
        return result.matches
