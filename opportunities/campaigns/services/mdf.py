"""MDF requests: a partner asks for funds for a campaign activity; the manager approves (possibly
less, reserved from the budget under a row lock) or rejects; the partner may cancel.

Every step is an `MdfEvent` and a notification. Claims are in `claims.py`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from opportunities.campaigns.access import can_review_mdf
from opportunities.campaigns.models import Campaign, MdfEvent, MdfRequest
from opportunities.campaigns.services import CampaignError, values
from opportunities.campaigns.services.campaigns import enrolment_of, today
from portal.db import utcnow
from portal.errors import Forbidden, StateConflict, ValidationFailed
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import Partner, User
from portal.money import Money
from portal.services import audit
from portal.services.notifications import manager_of, notify, partner_users

SUBMITTED = NotificationKind("mdf_submitted", "MDF request submitted")
APPROVED = NotificationKind("mdf_approved", "MDF request approved")
REJECTED = NotificationKind("mdf_rejected", "MDF request rejected")
CANCELLED = NotificationKind("mdf_cancelled", "MDF request cancelled")
NOTIFICATION_KINDS = (SUBMITTED, APPROVED, REJECTED, CANCELLED)  # registered by the feature's init_app
OPEN = ("submitted", "approved", "claimed", "claim_approved")


class OverBudget(CampaignError):
    code = "mdf_over_budget"


def lock_campaign(campaign_id: int) -> Campaign:
    """The campaign row, locked until the transaction ends (PostgreSQL FOR UPDATE; SQLite
    serialises writers anyway), with its budget figures re-read from the database."""
    stmt = (select(Campaign).where(Campaign.id == campaign_id).with_for_update()
            .execution_options(populate_existing=True))
    return db.session.scalars(stmt).one()


def lock_request(mdf_request: MdfRequest) -> MdfRequest:
    """Re-read the request under a row lock, so two decisions cannot both pass the status check."""
    stmt = (select(MdfRequest).where(MdfRequest.id == mdf_request.id).with_for_update()
            .execution_options(populate_existing=True))
    return db.session.scalars(stmt).one()


def record(req: MdfRequest, actor: User | None, action: str, amount_minor: int | None = None,
           note: str = "") -> MdfEvent:
    """Append one step to the request's history."""
    event = MdfEvent(partner_id=req.partner_id, request_id=req.id, actor_id=getattr(actor, "id", None),
                     actor_label=getattr(actor, "email", None) or "system", action=action,
                     amount_minor=amount_minor, currency=req.currency, note=note)
    db.session.add(event)
    return event


def reviewers(partner: Partner) -> list[User]:
    """Who hears about a partner's MDF: its manager, or the administrators if it has none."""
    found = manager_of(partner)
    if found:
        return found
    return list(db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True))))


def partner_side(partner: Partner, req: MdfRequest) -> list[User]:
    """The requester and the partner's administrators."""
    users = partner_users(partner, ("partner_admin",))
    requester = db.session.get(User, req.requested_by_id) if req.requested_by_id else None
    return users + ([requester] if requester is not None else [])


def partner_link(req: MdfRequest) -> str:
    return f"/campaigns/mdf/{req.id}"


def staff_link(req: MdfRequest) -> str:
    return f"/admin/mdf/{req.id}"


def check_owner(partner: Partner, req: MdfRequest) -> None:
    if req.partner_id != partner.id:
        raise ValueError("the MDF request belongs to another partner")


def check_reviewer(actor: User, partner: Partner) -> None:
    if not can_review_mdf(actor, partner):
        raise Forbidden("Only the partner's manager or an administrator decides on its MDF.")


def request_funds(partner: Partner, actor: User, campaign: Campaign, data: Mapping[str, Any],
                  on: date | None = None) -> MdfRequest:
    """A request for funds for an activity of a campaign the partner is enrolled in."""
    on = on or today()
    data = dict(data)
    if not campaign.is_active_on(on):
        raise StateConflict("MDF can be requested only while the campaign runs.", code="campaign_ended")
    if enrolment_of(partner, campaign.id) is None:
        raise CampaignError("Enrol in the campaign before requesting funds.", code="not_enrolled")
    if campaign.mdf_budget_minor == 0:
        raise CampaignError("This campaign has no MDF budget.", code="no_mdf_budget")
    errors: dict[str, str] = {}
    activity = values.text(data, "activity", errors, required=True, max_len=200)
    plan = values.text(data, "plan", errors, required=True, max_len=20000)
    starts = values.day(data.get("starts_on"), "starts_on", errors)
    ends = values.day(data.get("ends_on"), "ends_on", errors)
    values.dates_in_order(starts, ends, errors, "activity")
    window = f"{campaign.starts_on.isoformat()} to {campaign.ends_on.isoformat()}"
    for key, when in (("starts_on", starts), ("ends_on", ends)):
        if when and key not in errors and not campaign.starts_on <= when <= campaign.ends_on:
            errors[key] = f"The activity must take place within the campaign ({window})."
    amount = values.amount(data.get("amount"), campaign.currency, "amount", errors, positive=True)
    if errors:
        raise ValidationFailed("Some fields are invalid: see fields.", fields=errors)
    assert amount is not None and starts is not None and ends is not None
    if amount.amount_minor > campaign.mdf_budget_minor - campaign.mdf_reserved_minor:
        message = f"Only {campaign.mdf_remaining.format()} of the campaign's MDF budget remains."
        raise OverBudget(message, fields={"amount": message})
    req = MdfRequest(partner_id=partner.id, campaign_id=campaign.id, requested_by_id=getattr(actor, "id", None),
                     activity=activity, plan=plan, starts_on=starts, ends_on=ends, currency=campaign.currency,
                     requested_minor=amount.amount_minor, status="submitted")
    db.session.add(req)
    db.session.flush()
    record(req, actor, "submitted", amount.amount_minor)
    notify(reviewers(partner), SUBMITTED, f"MDF request from {partner.name}: {amount.format()}",
           f"{activity} ({campaign.name}), {starts.isoformat()} to {ends.isoformat()}.", staff_link(req))
    return req


def approve_request(partner: Partner, actor: User, req: MdfRequest, amount: Any = None,
                    note: str = "") -> MdfRequest:
    """Approve the requested amount or less, reserving it from the budget (never below zero)."""
    check_owner(partner, req)
    check_reviewer(actor, partner)
    campaign = lock_campaign(req.campaign_id)  # lock order: campaign, then request
    req = lock_request(req)
    if req.status != "submitted":
        raise StateConflict(f"This request is {req.status.replace('_', ' ')}: it cannot be approved.")
    errors: dict[str, str] = {}
    raw = req.requested.as_str() if amount is None or str(amount).strip() == "" else amount
    money = values.amount(raw, req.currency, "amount", errors, positive=True)
    if money is not None and money.amount_minor > req.requested_minor:
        errors["amount"] = f"At most the requested {req.requested.format()}."
    if errors:
        raise ValidationFailed("The amount is invalid.", fields=errors)
    assert money is not None
    remaining = campaign.mdf_budget_minor - campaign.mdf_reserved_minor
    if money.amount_minor > remaining:
        message = (f"Only {campaign.mdf_remaining.format()} of the budget remains: approve less, "
                   "or raise the campaign's budget.")
        raise OverBudget(message, fields={"amount": message})
    campaign.mdf_reserved_minor += money.amount_minor
    req.approved_minor = money.amount_minor
    req.status = "approved"
    req.decided_by_id, req.decided_at, req.decision_note = actor.id, utcnow(), (note or "").strip()
    db.session.flush()
    record(req, actor, "approved", money.amount_minor, req.decision_note)
    audit.record(actor, "mdf.request_approve", req, after={"approved": money.as_str(), "currency": req.currency},
                 summary=f"MDF request #{req.id} of {partner.name} ({req.activity}) approved: {money.format()}"
                 f" of {req.requested.format()}")
    less = "" if money.amount_minor == req.requested_minor else f" (you asked for {req.requested.format()})"
    notify(partner_side(partner, req), APPROVED, f"MDF approved: {money.format()} for {req.activity}",
           f"{money.format()} is reserved for you{less}. Claim it with proof after the activity."
           + (f"\n{req.decision_note}" if req.decision_note else ""), partner_link(req))
    return req


def reject_request(partner: Partner, actor: User, req: MdfRequest, reason: str) -> MdfRequest:
    check_owner(partner, req)
    check_reviewer(actor, partner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give a reason for the rejection.", fields={"reason": "This field is required."})
    req = lock_request(req)
    if req.status != "submitted":
        raise StateConflict(f"This request is {req.status.replace('_', ' ')}: it cannot be rejected.")
    req.status = "rejected"
    req.decided_by_id, req.decided_at, req.decision_note = actor.id, utcnow(), reason
    db.session.flush()
    record(req, actor, "rejected", None, reason)
    audit.record(actor, "mdf.request_reject", req,
                 summary=f"MDF request #{req.id} of {partner.name} ({req.activity}) rejected: {reason}")
    notify(partner_side(partner, req), REJECTED, f"MDF request rejected: {req.activity}", reason, partner_link(req))
    return req


def cancel_request(partner: Partner, actor: User, req: MdfRequest) -> MdfRequest:
    """The partner withdraws a request not claimed yet; an approved amount returns to the budget."""
    check_owner(partner, req)
    campaign = lock_campaign(req.campaign_id)
    req = lock_request(req)
    if req.status not in ("submitted", "approved"):
        raise StateConflict(f"This request is {req.status.replace('_', ' ')}: it cannot be cancelled.")
    released = req.approved_minor if req.status == "approved" else None
    if released:
        campaign.mdf_reserved_minor -= released
    req.status = "cancelled"
    db.session.flush()
    record(req, actor, "cancelled", released, "Approved amount released to the budget." if released else "")
    notify(reviewers(partner), CANCELLED, f"MDF request cancelled by {partner.name}: {req.activity}",
           "", staff_link(req))
    return req


def requests_of(partner: Partner, campaign_id: int | None = None, status: str | None = None):
    """A select of the partner's MDF requests, newest first."""
    stmt = MdfRequest.for_partner(partner)
    if campaign_id is not None:
        stmt = stmt.where(MdfRequest.campaign_id == campaign_id)
    if status:
        stmt = stmt.where(MdfRequest.status == status)
    return stmt


def staff_requests(status: str | None = None, manager: User | None = None, campaign_id: int | None = None):
    """A select of MDF requests for the review queue (optionally of one manager's partners)."""
    stmt = select(MdfRequest).join(Partner, Partner.id == MdfRequest.partner_id)
    if status == "open":
        stmt = stmt.where(MdfRequest.status.in_(("submitted", "claimed", "claim_approved")))
    elif status:
        stmt = stmt.where(MdfRequest.status == status)
    if manager is not None:
        stmt = stmt.where(Partner.manager_id == manager.id)
    if campaign_id is not None:
        stmt = stmt.where(MdfRequest.campaign_id == campaign_id)
    return stmt


def total(items: Iterable[Money], currency: str) -> Money:
    return sum(items, Money.zero(currency))
