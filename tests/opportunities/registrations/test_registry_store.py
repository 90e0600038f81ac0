"""The database registry answers conflict searches like the measured in-memory index, in a few indexed queries."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from opportunities.matching import CompanyIndex, Query, search
from opportunities.registrations.models import HouseAccount
from opportunities.registry.models import RegistryCount, RegistryEntry, RegistryKey
from opportunities.registry.index import Company, index_many, registry_lock, unindex
from opportunities.registry.store import SqlStore
from portal.extensions import db
from tests.queries import count_queries

DEV = Path(__file__).resolve().parents[4] / "shared" / "data" / "conflict-dev"
NAMES = [
    ("Siemens Aktiengesellschaft", "siemens.com", "DE", None),
    ("Renesas Electronics Corporation", None, "JP", None),
    ("Alpha and Omega Semiconductor, Ltd.", None, "US", None),
    ("Delta Air Lines, Inc.", "delta.com", "US", None),
    ("Delta Dental of California", None, "US", None),
    ("J.B. Hunt Transport Services", None, "US", None),
    ("ESCO Technologies", None, "US", None),
    ("Bank of Hawaii Corporation", None, "US", None),
    ("The J. M. Smucker Company", None, "US", None),
    ("Dürr AG", None, "DE", "DE 129 274 202"),
    ("Bayerische Motoren Werke AG", "bmw.de", "DE", None),
    ("Nestlé S.A.", "nestle.com", "CH", None),
]
QUERIES = [
    ("Siemens AG (Germany)", None, "DE"), ("Rennesas Electronics", None, "JP"), ("AOS", None, "US"),
    ("Alpha & Omega Semiconductor", None, "US"), ("Delta Dental", None, "US"), ("Hunt JB Transport", None, "US"),
    ("TESSCO Technologies", None, "US"), ("Bank of Hawaii", None, "US"), ("JM Smucker Co.", None, "US"),
    ("Duerr", None, "DE"), ("Whatever GmbH", "purchasing@bmw.de", "FR"), ("BMW", None, "DE"),
    ("Nestle", None, "FR"), ("Nestle", None, "CH"), ("International Group Holdings", None, "US"),
]


def _background(n: int, seed: int = 3) -> list[tuple[str, str | None, str, str | None]]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "tor", "dra", "sil", "ven", "pel", "zo", "bri", "qua", "nex", "ora", "tal"]
    words = ["Group", "Holdings", "Technologies", "Systems", "Bank", "Capital", "Foods", "Energy", "Partners"]
    out = []
    for _ in range(n):
        base = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()
        out.append((f"{base} {rng.choice(words)}", None, rng.choice(["US", "DE", "JP", "GB"]), None))
    return out


def _load(records) -> tuple[CompanyIndex, dict[int, int]]:
    """The same records in the database registry (as house accounts) and in an in-memory index."""
    registry_lock()
    accounts = [HouseAccount(name=name, domain=domain, country=cc, vat_id=vat) for name, domain, cc, vat in records]
    db.session.add_all(accounts)
    db.session.flush()
    index_many([("h", a.id, Company(a.name, a.domain, a.country, a.vat_id)) for a in accounts])
    memory = CompanyIndex()
    memory.add_many((("h", a.id), a.name, a.domain, a.country, a.vat_id) for a in accounts)
    return memory, {a.id: i for i, a in enumerate(accounts)}


def _same(memory: CompanyIndex, query: Query) -> list:
    db_result = search(SqlStore(), query)
    mem_result = search(memory, query)
    assert [(m.record_id, m.score, m.reasons) for m in db_result.matches] == \
        [(m.record_id, m.score, m.reasons) for m in mem_result.matches], query
    return db_result.matches


def test_database_and_memory_give_the_same_matches(app):
    memory, _ = _load(NAMES + _background(400))
    found = 0
    for name, domain, country in QUERIES:
        found += bool(_same(memory, Query.of(name, domain, country)))
    assert found >= 10


@pytest.mark.skipif(not (DEV / "pool.csv").exists(), reason="the conflict-dev data set is not available")
def test_same_matches_on_a_sample_of_the_dev_set(app):
    pool = list(csv.DictReader((DEV / "pool.csv").open(encoding="utf-8")))
    queries = list(csv.DictReader((DEV / "queries.csv").open(encoding="utf-8")))
    rng = random.Random(5)
    sample = rng.sample(queries, 120)
    wanted = {q["entity_id"] for q in sample}
    records = [r for r in pool if r["entity_id"] in wanted] + rng.sample(pool, 1500)
    memory, _ = _load([(r["company_name"], r["domain"] or None, r["country"], None) for r in records])
    matched = sum(bool(_same(memory, Query.of(q["company_name"], q["domain"] or None, q["country"]))) for q in sample)
    assert matched >= 60


def test_a_search_is_a_few_indexed_queries(app):
    _load(NAMES + _background(300))
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for name, pg_trips, sqlite_limit in (("Siemens AG", 1, 3), ("Siemmens Aktiengesellschaft", 1, 5)):  # a typo
        store = SqlStore()
        with count_queries() as statements:  # what goes through SQLAlchemy (not the fixed PostgreSQL statements)
            found = search(store, Query.of(name, "siemens.com" if name == "Siemens AG" else None, "DE")).matches
        assert found
        if postgres:
            assert store.round_trips == pg_trips and statements == []
        else:
            assert store.round_trips == len(statements) <= sqlite_limit


def test_unindex_keeps_counts_right(app):
    _load(NAMES)
    account = db.session.query(HouseAccount).filter_by(name="Delta Dental of California").one()
    keys_before = db.session.query(RegistryKey).count()
    assert unindex(house_account_id=account.id) is True
    assert unindex(house_account_id=account.id) is False
    assert db.session.query(RegistryEntry).count() == len(NAMES) - 1
    assert db.session.query(RegistryKey).count() < keys_before
    counts = dict(db.session.query(RegistryCount.key, RegistryCount.n))
    assert counts["#"] == len(NAMES) - 1
    assert counts["w\tdelta"] == 1 and counts["tUS\tdental"] == 0
    assert all(m.record_id != ("h", account.id) for m in search(SqlStore(), Query.of("Delta Dental", None, "US")).matches)


def test_the_database_one_edit_rule_is_the_python_one(app):
    """registry_one_edit (PostgreSQL, used by the one-round-trip search) agrees with within_one_edit."""
    from sqlalchemy import text

    from opportunities.matching.similarity import within_one_edit

    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the function exists on PostgreSQL only")
    rng = random.Random(9)
    words = ["siemens", "renesas", "kalomitor", "ab", "abc", "über", "straße", "delta", "dleta", "deltas"]
    pairs = [(a, b) for a in words for b in words]
    for word in words:
        for _ in range(20):
            chars = list(word)
            op = rng.choice(["sub", "ins", "del", "swap", "two"])
            pos = rng.randrange(len(chars))
            if op == "sub":
                chars[pos] = rng.choice("abcdeü")
            elif op == "ins":
                chars.insert(pos, rng.choice("abcdeü"))
            elif op == "del" and len(chars) > 1:
                del chars[pos]
            elif op == "swap" and pos + 1 < len(chars):
                chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
            else:
                chars[pos:pos + 2] = list("xy")
            pairs.append((word, "".join(chars)))
    got = db.session.execute(text("SELECT registry_one_edit(a, b) FROM unnest(CAST(:a AS text[]), "
                                  "CAST(:b AS text[])) AS p(a, b)"),
                             {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}).scalars().all()
    assert got == [within_one_edit(a, b) for a, b in pairs]
