"""The approvals queue's items: each waiting row loaded (one query per kind present, plus partners,
conflict scores and application duplicates) and described in words: who asks, what, and whether the
user decides it on the approvals page."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from opportunities.campaigns.access import can_review_mdf
from opportunities.campaigns.models import MdfClaim, MdfRequest
from opportunities.registrations.models import Conflict, Registration
from opportunities.registrations.services import decisions
from orders.quotes import rules
from orders.quotes import services as quote_services
from orders.quotes.models import Quote
from orders.quotes.services.common import self_approval_limit
from portal.extensions import db
from portal.models import Partner, PartnerApplication, User
from portal.services import onboarding
from portal.services.onboarding_duplicates import find_duplicates

KIND_LABELS = {"registration": "Deal registration", "quote": "Quote discount", "mdf_request": "MDF request",
               "mdf_claim": "MDF claim", "application": "Partner application"}
#: Items waiting this long are "old" (amber), and "overdue" (red).
OLD_AFTER = timedelta(days=2)
OVERDUE_AFTER = timedelta(days=5)


@dataclass
class Item:
    """One waiting item, ready to show: what it is, who asks, what is asked, since when."""

    kind: str
    id: int
    since: datetime
    partner: Partner | None
    obj: Any
    title: str = ""
    asked: str = ""
    detail: str = ""
    conflict: bool = False
    can_decide: bool = False
    inline: bool = False  # decided on this page (else: a link to the feature's review page)
    flags: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)  # the approval form's starting values

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def age(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.since)

    def level(self, now: datetime) -> str:
        """"overdue", "old" or "" (how long it has waited)."""
        waited = self.age(now)
        return "overdue" if waited >= OVERDUE_AFTER else ("old" if waited >= OLD_AFTER else "")


def _by_id(stmt: Select) -> dict[int, Any]:
    return {obj.id: obj for obj in db.session.scalars(stmt).unique()}


def _ids(rows: Iterable[Any], *kinds: str) -> set[int]:
    return {r.item_id for r in rows if r.kind in kinds}


def load_items(actor: User, rows: list[Any]) -> list[Item]:
    """Turn queue rows into items: one query per kind present, plus the partners and conflicts."""
    partner_ids = {r.partner_id for r in rows if r.partner_id is not None}
    partners = _by_id(select(Partner).where(Partner.id.in_(partner_ids)).options(joinedload(Partner.manager))) \
        if partner_ids else {}
    reg_ids, quote_ids = _ids(rows, "registration"), _ids(rows, "quote")
    mdf_ids, app_ids = _ids(rows, "mdf_request", "mdf_claim"), _ids(rows, "application")
    regs = _by_id(select(Registration).where(Registration.id.in_(reg_ids))) if reg_ids else {}
    overlaps = conflict_summary(reg_ids)
    quotes = _by_id(select(Quote).where(Quote.id.in_(quote_ids)).options(selectinload(Quote.revisions))) \
        if quote_ids else {}
    requests = _by_id(select(MdfRequest).where(MdfRequest.id.in_(mdf_ids)).options(
        joinedload(MdfRequest.campaign), selectinload(MdfRequest.claims).selectinload(MdfClaim.proofs))) \
        if mdf_ids else {}
    apps = _by_id(select(PartnerApplication).where(PartnerApplication.id.in_(app_ids))) if app_ids else {}
    duplicates = find_duplicates(list(apps.values())) if apps else {}
    items = []
    for r in rows:
        item = Item(r.kind, r.item_id, r.since, partners.get(r.partner_id), None, conflict=bool(r.conflict))
        describe = {"registration": lambda: _registration(item, regs[r.item_id], overlaps, actor),
                    "quote": lambda: _quote(item, quotes[r.item_id], actor),
                    "mdf_request": lambda: _mdf_request(item, requests[r.item_id], actor),
                    "mdf_claim": lambda: _mdf_claim(item, requests[r.item_id], actor),
                    "application": lambda: _application(item, apps[r.item_id], duplicates, actor)}[r.kind]
        describe()
        items.append(item)
    return items


@dataclass(frozen=True)
class Overlap:
    """A registration's conflicts: with other partners or house accounts, with its own partner, best score."""

    crossing: int = 0
    own: int = 0
    house_accounts: int = 0
    best: float = 0.0


def conflict_summary(ids: set[int]) -> dict[int, Overlap]:
    """Conflicts of these registrations, in either direction (one query)."""
    if not ids:
        return {}
    rows = db.session.execute(select(Conflict.registration_id, Conflict.other_id, Conflict.house_account_id,
                                     Conflict.own, Conflict.score).where(
        or_(Conflict.registration_id.in_(ids), Conflict.other_id.in_(ids)))).all()
    tally: dict[int, dict[str, Any]] = {}
    for registration_id, other_id, house_id, own, score in rows:
        for rid in {registration_id, other_id} & ids:
            t = tally.setdefault(rid, {"crossing": 0, "own": 0, "house_accounts": 0, "best": 0.0})
            t["own" if own else "crossing"] += 1
            t["house_accounts"] += 1 if house_id is not None else 0
            t["best"] = max(t["best"], float(score))
    return {rid: Overlap(**t) for rid, t in tally.items()}


def _registration(item: Item, reg: Registration, overlaps: dict[int, Overlap], actor: User) -> None:
    item.obj = reg
    item.title = reg.customer_name
    families = ", ".join(reg.families) if reg.families else "every family"
    item.asked = f"Protect the deal: {reg.amount.format()} of {families}"
    where = ", ".join(x for x in (reg.customer_city, reg.customer_country, reg.customer_domain) if x)
    item.detail = f"{where} · closes {reg.expected_close.isoformat() if reg.expected_close else '—'}"
    overlap = overlaps.get(reg.id, Overlap())
    if overlap.crossing:
        what = f"{overlap.crossing} conflict{'s' if overlap.crossing > 1 else ''}"
        if overlap.house_accounts:
            what += " (house account)"
        item.flags.append(f"{what}, best score {overlap.best:.2f}")
    if overlap.own:
        item.flags.append(f"{overlap.own} own duplicate{'s' if overlap.own > 1 else ''}")
    item.can_decide = decisions.can_decide(actor)
    item.inline = item.can_decide and not item.conflict  # conflicts are decided side by side


def _quote(item: Item, quote: Quote, actor: User) -> None:
    item.obj = quote
    rev = quote.current
    item.title = quote.number + (f" rev. {quote.revision}" if quote.revision > 1 else "")
    limit = self_approval_limit(item.partner) if item.partner is not None else None
    item.asked = (f"{_pct(rev.requested_discount_percent)}% extra discount on {rev.total.format()}"
                  + (f" (tier limit {_pct(limit)}%)" if limit is not None else ""))
    item.detail = (quote.title or "") + (f" · “{_short(rev.justification)}”" if rev.justification else "")
    item.defaults = {"discount_percent": _pct(rev.requested_discount_percent)}
    item.can_decide = quote_services.can_decide(actor, quote)
    item.inline = item.can_decide


def _mdf_request(item: Item, req: MdfRequest, actor: User) -> None:
    item.obj = req
    item.title = req.activity
    item.asked = f"{req.requested.format()} of MDF"
    remaining = req.campaign.mdf_remaining.format()
    item.detail = (f"{req.campaign.name} · {req.starts_on.isoformat()} to {req.ends_on.isoformat()}"
                   f" · {remaining} left in the budget")
    item.defaults = {"amount": req.requested.as_str()}
    item.can_decide = item.partner is not None and can_review_mdf(actor, item.partner)
    item.inline = item.can_decide


def _mdf_claim(item: Item, req: MdfRequest, actor: User) -> None:
    item.obj = req
    claim = req.claim
    item.title = req.activity
    amount = claim.amount.format() if claim is not None else "—"
    item.asked = f"Pay {amount} (approved {req.approved.format() if req.approved else '—'})"
    proofs = len(claim.proofs) if claim is not None else 0
    item.detail = f"{req.campaign.name} · {proofs} proof file{'s' if proofs != 1 else ''}"
    item.defaults = {"amount": claim.amount.as_str()} if claim is not None else {}
    item.can_decide = item.partner is not None and can_review_mdf(actor, item.partner)
    item.inline = item.can_decide


def _application(item: Item, app: PartnerApplication, duplicates: dict[int, list[Any]], actor: User) -> None:
    item.obj = app
    item.title = app.company_name
    item.asked = f"Become a {app.kind} partner ({app.region}, {app.currency})"
    item.detail = f"{app.country} · {app.domain} · {app.contact_name} <{app.contact_email}>"
    item.flags.extend(d.describe() for d in duplicates.get(app.id, []))
    item.can_decide = actor.role in onboarding.REVIEWERS
    item.inline = False  # approving needs the partner's terms: the application's own page


def _pct(value: Any) -> str:
    return rules.format_percent(value) or "0"


def _short(text: str, size: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
