"""Deal registration API (CONTRACT.md "Deal registrations")."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from opportunities.registrations import serializers as out
from opportunities.registrations.api_schemas import (
    ApproveIn, ApproveOut, AvailabilityCheck, AvailabilityOut, HouseAccountCreate, HouseAccountOut, OutcomeIn,
    RegistrationCreate, RegistrationOut, RejectIn,
)
from opportunities.registrations.models import STATUSES, HouseAccount, Registration
from opportunities.registrations.services import CustomerInput, RegistrationInput, check_availability, register_opportunity
from opportunities.registrations.services import decisions, house_accounts, lifecycle, registrations
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.db import get_or_404
from portal.errors import ValidationFailed
from portal.listing import int_arg
from portal.extensions import db
from portal.permissions import login_required, partner_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("opportunities_api", __name__)


def _customer(body: AvailabilityCheck | RegistrationCreate) -> CustomerInput:
    c = body.customer
    return CustomerInput(name=c.name, country=c.country, domain=c.domain, city=c.city, vat_id=c.vat_id)


def _own_or_404(registration_id: int) -> Registration:
    """A registration the partner user may see; anything else is a 404."""
    reg = registrations.get_visible(current_partner(), current_user, registration_id)
    if reg is None:
        abort(404)
    return reg


def _visible_or_404(registration_id: int) -> Registration:
    """Staff see every registration; partner users their own (a partner admin all of its partner's)."""
    if current_partner() is None:
        return get_or_404(Registration, registration_id)
    return _own_or_404(registration_id)


def _status_arg() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise ValidationFailed("Unknown status.", fields={"status": f"One of {', '.join(STATUSES)}."})
    return status


@bp.post("/opportunities")
@partner_required
@documented(summary="Register an opportunity; the answer says at once whether it conflicts",
            body=RegistrationCreate, response=RegistrationOut, status=201, roles="partner users",
            errors=(400, 403, 422))
def create_registration():
    body = parse(RegistrationCreate)
    contact = body.contact
    reg = register_opportunity(current_partner(), current_user, RegistrationInput(
        customer=_customer(body), families=body.families or [], skus=body.skus or [], amount=body.amount,
        currency=body.currency, expected_close=body.expected_close, contact_name=contact.name if contact else None,
        contact_email=contact.email if contact else None, notes=body.notes or "", source="api"),
        campaign_id=body.campaign_id)
    db.session.commit()
    return jsonify(out.registration(reg, staff=False)), 201


@bp.post("/opportunities/check")
@login_required
@documented(summary="Is this customer available? Yes or no, without details", body=AvailabilityCheck,
            response=AvailabilityOut, errors=(400, 422))
def check():
    body = parse(AvailabilityCheck)
    answer = check_availability(current_partner(), _customer(body), body.families, current_user)
    result: dict[str, object] = {"available": answer.available}
    if answer.own_registration:
        result["own_registration"] = True
        if answer.own_registration_id is not None:
            result["own_opportunity_id"] = answer.own_registration_id
    return jsonify(result)


@bp.get("/opportunities")
@login_required
@documented(summary="Registrations: a partner's own (a sales rep: those it registered); staff: all",
            response=RegistrationOut, list_of=True,
            query={"status": (", ".join(STATUSES), STATUSES), "q": "customer name, domain or reference",
                   "partner_id": "staff: one partner's"}, errors=(422,))
def list_registrations():
    partner = current_partner()
    stmt = select(Registration) if partner is None else registrations.visible_to(partner, current_user)
    partner_id = int_arg(request.args, "partner_id")
    if partner is None and partner_id is not None:
        stmt = stmt.where(Registration.partner_id == partner_id)
    stmt = registrations.filter_list(stmt, status=_status_arg(), q=request.args.get("q"))
    page = list_page(stmt.order_by(Registration.submitted_at.desc(), Registration.id.desc()))
    return jsonify(page.envelope([out.registration(r, staff=partner is None) for r in page.items]))


@bp.get("/opportunities/<id:registration_id>")
@login_required
@documented(summary="A registration with its status, protection and conflicts", response=RegistrationOut,
            errors=(404,))
def get_registration(registration_id: int):
    reg = _visible_or_404(registration_id)
    return jsonify(out.registration(reg, staff=current_partner() is None))


@bp.post("/opportunities/<id:registration_id>/approve")
@staff_required("partner_manager")
@documented(summary="Approve: protection days (default 90), deal discount; optionally reject its conflicts",
            body=ApproveIn, response=ApproveOut, roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def approve(registration_id: int):
    reg = get_or_404(Registration, registration_id)
    body = parse(ApproveIn)
    reject_ids = [r.id for r in decisions.pending_conflicting(reg)] if body.reject_conflicting else []
    rejected = decisions.approve_registration(current_user, reg, body.protection_days, body.discount_percent,
                                              reject_ids=reject_ids, rejection_reason=body.rejection_reason)
    db.session.commit()
    return jsonify({"id": reg.id, "status": reg.status, "protected_until": reg.protected_until.isoformat(),
                    "discount_percent": str(reg.discount_percent) if reg.discount_percent is not None else None,
                    "rejected_ids": [r.id for r in rejected]})


@bp.post("/opportunities/<id:registration_id>/reject")
@staff_required("partner_manager")
@documented(summary="Reject with a reason", body=RejectIn, response=RegistrationOut,
            roles="partner_manager, admin", errors=(400, 403, 404, 409, 422))
def reject(registration_id: int):
    reg = get_or_404(Registration, registration_id)
    decisions.reject_registration(current_user, reg, parse(RejectIn).reason)
    db.session.commit()
    return jsonify(out.registration(reg, staff=True))


@bp.post("/opportunities/<id:registration_id>/outcome")
@partner_required
@documented(summary="Record the outcome: won (with the order) or lost (with a reason)", body=OutcomeIn,
            response=RegistrationOut, roles="the registration's owner", errors=(400, 404, 409, 422))
def outcome(registration_id: int):
    reg = _own_or_404(registration_id)
    body = parse(OutcomeIn)
    lifecycle.record_outcome(current_partner(), current_user, reg, body.result, body.reason, body.order_id)
    db.session.commit()
    return jsonify(out.registration(reg, staff=False))


@bp.post("/opportunities/<id:registration_id>/extend")
@partner_required
@documented(summary="Request the one extension of an approved registration's protection",
            response=RegistrationOut, roles="the registration's owner", errors=(404, 409))
def extend(registration_id: int):
    reg = _own_or_404(registration_id)
    lifecycle.request_extension(current_partner(), current_user, reg)
    db.session.commit()
    return jsonify(out.registration(reg, staff=False))


@bp.post("/house-accounts")
@staff_required()
@documented(summary="Add a house account (a customer the vendor sells to directly)", body=HouseAccountCreate,
            response=HouseAccountOut, status=201, roles="staff", errors=(400, 403, 422))
def create_house_account():
    account = house_accounts.create_house_account(current_user, parse(HouseAccountCreate).model_dump())
    db.session.commit()
    return jsonify(out.house_account(account)), 201


@bp.get("/house-accounts")
@staff_required()
@documented(summary="House accounts", response=HouseAccountOut, list_of=True, roles="staff")
def list_house_accounts():
    page = list_page(select(HouseAccount).order_by(HouseAccount.name, HouseAccount.id))
    return jsonify(page.envelope([out.house_account(a) for a in page.items]))
