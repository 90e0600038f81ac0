"""In-memory index of companies with blocked candidate retrieval and conflict scoring."""

from __future__ import annotations

import gc
import heapq
import math
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
from .typos import TypoVocabulary
from .vocab import GENERIC_WORDS

#: Most postings visited per check for token blocking (keeps a check fast on any index size).
POSTING_BUDGET = 4000
#: Most name candidates scored per check.
MAX_NAME_CANDIDATES = 40
#: Weight factor of built-in generic words, so they weigh little even in a small index.
GENERIC_FACTOR = 0.5
#: Acronyms shared by more long names than this are never matched.
MAX_ACRONYM_POSTING = 20

# Row layout: one tuple per record, so the garbage collector can ignore the index.
_ID, _TOKENS, _COMPACT, _ACRONYM, _PLACE, _COUNTRY, _HOST, _DOMAIN, _VAT = range(9)
Row = tuple[str, tuple[str, ...], str, str, int, str, "str | None", "str | None", "str | None"]


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed record denoting the same company as the query."""

    record_id: str
    score: float
    reasons: list[str] = field(default_factory=list)


def _row_key(row: Row) -> NameKey:
    """Rebuild the NameKey of a stored row (the full name is not kept)."""
    base = " ".join(row[_TOKENS])
    return NameKey(base, row[_TOKENS], base, row[_COMPACT], row[_ACRONYM], (), row[_PLACE])


class CompanyIndex:
    """Companies indexed by name tokens, compact name, acronym, domain and VAT id.

    Name keys are scoped by country (a name match counts only in the same country; two records
    without a country count as the same); domain and VAT keys are global. A check visits a bounded
    number of postings, never the whole index. Not thread-safe: guard writes with a lock.
    """

    def __init__(self) -> None:
        """Create an empty index."""
        self._rows: list[Row | None] = []
        self._slot: dict[str, int] = {}
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
        record_id: str,
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
            if count == 0 and len(token) >= MIN_TYPO_LEN:
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

    def remove(self, record_id: str) -> bool:
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
        for token in set(row[_TOKENS]):
            self._df[token] -= 1
            if not self._df[token]:
                del self._df[token]
        return True

    @staticmethod
    def _keys_of(row: Row) -> list[str]:
        """Return the inverted-index keys of a record: name keys per country, domain and VAT keys global."""
        cc = row[_COUNTRY]
        keys = [f"t{cc}\t{token}" for token in set(row[_TOKENS])]
        if row[_COMPACT]:
            keys.append(f"c{cc}\t{row[_COMPACT]}")
        if row[_ACRONYM]:
            keys.append(f"a{cc}\t{row[_ACRONYM]}")
        if row[_HOST]:
            keys.append(f"d\t{row[_DOMAIN]}")
        if row[_VAT]:
            keys.append(f"v\t{row[_VAT]}")
        return keys

    def weight(self, token: str) -> float:
        """Return the 0..1 rarity weight of a word (normalised IDF from this index, lower for generic words)."""
        n = len(self._slot)
        idf = (math.log((n + 1) / (self._df.get(token, 0) + 1)) + 1.0) / (math.log(n + 1) + 1.0)
        return idf * GENERIC_FACTOR if token in GENERIC_WORDS else idf

    def _name_candidates(self, key: NameKey, cc: str) -> set[int]:
        """Collect likely name matches in a country from word, typo, compact-name and acronym postings."""
        if not key.compact:
            return set()
        lists: list[tuple[int, float, array[int]]] = []
        for token in set(key.tokens):
            posting = self._postings.get(f"t{cc}\t{token}")
            if posting:
                lists.append((len(posting), self.weight(token), posting))
            if len(token) >= MIN_TYPO_LEN and not token.isdigit() and token not in self._df:
                for similar in self._typos.similar(token, self._df):
                    posting = self._postings.get(f"t{cc}\t{similar}")
                    if posting:
                        lists.append((len(posting), 0.9 * self.weight(similar), posting))
        lists.sort(key=lambda item: item[0])  # rarest words first
        hits: dict[int, float] = {}
        visited = 0
        for size, weight, posting in lists:
            if visited and visited + size > POSTING_BUDGET:
                break
            visited += size
            new = dict.fromkeys(posting[:POSTING_BUDGET], weight)
            for slot in new.keys() & hits.keys():
                new[slot] += hits[slot]
            hits.update(new)
        if len(hits) > MAX_NAME_CANDIDATES:
            found = set(heapq.nlargest(MAX_NAME_CANDIDATES, hits, key=hits.__getitem__))
        else:
            found = set(hits)
        lookups = [f"c{cc}\t{key.compact}"]
        if len(key.tokens) == 1:
            lookups.append(f"a{cc}\t{key.compact}")
        if key.acronym:
            lookups.append(f"c{cc}\t{key.acronym}")
        for posting_key in lookups:
            found.update(self._postings.get(posting_key, ()))
        return found

    def _evidence_candidates(self, domain: str | None, vat: str | None) -> set[int]:
        """Collect records sharing the query's registrable domain or VAT id, in any country."""
        found: set[int] = set()
        if domain:
            found.update(self._postings.get(f"d\t{domain}", ()))
        if vat:
            found.update(self._postings.get(f"v\t{vat}", ()))
        return found

    def _acronym_evidence(self, query: NameKey, other: NameKey, cc: str) -> float:
        """Score an acronym match, but only if no other company in the country has those initials."""
        if not acronym_score(query, other):
            return 0.0
        acronym, long_form = (query.compact, other) if len(query.tokens) == 1 else (other.compact, query)
        posting = self._postings.get(f"a{cc}\t{acronym}", ())
        if len(posting) > MAX_ACRONYM_POSTING:
            return 0.0
        for slot in posting:
            row = self._rows[slot]
            if row is not None and row[_COMPACT] != long_form.compact:
                return 0.0
        return ACRONYM_SCORE

    def candidates(
        self,
        name: str,
        domain: str | None = None,
        country: str | None = None,
        vat: str | None = None,
        city: str | None = None,
    ) -> list[str]:
        """Return the ids of the records a check would score (a bounded set, never the whole index)."""
        host = normalise_domain(domain)
        slots = self._name_candidates(normalise_name(name, city), normalise_country(country))
        slots |= self._evidence_candidates(registrable_domain(host) if host else None, normalise_vat(vat))
        return [row[_ID] for s in slots if (row := self._rows[s]) is not None]

    def match(
        self,
        name: str,
        domain: str | None = None,
        country: str | None = None,
        vat: str | None = None,
        city: str | None = None,
    ) -> list[Match]:
        """Return the records denoting the same company, best first, scored at or above MATCH_THRESHOLD."""
        key = normalise_name(name, city)
        cc = normalise_country(country)
        host = normalise_domain(domain)
        reg = registrable_domain(host) if host else None
        nvat = normalise_vat(vat)
        by_name = self._name_candidates(key, cc)
        slots = by_name | self._evidence_candidates(reg, nvat)
        self.last_scored = len(slots)
        rows = [row for s in slots if (row := self._rows[s]) is not None]
        exact = any(row[_COMPACT] == key.compact and row[_COUNTRY] == cc for row in rows)
        matches = [m for row in rows if (m := self._score(row, key, cc, host, reg, nvat, exact)) is not None]
        matches.sort(key=lambda m: (-m.score, m.record_id))
        return matches

    def _score(
        self, row: Row, key: NameKey, cc: str, host: str | None, reg: str | None, vat: str | None, exact: bool
    ) -> Match | None:
        """Weigh the evidence that a record is the query's company; None when below the threshold."""
        evidence: dict[str, float] = {}
        if host and row[_HOST]:
            if row[_HOST] == host:
                evidence["domain"] = DOMAIN_HOST_SCORE
            elif row[_DOMAIN] == reg:
                evidence["domain"] = DOMAIN_REGISTRABLE_SCORE
        if vat and row[_VAT] == vat:
            evidence["vat"] = VAT_SCORE
        if row[_COUNTRY] == cc:
            other = _row_key(row)
            evidence["name"] = name_score(key, other, self.weight, self._df.__contains__)
            if not exact and evidence["name"] < MATCH_THRESHOLD:
                evidence["acronym"] = self._acronym_evidence(key, other, cc)
        strong = [reason for reason, score in evidence.items() if score >= MATCH_THRESHOLD]
        if not strong:
            return None
        score = min(1.0, max(evidence.values()) + 0.01 * (len(strong) - 1))
        return Match(row[_ID], round(score, 4), strong)
