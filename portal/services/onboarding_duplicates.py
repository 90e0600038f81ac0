"""Duplicate flags for partner applications: another open application or an existing partner
with the same (normalised) company name or the same web domain."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Partner, PartnerApplication, User

LEGAL_FORMS = frozenset(
    "inc incorporated llc llp lp ltd limited gmbh ag kg sa sas sarl srl spa bv nv plc corp "
    "corporation co company oy ab as aps kk pty pvt lda sl sro".split())
CJK_LEGAL_FORMS = ("股份有限公司", "有限公司", "株式会社")


def name_key(name: str) -> str:
    """A company name without case, accents, punctuation, a leading "The" or trailing legal forms."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for suffix in CJK_LEGAL_FORMS:
        text = text.replace(suffix, " ")
    text = text.replace("&", " and ").replace(".", "")
    words = re.sub(r"[\W_]+", " ", text).split()
    core = words[1:] if words[:1] == ["the"] and len(words) > 1 else words
    while len(core) > 1 and core[-1] in LEGAL_FORMS:
        core = core[:-1]
    return " ".join(core)[:200]


@dataclass(frozen=True)
class Duplicate:
    """Another open application or an existing partner with the same name or web domain."""

    what: str  # "partner" | "application"
    reason: str  # "name" | "domain"
    object_id: int
    label: str

    def describe(self) -> str:
        thing = "partner" if self.what == "partner" else f"open application #{self.object_id}"
        same = "same name" if self.reason == "name" else "same web domain"
        return f"{same} as {thing} {self.label}"


def find_duplicates(applications: list[PartnerApplication]) -> dict[int, list[Duplicate]]:
    """Flags for pending applications, in four queries whatever their number.

    A partner's domains are those of its approved application and of its users' e-mail
    addresses; names compare after `name_key`."""
    pending = [a for a in applications if a.status == "pending"]
    if not pending:
        return {}
    keys = {a.name_key for a in pending}
    domains = {a.domain for a in pending}
    partner_names: dict[str, list[tuple[int, str]]] = {}
    for pid, pname in db.session.execute(select(Partner.id, Partner.name)):
        key = name_key(pname)
        if key in keys:
            partner_names.setdefault(key, []).append((pid, pname))
    partner_domains: dict[str, dict[int, str]] = {}
    for pid, pname, domain in db.session.execute(
            select(Partner.id, Partner.name, PartnerApplication.domain)
            .join(PartnerApplication, PartnerApplication.partner_id == Partner.id)
            .where(PartnerApplication.domain.in_(domains))):
        partner_domains.setdefault(domain, {})[pid] = pname
    email_match = [User.email.ilike(f"%@{d}") for d in domains]
    for pid, pname, email in db.session.execute(
            select(Partner.id, Partner.name, User.email).join(User, User.partner_id == Partner.id)
            .where(or_(*email_match))):
        partner_domains.setdefault(email.rsplit("@", 1)[-1].lower(), {})[pid] = pname
    others = db.session.execute(
        select(PartnerApplication.id, PartnerApplication.company_name, PartnerApplication.name_key,
               PartnerApplication.domain)
        .where(PartnerApplication.status == "pending",
               (PartnerApplication.name_key.in_(keys)) | (PartnerApplication.domain.in_(domains)))
        .order_by(PartnerApplication.id)).all()
    result: dict[int, list[Duplicate]] = {}
    for app in pending:
        flags = [Duplicate(what="partner", reason="name", object_id=pid, label=pname)
                 for pid, pname in partner_names.get(app.name_key, [])]
        flags += [Duplicate(what="partner", reason="domain", object_id=pid, label=pname)
                  for pid, pname in partner_domains.get(app.domain, {}).items()]
        for oid, oname, okey, odomain in others:
            if oid != app.id and (okey == app.name_key or odomain == app.domain):
                reason = "name" if okey == app.name_key else "domain"
                flags.append(Duplicate(what="application", reason=reason, object_id=oid, label=oname))
        if flags:
            result[app.id] = flags
    return result
