"""Partner endpoints (staff)."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from portal.api.blueprint import bp
from portal.api.core import documented, list_page, parse
from portal.api.schemas import PartnerCreate, PartnerOut, PartnerUpdate, present
from portal.db import get_or_404
from portal.extensions import db
from portal.listing import int_arg
from portal.models import PARTNER_STATUSES, PARTNER_TIERS, Partner
from portal.permissions import staff_required
from portal.services import partners as partner_service


def partner_json(partner: Partner) -> dict:
    data = {k: getattr(partner, k) for k in (
        "id", "name", "kind", "tier", "country", "region", "currency", "payment_terms_days",
        "status", "manager_id", "price_book_id", "created_at", "updated_at")}
    data["credit_limit"] = partner.credit_limit.as_str()
    return present(PartnerOut, data)


@bp.post("/partners")
@staff_required("partner_manager")
@documented(summary="Create a partner", body=PartnerCreate, response=PartnerOut, status=201,
            roles="admin, partner_manager", errors=(400, 403, 422))
def create_partner():
    data = parse(PartnerCreate).model_dump(exclude_none=True)
    partner = partner_service.create_partner(current_user, data)
    db.session.commit()
    return jsonify(partner_json(partner)), 201


@bp.get("/partners")
@staff_required()
@documented(summary="List partners", response=PartnerOut, list_of=True, roles="staff",
            query={"q": "name contains", "tier": "tier", "status": "active or suspended",
                   "manager_id": "the partner manager's user id"})
def list_partners():
    stmt = select(Partner).order_by(Partner.name, Partner.id)
    args = request.args
    if args.get("q"):
        stmt = stmt.where(Partner.name.ilike(f"%{args['q'].strip()}%"))
    if args.get("tier") in PARTNER_TIERS:
        stmt = stmt.where(Partner.tier == args["tier"])
    if args.get("status") in PARTNER_STATUSES:
        stmt = stmt.where(Partner.status == args["status"])
    manager_id = int_arg(args, "manager_id")
    if manager_id is not None:
        stmt = stmt.where(Partner.manager_id == manager_id)
    page = list_page(stmt)
    return jsonify(page.envelope([partner_json(p) for p in page.items]))


@bp.get("/partners/<id:partner_id>")
@staff_required()
@documented(summary="One partner", response=PartnerOut, roles="staff", errors=(404,))
def get_partner(partner_id: int):
    return jsonify(partner_json(get_or_404(Partner, partner_id)))


@bp.patch("/partners/<id:partner_id>")
@staff_required()
@documented(summary="Change a partner (any subset of fields)", body=PartnerUpdate,
            response=PartnerOut, roles="staff", errors=(400, 404, 422))
def update_partner(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    data = parse(PartnerUpdate).model_dump(exclude_unset=True)
    partner_service.update_partner(current_user, partner, data)
    db.session.commit()
    return jsonify(partner_json(partner))
