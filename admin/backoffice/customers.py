"""The end-customer 360: find a company by name or web domain across every partner's registrations, the
leads and the house accounts, group the records into companies with the conflict-detection matcher, and
show the orders placed for those registrations.

Candidates are read by the searched words (name words, or the domain) in two rounds: the second adds
records sharing a domain, VAT id or name word with a record that matched in the first. Each round reads
at most MAX_CANDIDATES rows per kind, newest first. A search costs 9 queries whatever it finds.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select

from admin.backoffice.company_groups import Group, Key, Record, group_records, words_of
from opportunities.leads.models import Lead
from opportunities.matching import normalise_domain, normalise_name, normalise_vat, parse_host, registrable_domain
from opportunities.matching.normalise import fold_text
from opportunities.matching.vocab import GENERIC_WORDS
from opportunities.registrations.models import HouseAccount, Registration
from opportunities.registry.models import RegistryCount
from opportunities.registry.store import TOTAL_KEY, word_key
from orders.models import Order
from portal.extensions import db
from portal.models import Partner

MAX_CANDIDATES = 300
MAX_PATTERNS = 8
_RAW_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class CustomerSearch:
    """What was searched: a company name or a web domain (and optionally a country)."""

    text: str
    name: str = ""
    domain: str | None = None
    country: str | None = None
    problem: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.name or self.domain)


def parse_search(text: str | None, country: str | None = None) -> CustomerSearch:
    """A domain when the text looks like one (or an e-mail address), else a company name."""
    text = " ".join((text or "").split())[:200]
    cc = (country or "").strip().upper()[:2] or None
    if not text:
        return CustomerSearch("", country=cc)
    looks_like_domain = " " not in text and ("." in text or "@" in text)
    if looks_like_domain and parse_host(text):
        host = normalise_domain(text)
        if host is None:
            return CustomerSearch(text, country=cc, problem=(
                f"{parse_host(text)} is a free e-mail provider: it does not identify a company. Search by name."))
        return CustomerSearch(text, domain=host, country=cc)
    if not normalise_name(text).compact:
        return CustomerSearch(text, country=cc, problem="Give a company name with letters or digits, or a web domain.")
    return CustomerSearch(text, name=text, country=cc)


@dataclass
class Company:
    """A group of records denoting one company, with the objects to show."""

    group: Group
    registrations: list[Registration] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    house_accounts: list[HouseAccount] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The name most records use (the first one's on a tie)."""
        names = Counter(m.name for m in self.group.members)
        return max(names, key=lambda n: (names[n], -[m.name for m in self.group.members].index(n)))

    @property
    def domains(self) -> list[str]:
        return sorted({d for m in self.group.members if (d := normalise_domain(m.domain))})

    @property
    def countries(self) -> list[str]:
        return sorted({m.country for m in self.group.members if m.country})

    def link(self, kind: str, obj_id: int) -> Any:
        return self.group.links.get((kind, obj_id))


@dataclass
class CustomerResult:
    """The companies found for a search, best match first."""

    search: CustomerSearch
    companies: list[Company]
    partners: dict[int, Partner]
    truncated: bool = False

    @property
    def matching(self) -> list[Company]:
        return [c for c in self.companies if c.group.matched]

    @property
    def others(self) -> list[Company]:
        return [c for c in self.companies if not c.group.matched]


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_patterns(name: str) -> list[str]:
    """LIKE fragments for a name: its distinctive normalised words (long ones cut to their first six letters,
    so a typo near the end still finds the record) and, when accents differ, the words as typed."""
    tokens = [t for t in normalise_name(name).tokens if len(t) >= 2]
    distinctive = [t for t in tokens if t not in GENERIC_WORDS] or tokens
    out: list[str] = []
    for t in distinctive:
        fragment = t[:6] if len(t) >= 8 else t
        if fragment not in out:
            out.append(fragment)
    for raw in _RAW_WORD.findall(name.lower()):
        if raw not in out and fold_text(raw) in distinctive and not raw.isascii():
            out.append(raw)
    return out[:MAX_PATTERNS]


def _matcher(name_columns: Iterable[Any], domain_columns: Iterable[Any], vat_columns: Iterable[Any],
             words: Iterable[str], domains: Iterable[str], vats: Iterable[str]) -> Any:
    conditions = []
    for w in words:
        conditions += [c.ilike(_like(w), escape="\\") for c in (*name_columns, *domain_columns)]
    for d in domains:
        conditions += [c.ilike(_like(d), escape="\\") for c in domain_columns]
    for v in vats:
        conditions += [c.ilike(_like(v[2:] if v[:2].isalpha() else v), escape="\\") for c in vat_columns]
    return or_(*conditions) if conditions else None


@dataclass
class _Found:
    registrations: dict[int, Registration] = field(default_factory=dict)
    leads: dict[int, Lead] = field(default_factory=dict)
    houses: dict[int, HouseAccount] = field(default_factory=dict)
    truncated: bool = False

    def records(self) -> list[Record]:
        return ([Record(("r", r.id), r.customer_name, r.customer_domain, r.customer_country, r.customer_vat,
                        r.customer_city) for r in self.registrations.values()]
                + [Record(("l", lead.id), lead.company_name, lead.company_domain, lead.company_country, None,
                          lead.company_city or None) for lead in self.leads.values()]
                + [Record(("h", h.id), h.name, h.domain, h.country, h.vat_id, h.city) for h in self.houses.values()])


def _read(found: _Found, words: list[str], domains: list[str], vats: list[str]) -> None:
    """One query per kind for records naming any of the words, domains or VAT ids."""
    kinds: list[tuple[dict[int, Any], Select, Any]] = [
        (found.registrations, select(Registration),
         _matcher([Registration.customer_name], [Registration.customer_domain], [Registration.customer_vat],
                  words, domains, vats)),
        (found.leads, select(Lead), _matcher([Lead.company_name], [Lead.company_domain], [], words, domains, vats)),
        (found.houses, select(HouseAccount),
         _matcher([HouseAccount.name], [HouseAccount.domain], [HouseAccount.vat_id], words, domains, vats)),
    ]
    for target, stmt, condition in kinds:
        if condition is None:
            continue
        entity = stmt.column_descriptions[0]["entity"]
        rows = list(db.session.scalars(stmt.where(condition).order_by(entity.id.desc()).limit(MAX_CANDIDATES + 1)))
        found.truncated = found.truncated or len(rows) > MAX_CANDIDATES
        for obj in rows[:MAX_CANDIDATES]:
            target.setdefault(obj.id, obj)


def _background(records: list[Record], search: CustomerSearch) -> tuple[dict[str, int], int]:
    """The registry's word frequencies for every word in play, and its entry count (one query)."""
    words = words_of(records, search.name)
    keys = [TOTAL_KEY] + [word_key(w) for w in sorted(words)]
    counts = dict(db.session.execute(select(RegistryCount.key, RegistryCount.n).where(
        RegistryCount.key.in_(keys), RegistryCount.n > 0)).all())
    total = counts.pop(TOTAL_KEY, 0)
    return {key[2:]: n for key, n in counts.items()}, total


def _expansion(groups: list[Group], records: dict[Key, Record], searched: set[str]) -> tuple[list[str], list[str],
                                                                                           list[str]]:
    """Domains, VAT ids and name words of the records that matched, not searched yet."""
    domains, vats, words = [], [], []
    for g in groups:
        if not g.matched:
            continue
        for m in g.members:
            host = normalise_domain(m.domain)
            if host and (d := registrable_domain(host)) not in searched and d not in domains:
                domains.append(d)
            vat = normalise_vat(m.vat)
            if vat and vat not in vats:
                vats.append(vat)
            for w in name_patterns(m.name):
                if w not in searched and w not in words:
                    words.append(w)
    return words[:MAX_PATTERNS], domains[:MAX_PATTERNS], vats[:MAX_PATTERNS]


def find_customer(search: CustomerSearch) -> CustomerResult:
    """Every registration, lead, house account and order naming the searched company, grouped by company."""
    if search.empty or search.problem:
        return CustomerResult(search, [], {})
    found = _Found()
    words = name_patterns(search.name) if search.name else []
    domains = [registrable_domain(search.domain)] if search.domain else []
    _read(found, words, domains, [])
    first = group_records(found.records(), search.name, search.domain, search.country)
    more_words, more_domains, vats = _expansion(first, {r.key: r for r in found.records()}, {*words, *domains})
    _read(found, more_words, more_domains, vats)
    records = found.records()
    background, total = _background(records, search)
    groups = group_records(records, search.name, search.domain, search.country, background, total)
    companies = [Company(g, [found.registrations[i] for i in g.keys("r")], [found.leads[i] for i in g.keys("l")],
                         [found.houses[i] for i in g.keys("h")]) for g in groups]
    _attach_orders(companies)
    return CustomerResult(search, companies, _partners(companies), found.truncated)


def _attach_orders(companies: list[Company]) -> None:
    """Orders placed for the companies' registrations (linked by the order or by a won registration)."""
    owner: dict[int, Company] = {}
    won: dict[int, Company] = {}
    for company in companies:
        for reg in company.registrations:
            owner[reg.id] = company
            if reg.won_order_id:
                won[reg.won_order_id] = company
    if not owner:
        return
    conditions = [Order.opportunity_id.in_(owner)] + ([Order.id.in_(won)] if won else [])
    for order in db.session.scalars(select(Order).where(or_(*conditions)).order_by(Order.created_at.desc())):
        company = owner.get(order.opportunity_id) or won.get(order.id)  # type: ignore[arg-type]
        if company is not None:
            company.orders.append(order)


def _partners(companies: list[Company]) -> dict[int, Partner]:
    ids = {r.partner_id for c in companies for r in c.registrations}
    ids |= {lead.owner_partner_id for c in companies for lead in c.leads if lead.owner_partner_id}
    ids |= {o.partner_id for c in companies for o in c.orders}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(ids)))}
