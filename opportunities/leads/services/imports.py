"""Lead imports: every row of a CSV or Excel file is checked and shown as a preview; nothing is
written until staff apply it, and then all the leads are created or none."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from opportunities.campaigns.models import Campaign
from opportunities.leads.files import LeadFileError, normalise_header, read_rows
from opportunities.leads.inputs import clean_lead
from opportunities.leads.models import LeadImport
from opportunities.leads.services import LeadConflict, LeadError
from opportunities.leads.services.common import find_duplicate, now_or
from opportunities.leads.services.distribution import create_lead
from opportunities.registrations.services import attribution
from portal.extensions import db
from portal.models import Partner
from portal.services import audit

REQUIRED = ("company", "country", "region", "families")
OPTIONAL = ("domain", "city", "contact_name", "contact_email", "contact_phone", "tiers", "notes",
            "partner", "campaign")
ALIASES = {"company_name": "company", "website": "domain", "family": "families",
           "product_families": "families", "tier": "tiers", "partner_id": "partner",
           "contact_e_mail": "contact_email", "email": "contact_email", "contact": "contact_name",
           "phone": "contact_phone", "campaign_id": "campaign", "campaign_name": "campaign"}
# Where a cleaning error on a nested field is shown: "company.name" -> column "company".
FIELD_COLUMNS = {"company.name": "company", "company.country": "country", "company.city": "city",
                 "company.domain": "domain", "contact.name": "contact_name",
                 "contact.email": "contact_email", "contact.phone": "contact_phone",
                 "partner_id": "partner", "campaign_id": "campaign"}
MAX_PROBLEMS = 500


def expected_columns() -> str:
    return f"{', '.join(REQUIRED)} (required); {', '.join(OPTIONAL)} (optional)"


def _columns(header: list[str]) -> dict[str, int]:
    names = [ALIASES.get(normalise_header(h), normalise_header(h)) for h in header]
    index: dict[str, int] = {}
    unknown, twice = [], []
    for position, name in enumerate(names):
        if not name:
            continue
        if name not in REQUIRED + OPTIONAL:
            unknown.append(header[position].strip())
        elif name in index:
            twice.append(name)
        else:
            index[name] = position
    problems = []
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if twice:
        problems.append(f"columns listed twice: {', '.join(twice)}")
    if problems:
        raise LeadFileError(f"The file's columns do not fit ({'; '.join(problems)}). "
                            f"Expected: {expected_columns()}.")
    return index


def _row_input(index: dict[str, int], cells: list[str]) -> dict[str, Any]:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    return {"company": {"name": cell("company"), "domain": cell("domain"), "country": cell("country"),
                        "city": cell("city")},
            "contact": {"name": cell("contact_name"), "email": cell("contact_email"),
                        "phone": cell("contact_phone")},
            "families": cell("families"), "region": cell("region"), "tiers": cell("tiers"),
            "notes": cell("notes"), "partner": cell("partner"), "campaign": cell("campaign")}


def _partner_by_ref(ref: str) -> Partner | None:
    if ref.isdigit():
        ident = attribution.id_value(ref)  # bounded like any id: no overflow on SQLite
        return db.session.get(Partner, ident) if ident and ident > 0 else None
    return db.session.scalar(select(Partner).where(func.lower(Partner.name) == ref.lower()))


def _campaign_by_ref(ref: str) -> Campaign | None:
    """A campaign by id or by its exact name (letter case ignored)."""
    if ref.isdigit():
        ident = attribution.id_value(ref)
        return db.session.get(Campaign, ident) if ident and ident > 0 else None
    return db.session.scalars(select(Campaign).where(func.lower(Campaign.name) == ref.lower())
                              .order_by(Campaign.ends_on.desc())).first()


def preview_import(actor: Any, filename: str, data: bytes, *, now: datetime | None = None) -> LeadImport:
    """Check a lead file row by row (values, partners, duplicates in the file and among open
    leads) and keep the result as a preview. File-level problems raise LeadFileError."""
    header, rows = read_rows(filename, data)
    index = _columns(header)
    problems: list[dict[str, Any]] = []
    ready: list[dict[str, Any]] = []
    seen: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows:
        raw = _row_input(index, cells)
        row_problems = []
        try:
            values = clean_lead(raw)
        except LeadError as exc:
            values = None
            row_problems = [(FIELD_COLUMNS.get(k, k), v) for k, v in exc.fields.items()]
        partner = None
        if raw["partner"]:
            partner = _partner_by_ref(raw["partner"])
            if partner is None:
                row_problems.append(("partner", f"No partner {raw['partner']!r} (give its name or id)."))
            elif not partner.is_active:
                row_problems.append(("partner", f"{partner.name} is suspended."))
        campaign = None
        if raw["campaign"]:
            found = _campaign_by_ref(raw["campaign"])
            try:
                campaign = attribution.campaign_for_staff(found.id if found else None, now.date() if now else None,
                                                          partner=partner)
            except attribution.AttributionError as exc:
                row_problems.append(("campaign", exc.message if found else
                                     f"No campaign {raw['campaign']!r} (give its name or id)."))
        if values is not None:
            twin = next((n for n, other in seen if _same_lead(values, other)), None)
            existing = find_duplicate(values)
            if twin is not None:
                row_problems.append(("company", f"Duplicate row: the same company and product "
                                                f"family as row {twin}."))
            elif existing is not None:
                row_problems.append(("company", f"Already an open lead: #{existing.id} "
                                                f"({existing.company_name})."))
            seen.append((number, values))
        if row_problems:
            problems.extend({"row": number, "column": c, "message": m} for c, m in row_problems)
            continue
        ready.append({"row": number, "input": {**raw, "partner_id": partner.id if partner else None,
                                               "campaign_id": campaign.id if campaign else None},
                      "partner_name": partner.name if partner else "",
                      "campaign_name": campaign.name if campaign else ""})
    job = LeadImport(created_by_id=getattr(actor, "id", None), filename=(filename or "")[:255],
                     status="invalid" if problems else "ready", total_rows=len(rows),
                     rows=ready, problems=problems[:MAX_PROBLEMS], problem_count=len(problems),
                     created_at=now_or(now))
    db.session.add(job)
    db.session.flush()
    return job


def _same_lead(a: dict[str, Any], b: dict[str, Any]) -> bool:
    same_company = ((a["company_key"], a["company_country"]) == (b["company_key"], b["company_country"])
                    or (a.get("company_domain") and a.get("company_domain") == b.get("company_domain")))
    return bool(same_company and set(a["families"]) & set(b["families"]))


def apply_import(actor: Any, job: LeadImport, *, now: datetime | None = None) -> int:
    """Create every previewed lead, once; any row that no longer passes stops the whole import."""
    now = now_or(now)
    if job.status != "ready":
        raise LeadConflict("This import was already applied." if job.status == "applied"
                           else "This file has errors: fix them and upload it again.")
    claimed = db.session.execute(update(LeadImport).where(
        LeadImport.id == job.id, LeadImport.status == "ready").values(status="applied", applied_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise LeadConflict("This import was already applied.")
    db.session.refresh(job)
    for item in job.rows:
        try:
            create_lead(actor, item["input"], source="import", now=now, audited=False)
        except (LeadError, LeadConflict) as exc:
            raise LeadError(f"Row {item['row']}: {exc.message} Nothing was imported: upload the "
                            "file again to see the current state.", code="import_outdated") from None
    job.created_count = len(job.rows)
    assigned = sum(1 for item in job.rows if item["input"].get("partner_id"))
    audit.record_bulk(actor, "lead.import", job, what="leads", filename=job.filename, job_id=job.id,
                      created=job.created_count, skipped=max(0, job.total_rows - job.created_count),
                      extra={"assigned": assigned})
    db.session.flush()
    return job.created_count
