"""Keeping the registry index in step with active registrations and house accounts, and searching it.

Every change to the index (and every event appended to the log) happens under `registry_lock()`:
on PostgreSQL a transaction-level advisory lock, so two registrations of the same customer at the
same moment are checked one after the other and exactly one of them is first.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, text, update

from opportunities.matching import Query, normalise_country, normalise_domain, normalise_name, normalise_vat
from opportunities.matching import record_keys, registrable_domain, search, token_key, typo_candidate
from opportunities.matching.typos import deletions
from opportunities.registrations.models import ACTIVE_STATUSES, HouseAccount, Registration
from opportunities.registry.models import RegistryCount, RegistryEntry, RegistryKey, RegistryTypo
from opportunities.registry import bulk
from opportunities.registry.store import TOTAL_KEY, Owner, SqlStore, word_key
from portal.extensions import db

LOCK_ID = 604_201_706  # the registry's advisory lock (any constant unique to this use)
MAX_WORD, MAX_TOKENS, MAX_COMPACT, MAX_ACRONYM = 100, 600, 440, 60  # column sizes of registry_entries


def registry_lock() -> None:
    """Serialise registry changes until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})


@dataclass(frozen=True)
class Company:
    """The fields of an end customer that matching reads."""

    name: str
    domain: str | None = None
    country: str | None = None
    vat: str | None = None
    city: str | None = None

    @classmethod
    def of_registration(cls, reg: Registration) -> Company:
        return cls(reg.customer_name, reg.customer_domain, reg.customer_country, reg.customer_vat, reg.customer_city)

    @classmethod
    def of_house_account(cls, account: HouseAccount) -> Company:
        return cls(account.name, account.domain, account.country, account.vat_id, account.city)


def entry_values(company: Company) -> dict[str, Any]:
    """Return the normalised columns of a registry entry for a company (absurdly long names are cut to fit)."""
    key = normalise_name(company.name, company.city)
    host = normalise_domain(company.domain)
    tokens = [t[:MAX_WORD] for t in key.tokens]
    while len(" ".join(tokens)) > MAX_TOKENS:
        tokens.pop()
    return {"tokens": " ".join(tokens), "compact": key.compact[:MAX_COMPACT], "acronym": key.acronym[:MAX_ACRONYM],
            "place_tail": key.place_tail, "country": normalise_country(company.country), "host": host,
            "domain": registrable_domain(host) if host else None, "vat": normalise_vat(company.vat)}


def _counter_keys(values: dict[str, Any]) -> list[str]:
    """Return the counters an entry adds one to: the entry count, its words, its word postings."""
    tokens = set(values["tokens"].split(" ")) if values["tokens"] else set()
    return [TOTAL_KEY, *(word_key(t) for t in tokens), *(token_key(values["country"], t) for t in tokens)]


def _posting_keys(values: dict[str, Any]) -> list[str]:
    tokens = values["tokens"].split(" ") if values["tokens"] else []
    return record_keys(tokens, values["compact"], values["acronym"], values["country"], values["domain"],
                       values["vat"])


def _subtract_counts(counts: Counter[str]) -> None:
    table = RegistryCount.__table__
    by_amount: dict[int, list[str]] = {}
    for key, n in counts.items():
        by_amount.setdefault(n, []).append(key)
    for n, keys in by_amount.items():
        db.session.execute(update(table).where(table.c.key.in_(sorted(keys))).values(n=table.c.n - n))


def _add_typos(words: Iterable[str]) -> None:
    """Register new words' deletion variants (a registered word has the row (word, word))."""
    words = sorted({w for w in words if typo_candidate(w)})
    if not words:
        return
    table = RegistryTypo.__table__
    known: set[str] = set()
    for start in range(0, len(words), 5000):
        part = words[start:start + 5000]
        known.update(db.session.scalars(select(table.c.word).where(table.c.variant.in_(part),
                                                                   table.c.word == table.c.variant)))
    pairs = {(variant, w) for w in words if w not in known for variant in {w, *deletions(w)}}
    bulk.insert_missing(table, pairs, ("variant", "word"))


def index_many(items: Sequence[tuple[str, int, Company]]) -> None:
    """Add ("r" | "h", id, company) records to the index in bulk (callers hold the registry lock)."""
    if not items:
        return
    table = RegistryEntry.__table__
    values = []
    for entry_id, (kind, owner_id, company) in zip(bulk.allocate_ids(table, len(items)), items):
        row = entry_values(company)
        row.update(id=entry_id, registration_id=owner_id if kind == "r" else None,
                   house_account_id=owner_id if kind == "h" else None)
        values.append(row)
    bulk.insert_rows(table, values)
    bulk.insert_rows(RegistryKey.__table__, [{"key": key, "entry_id": row["id"]} for row in values
                                              for key in _posting_keys(row)])
    bulk.add_to_counters(RegistryCount.__table__, Counter(key for row in values for key in _counter_keys(row)))
    _add_typos({t for row in values if row["tokens"] for t in row["tokens"].split(" ")})


def index_registration(reg: Registration) -> None:
    """Add an active registration to the index."""
    index_many([("r", reg.id, Company.of_registration(reg))])


def index_house_account(account: HouseAccount) -> None:
    """Add an active house account to the index."""
    index_many([("h", account.id, Company.of_house_account(account))])


def unindex(registration_id: int | None = None, house_account_id: int | None = None) -> bool:
    """Remove a registration's or house account's entry; tell whether it was indexed."""
    column = RegistryEntry.registration_id if registration_id is not None else RegistryEntry.house_account_id
    owner = registration_id if registration_id is not None else house_account_id
    entry = db.session.execute(select(RegistryEntry).where(column == owner)).scalar_one_or_none()
    if entry is None:
        return False
    row = {c: getattr(entry, c) for c in ("tokens", "compact", "acronym", "country", "domain", "vat")}
    db.session.execute(delete(RegistryKey).where(RegistryKey.key.in_(_posting_keys(row)),
                                                 RegistryKey.entry_id == entry.id))
    db.session.execute(delete(RegistryEntry).where(RegistryEntry.id == entry.id))
    db.session.expunge(entry)
    _subtract_counts(Counter(_counter_keys(row)))
    return True


@dataclass(frozen=True)
class Found:
    """A conflict: an active registration or a house account denoting the same company."""

    score: float
    reasons: list[str]
    owner: Owner

    @property
    def registration_id(self) -> int | None:
        return self.owner.id if self.owner.kind == "r" else None

    @property
    def house_account_id(self) -> int | None:
        return self.owner.id if self.owner.kind == "h" else None

    @property
    def partner_id(self) -> int | None:
        """The partner of the matched registration (None for a house account)."""
        return self.owner.partner_id


def is_active(reg: Registration | Owner, today: date) -> bool:
    """Whether a registration counts in conflict checks (approved ones only while protected)."""
    if reg.status not in ACTIVE_STATUSES:
        return False
    return reg.status != "approved" or (reg.protected_until is not None and reg.protected_until >= today)


def find_conflicts(company: Company, families: Iterable[str], today: date,
                   exclude_registration: int | None = None) -> list[Found]:
    """Active registrations of every partner, and house accounts, denoting the company, best first.

    Registrations count only when their product families overlap `families` (empty: every family);
    house accounts conflict whatever the family. Callers decide what to reveal of the other side.
    """
    families = frozenset(families)
    store = SqlStore()
    result = search(store, Query.of(company.name, company.domain, company.country, company.vat, company.city))
    found: list[Found] = []
    for match in result.matches:
        owner = store.owners[match.record_id]  # type: ignore[index]
        if owner.kind == "r":
            if owner.id != exclude_registration and is_active(owner, today) and owner.covers(families):
                found.append(Found(match.score, list(match.reasons), owner))
        elif owner.active:
            found.append(Found(match.score, [*match.reasons, "house_account"], owner))
    return found
