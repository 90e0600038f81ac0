"""Partner applications API (staff: admin, partner_manager): list, one, approve, reject.

There is no public JSON submission: the spam guard needs the rendered form (docs/onboarding.md).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from portal.api.core import api_blueprint, documented, list_page, parse
from portal.api.schemas import Amount, Body, present
from portal.api.types import Id
from portal.db import get_or_404
from portal.errors import Malformed
from portal.extensions import db
from portal.models import PartnerApplication
from portal.permissions import staff_required
from portal.services import onboarding

bp = api_blueprint("applications_api", __name__)


class Contact(BaseModel):
    name: str
    email: str


class DuplicateOut(BaseModel):
    what: str = Field(description="partner or application")
    reason: str = Field(description="name or domain")
    id: int = Field(description="the partner's or the other application's id")
    label: str


class ApplicationOut(BaseModel):
    id: int
    status: str = Field(description="pending, approved or rejected")
    company_name: str
    kind: str
    country: str
    region: str
    currency: str
    website: str
    domain: str
    contact: Contact
    message: str
    submitted_at: datetime
    duplicates: list[DuplicateOut] = Field(description="flags of a pending application")
    decided_at: datetime | None
    decided_by_id: int | None
    rejection_reason: str | None
    partner_id: int | None = Field(description="the partner created on approval")
    invited_user_id: int | None = Field(description="its first partner_admin, invited by e-mail")


class ApproveBody(Body):
    name: str | None = Field(None, description="the partner's name; default: the company name")
    kind: str | None = Field(None, description="default: the application's")
    tier: str | None = Field(None, description="default: registered")
    country: str | None = None
    region: str | None = None
    currency: str | None = None
    credit_limit: Amount | None = Field(None, description="default: 0")
    payment_terms_days: int | None = Field(None, description="default: 30")
    manager_id: Id | None = None
    admin_name: str | None = Field(None, description="the first partner_admin; default: the contact")
    admin_email: str | None = Field(None, description="receives the invitation; default: the contact's")


class RejectBody(Body):
    reason: str = Field(description="sent to the applicant by e-mail")


def application_json(application: PartnerApplication, flags: list[Any]) -> dict[str, Any]:
    data = {k: getattr(application, k) for k in (
        "id", "status", "company_name", "kind", "country", "region", "currency", "website", "domain",
        "message", "decided_at", "decided_by_id", "rejection_reason", "partner_id", "invited_user_id")}
    data["contact"] = {"name": application.contact_name, "email": application.contact_email}
    data["submitted_at"] = application.created_at
    data["duplicates"] = [{"what": f.what, "reason": f.reason, "id": f.object_id, "label": f.label}
                          for f in flags]
    return present(ApplicationOut, data)


def _one(application: PartnerApplication) -> dict[str, Any]:
    return application_json(application, onboarding.find_duplicates([application]).get(application.id, []))


@bp.get("/partner-applications")
@staff_required("partner_manager")
@documented(summary="Partner applications, oldest first", response=ApplicationOut, list_of=True,
            roles="admin, partner_manager",
            query={"status": ("pending (default), approved, rejected or all", ("pending", "approved", "rejected", "all")),
                   "q": "company, domain or contact",
                   "kind": "distributor, reseller or agent", "region": "region", "country": "ISO alpha-2"})
def list_applications():
    args = request.args
    status = args.get("status", "pending")
    if status not in ("pending", "approved", "rejected", "all"):
        raise Malformed("status must be pending, approved, rejected or all.",
                        fields={"status": "pending, approved, rejected or all"})
    stmt = onboarding.search(status=status, q=args.get("q"), kind=args.get("kind"),
                             region=args.get("region"), country=args.get("country"))
    page = list_page(stmt.order_by(PartnerApplication.created_at, PartnerApplication.id))
    flags = onboarding.find_duplicates(page.items)
    return jsonify(page.envelope([application_json(a, flags.get(a.id, [])) for a in page.items]))


@bp.get("/partner-applications/<id:application_id>")
@staff_required("partner_manager")
@documented(summary="One partner application with its duplicate flags", response=ApplicationOut,
            roles="admin, partner_manager", errors=(404,))
def get_application(application_id: int):
    return jsonify(_one(get_or_404(PartnerApplication, application_id)))


@bp.post("/partner-applications/<id:application_id>/approve")
@staff_required("partner_manager")
@documented(summary="Approve: creates the partner and invites its first partner_admin by e-mail",
            body=ApproveBody, response=ApplicationOut, roles="admin, partner_manager",
            errors=(400, 404, 409, 422))
def approve_application(application_id: int):
    application = get_or_404(PartnerApplication, application_id)
    body = parse(ApproveBody).model_dump(exclude_none=True)
    onboarding.approve_application(current_user, application, body)
    db.session.commit()
    return jsonify(_one(db.session.get(PartnerApplication, application_id)))


@bp.post("/partner-applications/<id:application_id>/reject")
@staff_required("partner_manager")
@documented(summary="Reject with a reason (e-mailed to the applicant)", body=RejectBody,
            response=ApplicationOut, roles="admin, partner_manager", errors=(400, 404, 409, 422))
def reject_application(application_id: int):
    application = get_or_404(PartnerApplication, application_id)
    body = parse(RejectBody)
    onboarding.reject_application(current_user, application, body.reason)
    db.session.commit()
    return jsonify(_one(db.session.get(PartnerApplication, application_id)))
