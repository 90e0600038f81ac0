"""Leads API (CONTRACT.md "Leads"): staff create and distribute, partners claim and follow up."""
from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request
from flask_login import current_user

from opportunities.leads import queries
from opportunities.leads import serializers as out
from opportunities.leads.api_schemas import (
    ActivityIn, ActivityOut, AssignIn, CampaignIn, CloseIn, ConvertIn, LeadCreate, LeadOut, PoolIn, ReasonIn,
    StatsOut,
)
from opportunities.leads.models import LEAD_STATUSES, Lead
from opportunities.leads.rules import settings
from opportunities.registrations import serializers as registration_out
from opportunities.registrations.api_schemas import RegistrationOut
from opportunities.leads.services import LeadError, campaigns, conversion, distribution, ownership, stats
from opportunities.leads.services.common import cooldown_until
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.db import get_or_404, utcnow
from portal.errors import Malformed
from portal.listing import int_arg
from portal.extensions import db
from portal.models import Partner
from portal.permissions import login_required, partner_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("leads_api", __name__)
DISTRIBUTORS = ("partner_manager",)  # and admin


def _lead_json(lead: Lead, *, detail: bool = False, status: int = 200) -> Any:
    partner, now = current_partner(), utcnow()
    extra: dict[str, Any] = {}
    if partner is not None:
        extra["claimable_from"] = cooldown_until(lead.id, partner.id, now)
    if detail:
        extra["activities"] = queries.activities_for(lead, partner)
        if partner is None:
            extra["history"] = queries.history_of(lead)
    extra["show_campaign"] = out.campaign_shown_to(partner, lead)
    return jsonify(out.lead(lead, now, settings(), **extra)), status


def _visible(lead_id: int) -> Lead:
    """A lead the current user may see: any for staff; for partners see queries.can_see_lead."""
    partner = current_partner()
    if partner is None:
        return get_or_404(Lead, lead_id)
    return queries.lead_for_partner_or_404(partner, current_user, lead_id)


def _int_arg(name: str) -> int | None:
    return int_arg(request.args, name)  # an id: 1..2**31-1, else a 400


@bp.post("/leads")
@staff_required(*DISTRIBUTORS)
@documented(summary="Create a lead: assigned with partner_id, otherwise in the pool",
            body=LeadCreate, response=LeadOut, status=201, roles="partner_manager, admin",
            errors=(400, 403, 422))
def create_lead():
    body = parse(LeadCreate).model_dump()
    lead = distribution.create_lead(current_user, body, source="api")
    db.session.commit()
    return _lead_json(lead, status=201)


@bp.get("/leads")
@login_required
@documented(summary="Leads: partners get their pool (scope=pool) or their own leads (scope=mine, "
                    "the default); staff get every lead", response=LeadOut, list_of=True,
            query={"scope": ("pool or mine (partners)", ("pool", "mine")), "status": ("a lead status", LEAD_STATUSES),
                   "region": "staff: region", "partner_id": "staff: owning partner",
                   "q": "staff: company or contact contains"}, errors=(400,))
def list_leads():
    partner = current_partner()
    status = request.args.get("status") or None
    if status is not None and status not in LEAD_STATUSES:
        raise Malformed(f"Unknown status {status!r}.",
                        fields={"status": f"one of {', '.join(LEAD_STATUSES)}"})
    scope = request.args.get("scope") or "mine"  # staff see every lead; a bad scope is refused anyway
    if scope not in ("pool", "mine"):
        raise Malformed("scope must be pool or mine.", fields={"scope": "pool or mine"})
    partner_id = _int_arg("partner_id")  # staff only, but never anything but an id
    if partner is None:
        stmt = queries.staff_stmt(status=status, region=request.args.get("region"),
                                  partner_id=partner_id, q=request.args.get("q"))
    else:
        stmt = queries.pool_stmt(partner) if scope == "pool" else queries.mine_stmt(partner, current_user)
        if status is not None:
            stmt = stmt.where(Lead.status == status)
    page = list_page(stmt.order_by(Lead.created_at.desc(), Lead.id.desc()))
    now, cfg = utcnow(), settings()
    cooling = queries.cooldowns_for(partner, [l.id for l in page.items]) if partner is not None else {}
    return jsonify(page.envelope([out.lead(l, now, cfg, claimable_from=cooling.get(l.id),
                                           show_campaign=out.campaign_shown_to(partner, l))
                                  for l in page.items]))


@bp.get("/leads/stats")
@staff_required()
@documented(summary="Pool statistics per region and partner", response=StatsOut, roles="staff",
            query={"region": "only this region"})
def lead_stats():
    return jsonify(out.stats(stats.pool_stats(region=request.args.get("region") or None)))


@bp.get("/leads/<id:lead_id>")
@login_required
@documented(summary="A lead with its clock and activities (staff: also its history)",
            response=LeadOut, errors=(404,))
def get_lead(lead_id: int):
    return _lead_json(_visible(lead_id), detail=True)


@bp.post("/leads/<id:lead_id>/claim")
@partner_required
@documented(summary="Claim a pool lead; already taken: 409; cooling down after a lapse: 422",
            response=LeadOut, errors=(404, 409, 422))
def claim_lead(lead_id: int):
    lead = ownership.claim_lead(current_partner(), current_user, db.session.get(Lead, lead_id))
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/accept")
@partner_required
@documented(summary="Accept a lead assigned to your company", response=LeadOut, errors=(404, 409))
def accept_lead(lead_id: int):
    lead = ownership.accept_assignment(current_partner(), current_user, _visible(lead_id))
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/decline")
@partner_required
@documented(summary="Decline a lead assigned to your company (it goes to the pool)", body=ReasonIn,
            response=LeadOut, errors=(404, 409))
def decline_lead(lead_id: int):
    reason = _optional_body(ReasonIn).reason or ""
    lead = ownership.decline_assignment(current_partner(), current_user, _visible(lead_id), reason)
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/activities")
@partner_required
@documented(summary="Record a follow-up activity (restarts the follow-up clock)", body=ActivityIn,
            response=ActivityOut, status=201, errors=(400, 404, 422))
def add_activity(lead_id: int):
    body = parse(ActivityIn)
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    activity = ownership.record_activity(current_partner(), current_user, lead, body.kind, body.note)
    db.session.commit()
    return jsonify(out.present_activity(activity)), 201


@bp.post("/leads/<id:lead_id>/release")
@partner_required
@documented(summary="Give a lead back to the pool", body=ReasonIn, response=LeadOut, errors=(404,))
def release_lead(lead_id: int):
    reason = _optional_body(ReasonIn).reason or ""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    ownership.release_lead(current_partner(), current_user, lead, reason)
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/convert")
@partner_required
@documented(summary="Convert an owned lead into a deal registration (prefilled from the lead; the "
                    "same conflict check; twice: 409)", body=ConvertIn, response=RegistrationOut,
            status=201, errors=(400, 404, 409, 422))
def convert_lead(lead_id: int):
    body = parse(ConvertIn)
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    partner = current_partner()
    draft = conversion.draft_from_lead(lead, partner, body.model_dump())
    registration = conversion.convert_lead(partner, current_user, lead, draft)
    db.session.commit()
    return jsonify(registration_out.registration(registration, staff=False)), 201


@bp.post("/leads/<id:lead_id>/campaign")
@partner_required
@documented(summary="Attribute an owned lead to a campaign running for your company (null clears it); "
                    "attributing enrols your company in a running campaign", body=CampaignIn, response=LeadOut,
            roles="the lead's owner", errors=(400, 404, 409, 422))
def set_lead_campaign(lead_id: int):
    body = parse(CampaignIn)
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    campaigns.set_lead_campaign(current_partner(), current_user, lead, body.campaign_id)
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/assign")
@staff_required(*DISTRIBUTORS)
@documented(summary="Assign (or reassign) a lead to a partner, which accepts or declines by the "
                    "deadline", body=AssignIn, response=LeadOut, roles="partner_manager, admin",
            errors=(400, 403, 404, 409, 422))
def assign_lead(lead_id: int):
    lead = get_or_404(Lead, lead_id)
    body = parse(AssignIn)
    partner = db.session.get(Partner, body.partner_id)
    if partner is None:
        raise LeadError("Unknown partner.", fields={"partner_id": "No such partner."})
    distribution.assign_lead(partner, current_user, lead, deadline=body.assignment_deadline,
                             reason=body.reason or "")
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/pool")
@staff_required(*DISTRIBUTORS)
@documented(summary="Put a lead in the pool of a region (and tiers)", body=PoolIn, response=LeadOut,
            roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def pool_lead(lead_id: int):
    lead = get_or_404(Lead, lead_id)
    body = _optional_body(PoolIn)
    distribution.put_in_pool(current_user, lead, region=body.region, tiers=body.tiers,
                             reason=body.reason or "")
    db.session.commit()
    return _lead_json(lead)


@bp.post("/leads/<id:lead_id>/close")
@staff_required(*DISTRIBUTORS)
@documented(summary="Close (withdraw) a lead", body=CloseIn, response=LeadOut,
            roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def close_lead(lead_id: int):
    lead = get_or_404(Lead, lead_id)
    distribution.close_lead(current_user, lead, parse(CloseIn).reason)
    db.session.commit()
    return _lead_json(lead)


def _optional_body(model: Any) -> Any:
    """An optional JSON body: none (or empty) means the defaults."""
    if not request.get_data():
        return model()
    return parse(model)
