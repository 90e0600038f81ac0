"""Sales ops' files: importing legacy registrations in bulk, and checking a list of companies against the registry.

Bad rows are reported by line (the header is line 1) and skipped; the good rows are written in the
caller's transaction, in chunks so that memory stays flat for a million rows.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TextIO

import pycountry
from sqlalchemy import select, text

from opportunities.matching import parse_host
from opportunities.registrations.models import ACTIVE_STATUSES, STATUSES, Registration
from opportunities.registrations.services.events import append_events
from opportunities.registrations.services.inputs import FAMILY, RegistrationError
from opportunities.registrations.services import clock
from opportunities.registry import bulk
from opportunities.registrations.services.registrations import setting
from opportunities.registry.index import Company, find_conflicts, index_many, registry_lock
from portal import exports
from portal.db import utcnow
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit

CHUNK = 25_000
ANALYZE_FROM = 5_000
REGISTRY_TABLES = "registrations, registry_entries, registry_keys, registry_counts, registry_typos, registration_events"
ALIASES = {"reg_id": "ref", "name": "company_name", "company": "company_name"}
LEGACY_PARTNER = "Unassigned legacy registrations"
_SPLIT = re.compile(r"[,;|\s]+")
_WORD = re.compile(r"[^\W_]")


@dataclass
class FileReport:
    """What a file run did: rows done, and the bad rows by line."""

    done: int = 0
    matches: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


COLUMNS = ("ref", "company_name", "domain", "country", "city")
NOT_CSV = "The file is not a CSV text file in UTF-8 (save it as \"CSV UTF-8\")."


def decoded_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """The lines of a binary file as UTF-8 text (a byte-order mark is dropped); a line that is not UTF-8 makes
    the whole file unusable, reported with its line number."""
    for number, raw in enumerate(binary, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise RegistrationError(NOT_CSV, fields={
                "file": f"line {number}: byte 0x{raw[exc.start]:02x} is not UTF-8 text"}) from None


def _rows(stream: Iterable[str], required: Sequence[str] = COLUMNS) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) with lower-cased headers (aliases applied); refuse a file without the required columns
    or one that is not CSV text: those make the whole file unusable."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise RegistrationError("The file is empty.", fields={"file": "No header row."})
        names = [ALIASES.get(h.strip().lstrip("\ufeff").lower(), h.strip().lstrip("\ufeff").lower()) for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            hint = " Columns are separated by commas, not semicolons." if len(header) == 1 and ";" in header[0] else ""
            raise RegistrationError(f"The file needs the columns {', '.join(required)}.",
                                    fields={"file": f"Missing column(s): {', '.join(missing)}.{hint}"})
        for values in reader:
            if any("\x00" in v for v in values):  # binary or UTF-16 (and PostgreSQL text cannot hold it)
                raise RegistrationError(NOT_CSV, fields={"file": f"line {reader.line_num}: a NUL byte"})
            if any(v.strip() for v in values):
                yield reader.line_num, {n: (values[i].strip() if i < len(values) else "") for i, n in enumerate(names)}
    except UnicodeDecodeError as exc:  # a text stream opened with another encoding in mind
        raise RegistrationError(NOT_CSV, fields={"file": f"after line {reader.line_num}: {exc.reason}"}) from None
    except csv.Error as exc:  # an oversized field, a stray quote in strict mode, ...
        raise RegistrationError(NOT_CSV, fields={"file": f"line {reader.line_num}: {exc}"}) from None


_COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(
    c.alpha_2 for c in pycountry.historic_countries if getattr(c, "alpha_2", None))


def _company(row: dict[str, str]) -> tuple[Company | None, str]:
    """The row's company, or None with the problem."""
    name = row.get("company_name", "")
    if not name:
        return None, "company_name is empty"
    if len(name) > 400:
        return None, "company_name is longer than 400 characters"
    if not _WORD.search(name):  # what normalisation would reduce to nothing
        return None, "company_name has no letters or digits"
    country = row.get("country", "").upper()
    if country and country not in _COUNTRIES:
        return None, f"country {row['country']!r} is not an ISO 3166 alpha-2 code"
    domain = row.get("domain") or None
    host = parse_host(domain) if domain and len(domain) <= 254 else None
    if domain and host is None:
        return None, f"domain {domain!r} is not a web domain or e-mail address"
    domain = host  # kept as the portal's form keeps it: an e-mail address gives its domain, a URL its host
    city = row.get("city") or None
    if city and len(city) > 100:
        return None, "city is longer than 100 characters"
    return Company(name, domain, country, row.get("vat_id") or None, city), ""


def _families(text: str) -> list[str] | None:
    families = [f.lower() for f in _SPLIT.split(text.strip()) if f]
    return families if all(FAMILY.match(f) for f in families) else None


def legacy_partner() -> Partner:
    """The suspended partner that holds imported rows without a partner (created on first use)."""
    partner = db.session.scalar(select(Partner).where(Partner.name == LEGACY_PARTNER))
    if partner is None:
        partner = Partner(name=LEGACY_PARTNER, kind="agent", tier="registered", country="US", region="—",
                          currency="USD", status="suspended")
        db.session.add(partner)
        db.session.flush()
    return partner


@dataclass(frozen=True)
class _Ref:
    id: int
    partner_id: int


def import_registrations(stream: Iterable[str], actor: User | None = None, partner_id: int | None = None,
                         families: Sequence[str] = (), filename: str = "") -> FileReport:
    """Load legacy registrations (`ref,company_name,domain,country,city`, optional `partner_id,families,status,
    submitted_on`); `ref` is kept as the external reference; the default status is approved."""
    default_families = _families(",".join(families))
    if default_families is None:
        raise RegistrationError("--families lists product family names.", fields={"families": ",".join(families)})
    partners = {p.id: p for p in db.session.scalars(select(Partner))}
    if partner_id is not None and partner_id not in partners:
        raise RegistrationError(f"No partner with id {partner_id}.", fields={"partner_id": str(partner_id)})
    report, seen = FileReport(), set()
    registry_lock()
    chunk: list[tuple[int, dict[str, str]]] = []
    for line, row in _rows(stream):
        chunk.append((line, row))
        if len(chunk) >= CHUNK:
            _import_chunk(chunk, partners, partner_id, default_families, seen, actor, report)
            chunk = []
    _import_chunk(chunk, partners, partner_id, default_families, seen, actor, report)
    if report.done:
        audit.record_bulk(actor, "registration.import", None, what="legacy registrations", filename=filename,
                          created=report.done, skipped=len(report.errors), partner_id=partner_id)
    if report.done >= ANALYZE_FROM and db.session.get_bind().dialect.name == "postgresql":
        # fresh statistics, or the first checks after a big load plan as if the registry were empty
        db.session.execute(text(f"ANALYZE {REGISTRY_TABLES}"))
    return report


def tidy_after_import(imported: int) -> bool:
    """After a big import has committed (PostgreSQL): VACUUM ANALYZE the registry, so that checks read the
    postings from the index alone (index-only scans need the visibility map that VACUUM sets)."""
    if imported < ANALYZE_FROM or db.engine.dialect.name != "postgresql":
        return False
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {REGISTRY_TABLES}"))
    return True


def _import_chunk(chunk: list[tuple[int, dict[str, str]]], partners: dict[int, Partner], partner_id: int | None,
                  default_families: list[str], seen: set[str], actor: User | None, report: FileReport) -> None:
    if not chunk:
        return
    refs = [row["ref"] for _, row in chunk if row.get("ref")]
    taken = set(db.session.scalars(select(Registration.external_ref).where(Registration.external_ref.in_(refs))))
    now, on = utcnow(), clock.today()
    protected = on + timedelta(days=setting("PROTECTION_DAYS"))
    values, companies = [], []
    for line, row in chunk:
        value, company, problem = _registration(row, partners, partner_id, default_families, seen, taken, now)
        if problem:
            report.errors.append((line, problem))
            continue
        if value["status"] == "approved":
            value.update(protected_until=protected, protection_days=setting("PROTECTION_DAYS"), decided_at=now)
        else:
            value.update(protected_until=None, protection_days=None)
        values.append(value)
        companies.append(company)
    if not values:
        return
    table = Registration.__table__
    ids = bulk.allocate_ids(table, len(values))
    for rid, value in zip(ids, values):
        value["id"] = rid
    bulk.insert_rows(table, values)
    index_many([("r", rid, company) for rid, value, company in zip(ids, values, companies)
                if value["status"] in ACTIVE_STATUSES])
    append_events([(_Ref(rid, value["partner_id"]), "imported", actor, {
        "ref": value["external_ref"], "status": value["status"], "families": value["families"],
        "customer": {"name": value["customer_name"], "domain": value["customer_domain"],
                     "country": value["customer_country"], "city": value["customer_city"]},
        "submitted_at": value["submitted_at"].isoformat()}) for rid, value in zip(ids, values)])
    report.done += len(values)


def _registration(row: dict[str, str], partners: dict[int, Partner], partner_id: int | None,
                  default_families: list[str], seen: set[str], taken: set[str], now: datetime
                  ) -> tuple[dict[str, Any], Company | None, str]:
    """The column values of one imported row, or the problem."""
    ref = row.get("ref", "")
    if not ref or len(ref) > 100:
        return {}, None, "ref is empty" if not ref else "ref is longer than 100 characters"
    if ref in seen or ref in taken:
        return {}, None, f"ref {ref!r} is {'repeated in the file' if ref in seen else 'already imported'}"
    company, problem = _company(row)
    if company is None:
        return {}, None, problem
    owner_id = partner_id
    if row.get("partner_id"):
        if not row["partner_id"].isdigit() or int(row["partner_id"]) not in partners:
            return {}, None, f"partner_id {row['partner_id']!r} is not a partner"
        owner_id = int(row["partner_id"])
    if owner_id is None:
        holder = legacy_partner()
        partners[holder.id] = holder
        owner_id = holder.id
    families = _families(row["families"]) if row.get("families") else default_families
    if families is None:
        return {}, None, f"families {row['families']!r} are not product family names"
    status = (row.get("status") or "approved").lower()
    if status not in STATUSES:
        return {}, None, f"status {row['status']!r} is not one of {', '.join(STATUSES)}"
    submitted = _timestamp(row["submitted_on"]) if row.get("submitted_on") else now
    if submitted is None:
        return {}, None, f"submitted_on {row['submitted_on']!r} is not a date (YYYY-MM-DD)"
    if submitted > now:
        return {}, None, f"submitted_on {row['submitted_on']!r} is in the future"
    seen.add(ref)
    partner = partners[owner_id]
    closed = now if status in ("expired", "won", "lost") else None
    value = {
        "partner_id": owner_id, "created_by_id": None, "source": "import", "external_ref": ref,
        "customer_name": company.name, "customer_domain": company.domain, "customer_country": company.country or "",
        "customer_city": company.city, "customer_vat": company.vat, "families": families, "skus": [],
        "amount_minor": 0, "currency": partner.currency, "status": status, "submitted_at": submitted,
        "decided_at": now if status == "rejected" else None, "closed_at": closed, "notes": "",
    }
    return value, company, ""


def _timestamp(text: str) -> datetime | None:
    """A date (midnight UTC) or an ISO timestamp (UTC when it has no zone), or None."""
    try:
        if len(text) <= 10:
            return datetime.combine(date.fromisoformat(text), time(0), timezone.utc)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def match_companies(stream: Iterable[str], out: TextIO) -> FileReport:
    """Check companies (`ref,company_name,domain,country,city`, optional `families`) against every active
    registration and house account; write `ref,matched_ref,opportunity_id,score,reasons` per match."""
    writer = exports.csv_writer(out, lineterminator="\r\n")
    writer.writerow(["ref", "matched_ref", "opportunity_id", "score", "reasons"])
    report = FileReport()
    on = clock.today()
    for line, row in _rows(stream):
        company, problem = _company(row) if row.get("ref") else (None, "ref is empty")
        families = _families(row.get("families", ""))
        if company is not None and families is None:
            problem = f"families {row['families']!r} are not product family names"
        if company is None or families is None:
            report.errors.append((line, problem))
            continue
        for found in find_conflicts(company, families, on):
            matched = (found.owner.external_ref or "") if found.registration_id else \
                f"house-account:{found.house_account_id}"
            writer.writerow([row.get("ref", ""), matched, found.registration_id or "",
                             f"{found.score:.4f}", ";".join(found.reasons)])
            report.matches += 1
        report.done += 1
    return report
