"""MDF claims: after the activity the partner claims up to the approved amount with proof files;
staff approve the claim (possibly less: the rest returns to the budget) or reject it (the partner
may claim again), then mark it paid."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, BinaryIO

from flask import current_app

from opportunities.campaigns.models import MdfClaim, MdfProofFile, MdfRequest
from opportunities.campaigns.services import CampaignError, values
from opportunities.campaigns.services.campaigns import today
from opportunities.campaigns.services.mdf import (
    check_owner,
    check_reviewer,
    lock_campaign,
    lock_request,
    partner_link,
    partner_side,
    record,
    reviewers,
    staff_link,
)
from portal import storage
from portal.db import load_owned, utcnow
from portal.errors import NotFound, StateConflict, ValidationFailed
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import Partner, User
from portal.services import audit
from portal.services.notifications import notify

FOLDER = "mdf/proofs"
CLAIMED = NotificationKind("mdf_claimed", "MDF claim submitted")
CLAIM_APPROVED = NotificationKind("mdf_claim_approved", "MDF claim approved")
CLAIM_REJECTED = NotificationKind("mdf_claim_rejected", "MDF claim rejected")
PAID = NotificationKind("mdf_paid", "MDF paid")
NOTIFICATION_KINDS = (CLAIMED, CLAIM_APPROVED, CLAIM_REJECTED, PAID)  # registered by the feature's init_app


def allowed_types() -> tuple[str, ...]:
    return tuple(current_app.config["MDF_PROOF_TYPES"])


def max_bytes() -> int:
    return int(current_app.config["MDF_PROOF_MAX_BYTES"])


def max_files() -> int:
    return int(current_app.config["MDF_PROOF_MAX_FILES"])


def limits_text() -> str:
    return (f"{storage.types_text(allowed_types())}; at most {storage.size_text(max_bytes())} each, "
            f"{max_files()} files.")


def check_proofs(files: Iterable[tuple[str | None, BinaryIO]]) -> list[storage.CheckedUpload]:
    """Check every proof file before any is stored; the first bad one refuses them all."""
    files = [(name, stream) for name, stream in files if name]
    if len(files) > max_files():
        message = f"Attach at most {max_files()} files."
        raise storage.UploadRejected(message, fields={"files": message})
    checked: list[storage.CheckedUpload] = []
    try:
        for name, stream in files:
            checked.append(storage.check_upload(name, stream, allowed=allowed_types(),
                                                max_bytes=max_bytes(), field="files"))
    except BaseException:
        for upload in checked:
            upload.data.close()
        raise
    return checked


def submit_claim(partner: Partner, actor: User, req: MdfRequest, amount: Any, note: str,
                 proofs: Sequence[storage.CheckedUpload], on: date | None = None) -> MdfClaim:
    """Claim approved funds after the activity, with at least one proof file."""
    check_owner(partner, req)
    on = on or today()
    req = lock_request(req)
    if req.status != "approved":
        raise StateConflict(f"This request is {req.status.replace('_', ' ')}: it cannot be claimed.")
    if on < req.ends_on:
        raise CampaignError(f"Claim after the activity: it ends on {req.ends_on.isoformat()}.",
                            code="activity_not_over")
    errors: dict[str, str] = {}
    money = values.amount(amount, req.currency, "amount", errors, positive=True)
    if money is not None and money.amount_minor > (req.approved_minor or 0):
        errors["amount"] = f"At most the approved {req.approved.format()}."  # type: ignore[union-attr]
    if not proofs:
        errors["files"] = "Attach at least one proof file (invoices, photos, attendee lists)."
    note = (note or "").strip()
    if len(note) > 20000:
        errors["note"] = "At most 20,000 characters."
    if errors:
        raise ValidationFailed("The claim is incomplete: see fields.", fields=errors)
    assert money is not None
    claim = MdfClaim(partner_id=partner.id, request_id=req.id, submitted_by_id=getattr(actor, "id", None),
                     currency=req.currency, amount_minor=money.amount_minor, note=note, status="submitted")
    db.session.add(claim)
    db.session.flush()
    for upload in proofs:
        key = storage.save(upload, FOLDER)
        db.session.add(MdfProofFile(partner_id=partner.id, claim_id=claim.id, filename=upload.filename,
                                    storage_key=key, content_type=upload.content_type, size_bytes=upload.size))
    req.status = "claimed"
    db.session.flush()
    names = ", ".join(p.filename for p in proofs)
    record(req, actor, "claimed", money.amount_minor, f"Proof: {names}" + (f"\n{note}" if note else ""))
    notify(reviewers(partner), CLAIMED, f"MDF claim from {partner.name}: {money.format()}",
           f"{req.activity}: {len(proofs)} proof file(s).", staff_link(req))
    return claim


def _open_claim(req: MdfRequest, status: str, action: str) -> MdfClaim:
    claim = req.claim
    if req.status != status or claim is None:
        raise StateConflict(f"This request is {req.status.replace('_', ' ')}: its claim cannot be {action}.")
    return claim


def approve_claim(partner: Partner, actor: User, req: MdfRequest, amount: Any = None, note: str = "") -> MdfClaim:
    """Accept the claim (or less of it); what was approved but not claimed returns to the budget."""
    check_owner(partner, req)
    check_reviewer(actor, partner)
    campaign = lock_campaign(req.campaign_id)
    req = lock_request(req)
    claim = _open_claim(req, "claimed", "approved")
    errors: dict[str, str] = {}
    raw = claim.amount.as_str() if amount is None or str(amount).strip() == "" else amount
    money = values.amount(raw, req.currency, "amount", errors, positive=True)
    if money is not None and money.amount_minor > claim.amount_minor:
        errors["amount"] = f"At most the claimed {claim.amount.format()}."
    if errors:
        raise ValidationFailed("The amount is invalid.", fields=errors)
    assert money is not None
    released = (req.approved_minor or 0) - money.amount_minor
    campaign.mdf_reserved_minor -= released
    claim.status, claim.approved_minor = "approved", money.amount_minor
    claim.decided_by_id, claim.decided_at, claim.decision_note = actor.id, utcnow(), (note or "").strip()
    req.status = "claim_approved"
    db.session.flush()
    extra = f" {values.money_text(released, req.currency)} {req.currency} released to the budget." if released else ""
    record(req, actor, "claim_approved", money.amount_minor, (claim.decision_note + extra).strip())
    audit.record(actor, "mdf.claim_approve", req, after={"approved": money.as_str(), "currency": req.currency,
                                                         "released": values.money_text(released, req.currency)},
                 summary=f"MDF claim on request #{req.id} of {partner.name} approved: {money.format()}"
                 f" of {claim.amount.format()} claimed")
    notify(partner_side(partner, req), CLAIM_APPROVED, f"MDF claim approved: {money.format()} for {req.activity}",
           "It will be paid shortly." + (f"\n{claim.decision_note}" if claim.decision_note else ""),
           partner_link(req))
    return claim


def reject_claim(partner: Partner, actor: User, req: MdfRequest, reason: str) -> MdfClaim:
    """Refuse the claim; the approved funds stay reserved and the partner may claim again."""
    check_owner(partner, req)
    check_reviewer(actor, partner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give a reason for the rejection.", fields={"reason": "This field is required."})
    req = lock_request(req)
    claim = _open_claim(req, "claimed", "rejected")
    claim.status = "rejected"
    claim.decided_by_id, claim.decided_at, claim.decision_note = actor.id, utcnow(), reason
    req.status = "approved"
    db.session.flush()
    record(req, actor, "claim_rejected", claim.amount_minor, reason)
    audit.record(actor, "mdf.claim_reject", req,
                 summary=f"MDF claim on request #{req.id} of {partner.name} rejected: {reason}")
    notify(partner_side(partner, req), CLAIM_REJECTED, f"MDF claim rejected: {req.activity}",
           f"{reason}\nYou may claim again with better proof.", partner_link(req))
    return claim


def mark_paid(partner: Partner, actor: User, req: MdfRequest, reference: str = "") -> MdfClaim:
    check_owner(partner, req)
    check_reviewer(actor, partner)
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise ValidationFailed("The reference is too long.", fields={"reference": "At most 100 characters."})
    req = lock_request(req)
    claim = _open_claim(req, "claim_approved", "marked paid")
    claim.status, claim.paid_at, claim.payment_reference = "paid", utcnow(), reference
    req.status = "paid"
    db.session.flush()
    record(req, actor, "paid", claim.approved_minor, f"Reference {reference}" if reference else "")
    audit.record(actor, "mdf.paid", req, after={"reference": reference or None},
                 summary=f"MDF claim on request #{req.id} of {partner.name} marked paid: "
                 f"{claim.approved.format()}" + (f", reference {reference}" if reference else ""))  # type: ignore[union-attr]
    notify(partner_side(partner, req), PAID, f"MDF paid: {claim.approved.format()} for {req.activity}",  # type: ignore[union-attr]
           f"Payment reference: {reference}" if reference else "", partner_link(req))
    return claim


def proof_of(req: MdfRequest, file_id: int) -> MdfProofFile:
    """A proof file of one of the request's claims (any other id is a 404)."""
    return load_owned(MdfProofFile, file_id, req.partner, error=NotFound, message="There is no such file.",
                      visible=lambda proof: proof.claim.request_id == req.id)
