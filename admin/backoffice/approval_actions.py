"""Deciding an item from the approvals page, through the owning feature's service only.

Registrations without a conflict, quote discounts, MDF requests and MDF claims are approved or
rejected here; a registration with a conflict is decided on its side-by-side review page, and a
partner application on its own page (approval needs the new partner's terms).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from opportunities.campaigns.models import MdfRequest
from opportunities.campaigns.services import claims, mdf
from opportunities.registrations.models import Registration
from opportunities.registrations.services import decisions
from orders.quotes import rules
from orders.quotes import services as quote_services
from portal.errors import NotFound, StateConflict
from portal.extensions import db
from portal.models import User

from admin.backoffice.approval_items import conflict_summary

#: The form fields each inline decision reads.
FIELDS = {
    ("registration", "approve"): ("protection_days", "discount_percent"),
    ("registration", "reject"): ("reason",),
    ("quote", "approve"): ("discount_percent", "comment"),
    ("quote", "reject"): ("reason",),
    ("mdf_request", "approve"): ("amount", "comment"),
    ("mdf_request", "reject"): ("reason",),
    ("mdf_claim", "approve"): ("amount", "comment"),
    ("mdf_claim", "reject"): ("reason",),
}


@dataclass(frozen=True)
class Outcome:
    """What was decided, in words for the flash message."""

    message: str


def decidable(kind: str, decision: str) -> bool:
    """Whether this kind of item is decided inline with this decision."""
    return (kind, decision) in FIELDS


def decide(actor: User, kind: str, item_id: int, decision: str, data: Mapping[str, Any]) -> Outcome:
    """Approve or reject one waiting item with the feature's own service (which checks who may)."""
    if not decidable(kind, decision):
        raise NotFound("This item cannot be decided from the approvals page.")
    action: Callable[[User, int, Mapping[str, Any]], Outcome] = ACTIONS[(kind, decision)]
    return action(actor, item_id, data)


def _registration(item_id: int) -> Registration:
    reg = db.session.get(Registration, item_id)
    if reg is None:
        raise NotFound("This registration does not exist.")
    overlap = conflict_summary({reg.id}).get(reg.id)
    if overlap is not None and overlap.crossing:
        raise StateConflict(f"Registration #{reg.id} overlaps another partner's registration or a house account: "
                            "decide it on its review page, side by side.", code="registration_has_conflict")
    return reg


def _approve_registration(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    reg = _registration(item_id)
    decisions.approve_registration(actor, reg, data.get("protection_days"), data.get("discount_percent"))
    return Outcome(f"Registration #{reg.id} ({reg.customer_name}) is approved: protected until "
                   f"{reg.protected_until.isoformat() if reg.protected_until else '—'}.")


def _reject_registration(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    reg = _registration(item_id)
    decisions.reject_registration(actor, reg, data.get("reason"))
    return Outcome(f"Registration #{reg.id} ({reg.customer_name}) is rejected.")


def _approve_quote(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    quote = quote_services.approve_quote(actor, item_id, data.get("discount_percent"), data.get("comment"))
    return Outcome(f"{quote.number} is approved at {rules.format_percent(quote.current.approved_discount_percent)}%; "
                   f"{quote.partner.name} is notified.")


def _reject_quote(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    quote = quote_services.reject_quote(actor, item_id, data.get("reason"))
    return Outcome(f"{quote.number} is rejected; {quote.partner.name} is notified.")


def _request(item_id: int) -> MdfRequest:
    req = db.session.get(MdfRequest, item_id)
    if req is None:
        raise NotFound("This MDF request does not exist.")
    return req


def _approve_mdf(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    req = _request(item_id)
    req = mdf.approve_request(req.partner, actor, req, data.get("amount"), data.get("comment") or "")
    approved = req.approved.format() if req.approved else "—"
    return Outcome(f"MDF for “{req.activity}” is approved: {approved} reserved.")


def _reject_mdf(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    req = _request(item_id)
    req = mdf.reject_request(req.partner, actor, req, data.get("reason") or "")
    return Outcome(f"MDF request “{req.activity}” is rejected.")


def _approve_claim(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    req = _request(item_id)
    claim = claims.approve_claim(req.partner, actor, req, data.get("amount"), data.get("comment") or "")
    approved = claim.approved.format() if claim.approved else "—"
    return Outcome(f"The claim for “{req.activity}” is approved for {approved}.")


def _reject_claim(actor: User, item_id: int, data: Mapping[str, Any]) -> Outcome:
    req = _request(item_id)
    claims.reject_claim(req.partner, actor, req, data.get("reason") or "")
    return Outcome(f"The claim for “{req.activity}” is rejected; the partner may claim again.")


ACTIONS: dict[tuple[str, str], Callable[[User, int, Mapping[str, Any]], Outcome]] = {
    ("registration", "approve"): _approve_registration,
    ("registration", "reject"): _reject_registration,
    ("quote", "approve"): _approve_quote,
    ("quote", "reject"): _reject_quote,
    ("mdf_request", "approve"): _approve_mdf,
    ("mdf_request", "reject"): _reject_mdf,
    ("mdf_claim", "approve"): _approve_claim,
    ("mdf_claim", "reject"): _reject_claim,
}
