"""Partner onboarding: the public application, duplicate flags, approval (partner + invited first
admin in one transaction) and rejection (the applicant is told by e-mail)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, or_, select

from portal.choices import check_country, check_currency
from portal.db import utcnow
from portal.errors import StateConflict, ValidationFailed
from portal.extension_points import NotificationKind
from portal.extensions import db
from portal.models import PARTNER_KINDS, Partner, PartnerApplication, User
from portal.money import Money
from portal.services import audit, partners, users
from portal.services import onboarding_guard as guard
from portal.services.mail import queue_email
from portal.services.notifications import manager_of, notify
from portal.services.onboarding_duplicates import find_duplicates, name_key

NEW_APPLICATION = NotificationKind("partner_application", "New partner application")
PARTNER_ASSIGNED = NotificationKind("partner_onboarded", "A new partner is assigned to you")
NOTIFICATION_KINDS = (NEW_APPLICATION, PARTNER_ASSIGNED)  # registered by the feature's init_app
REVIEWERS = ("admin", "partner_manager")
FIELDS = ("company_name", "kind", "country", "region", "currency", "website", "contact_name",
          "contact_email", "message")
REQUIRED = FIELDS[:-1]
MAX_MESSAGE = 4000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class OnboardingError(ValidationFailed):
    pass


# --- normalisation ---------------------------------------------------------------------------

def website_domain(value: Any) -> str:
    """The host of a website address without "www." (raises ValueError when it is not one)."""
    text = str(value or "").strip()
    if not text:
        raise ValueError("Give your company's website, e.g. www.example.com.")
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("Give a web address such as www.example.com.")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("This web address has an invalid host name.") from None
    host = re.sub(r"^www\d*\.", "", host)
    labels = host.split(".")
    if len(labels) < 2 or not labels[-1].isalpha() or not all(_LABEL.match(x) for x in labels):
        raise ValueError("Give a web address such as www.example.com.")
    return host


# --- the public application ------------------------------------------------------------------

def _text(value: Any, low: int, high: int, what: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) < low:
        raise ValueError(f"Give {what}." if low <= 1 else f"Give {what} of at least {low} characters.")
    if len(text) > high:
        raise ValueError(f"At most {high} characters.")
    return text


def _email(value: Any) -> str:
    try:
        return validate_email(str(value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def _kind(value: Any) -> str:
    kind = str(value or "").strip().lower()
    if kind not in PARTNER_KINDS:
        raise ValueError(f"Choose one of: {', '.join(PARTNER_KINDS)}.")
    return kind


def _region(value: Any) -> str:
    regions = current_app.config["APPLICATION_REGIONS"]
    region = str(value or "").strip().upper()
    if region not in regions:
        raise ValueError(f"Choose one of: {', '.join(regions)}.")
    return region


def clean_application(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an application; every problem is reported against its field."""
    checks = {
        "company_name": lambda v: _text(v, 2, 200, "your company's name"),
        "kind": _kind, "country": check_country, "region": _region, "currency": check_currency,
        "website": lambda v: _text(v, 1, 300, "your company's website"),
        "contact_name": lambda v: _text(v, 2, 200, "your name"),
        "contact_email": _email,
        "message": lambda v: str(v or "").strip()[:MAX_MESSAGE + 1],
    }
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key, check in checks.items():
        if key in REQUIRED and str(data.get(key) or "").strip() == "":
            errors[key] = "This field is required."
            continue
        try:
            out[key] = check(data.get(key))
        except ValueError as exc:
            errors[key] = str(exc)
    if "website" in out:
        try:
            out["domain"] = website_domain(out["website"])
        except ValueError as exc:
            errors["website"] = str(exc)
    if len(out.get("message", "")) > MAX_MESSAGE:
        errors["message"] = f"At most {MAX_MESSAGE} characters."
    if errors:
        raise OnboardingError("Your application could not be sent: check the highlighted fields.",
                              fields=errors)
    return out


def submit_application(data: Mapping[str, Any], *, ip: str, form_token: str | None,
                       honeypot: str | None = None, now: datetime | None = None) -> PartnerApplication:
    """The public form: spam guard, validation, then the application; staff are notified."""
    now = now or utcnow()
    guard.check_submission(ip, form_token, honeypot, now)
    values = clean_application(data)
    guard.record_attempt(ip, "accepted", now)
    return record_application(values, ip=ip, now=now)


def record_application(data: Mapping[str, Any], *, ip: str | None = None,
                       now: datetime | None = None) -> PartnerApplication:
    """Validate and store an application without the spam guard (trusted callers: the demo)."""
    now = now or utcnow()
    values = clean_application(data)
    application = PartnerApplication(**values, name_key=name_key(values["company_name"]),
                                     submitted_ip=ip, status="pending", created_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    applicant = SimpleNamespace(id=None, email=f"{application.contact_email} (applicant)")
    audit.record(applicant, "application.submit", application, ip=ip,
                 summary=f"Application from {application.company_name} ({application.domain})")
    _tell_reviewers(application)
    return application


def _tell_reviewers(application: PartnerApplication) -> None:
    reviewers = db.session.scalars(select(User).where(User.role.in_(REVIEWERS), User.active.is_(True)))
    flags = find_duplicates([application]).get(application.id, [])
    body = (f"{application.company_name} ({application.kind}, {application.country}, "
            f"{application.region}) applied to become a partner. Contact: {application.contact_name} "
            f"<{application.contact_email}>, {application.website}.")
    if flags:
        body += " Possible duplicate: " + "; ".join(f.describe() for f in flags) + "."
    notify(reviewers, NEW_APPLICATION, f"New partner application: {application.company_name}", body,
           link=f"/admin/applications/{application.id}")


# --- decisions -------------------------------------------------------------------------------

PARTNER_FIELDS = ("name", "kind", "tier", "country", "region", "currency", "credit_limit",
                  "payment_terms_days", "manager_id")
ADMIN_FIELDS = {"email": "admin_email", "name": "admin_name"}


def approval_defaults(application: PartnerApplication) -> dict[str, Any]:
    """What the approval starts from: the application's answers and entry-level terms."""
    return {"name": application.company_name, "kind": application.kind,
            "country": application.country, "region": application.region,
            "currency": application.currency, "tier": "registered",
            "credit_limit": Money(0, application.currency).as_str(), "payment_terms_days": 30,
            "manager_id": None, "admin_name": application.contact_name,
            "admin_email": application.contact_email}


def _locked_pending(application: PartnerApplication) -> PartnerApplication:
    """The application re-read under a row lock: two reviewers cannot both decide it."""
    fresh = db.session.scalars(
        select(PartnerApplication).where(PartnerApplication.id == application.id)
        .with_for_update().execution_options(populate_existing=True)).one()
    if fresh.status != "pending":
        raise StateConflict(f"This application is already {fresh.status}.", code="already_decided")
    return fresh


def _admin_problems(values: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    admin = {"name": " ".join(str(values.get("admin_name") or "").split())}
    if not 1 <= len(admin["name"]) <= 200:
        errors["admin_name"] = "Give the first administrator's name (at most 200 characters)."
    try:
        admin["email"] = _email(values.get("admin_email"))
    except ValueError as exc:
        errors["admin_email"] = str(exc)
    else:
        if db.session.scalar(select(User.id).where(func.lower(User.email) == admin["email"])):
            errors["admin_email"] = "A user with this e-mail already exists: choose another address."
    return admin, errors


def approve_application(actor: User, application: PartnerApplication,
                        data: Mapping[str, Any]) -> Partner:
    """Create the partner and invite its first partner_admin; the caller commits both or neither."""
    application = _locked_pending(application)
    values = {**approval_defaults(application),
              **{k: v for k, v in data.items() if v is not None and v != ""}}
    admin, errors = _admin_problems(values)
    try:
        partner = partners.create_partner(actor, {k: values.get(k) for k in PARTNER_FIELDS})
    except ValidationFailed as exc:
        errors = {**exc.fields, **errors}
    if errors:
        raise OnboardingError("The partner could not be created: check the highlighted fields.",
                              fields=errors)
    try:
        user = users.create_user(actor, {**admin, "role": "partner_admin", "partner_id": partner.id})
    except ValidationFailed as exc:
        raise OnboardingError(exc.message, fields={ADMIN_FIELDS.get(k, k): v
                                                   for k, v in exc.fields.items()}) from None
    application.status = "approved"
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    application.partner_id = partner.id
    application.invited_user_id = user.id
    db.session.flush()
    audit.record(actor, "application.approve", application,
                 summary=f"Approved {application.company_name}: partner created, {user.email} invited")
    if partner.manager_id and partner.manager_id != actor.id:
        notify(manager_of(partner), PARTNER_ASSIGNED, f"New partner {partner.name} is assigned to you",
               f"{actor.name} approved the application of {partner.name} ({partner.tier}, "
               f"{partner.country}); {user.name} <{user.email}> is invited as its administrator.",
               link=f"/admin/partners/{partner.id}")
    return partner


def reject_application(actor: User, application: PartnerApplication, reason: Any) -> PartnerApplication:
    """Reject with a reason, which the applicant receives by e-mail."""
    text = str(reason or "").strip()
    if not text or len(text) > 2000:
        raise OnboardingError("Give the reason for the rejection: the applicant receives it.",
                              fields={"reason": "Give a reason of at most 2000 characters."})
    application = _locked_pending(application)
    application.status = "rejected"
    application.rejection_reason = text
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "application.reject", application,
                 summary=f"Rejected {application.company_name}: {text[:200]}")
    queue_email(application.contact_email,
                f"Your application to become a partner of {current_app.config['PORTAL_NAME']}",
                "application_rejected", application=application, reason=text)
    return application


# --- the queue -------------------------------------------------------------------------------

def search(status: str | None = "pending", q: str | None = None, kind: str | None = None,
           region: str | None = None, country: str | None = None):  # -> Select
    """Applications matching the queue's filters (unsorted)."""
    stmt = select(PartnerApplication)
    if status in ("pending", "approved", "rejected"):
        stmt = stmt.where(PartnerApplication.status == status)
    text = (q or "").strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(PartnerApplication.company_name.ilike(like),
                              PartnerApplication.domain.ilike(like),
                              PartnerApplication.contact_email.ilike(like),
                              PartnerApplication.contact_name.ilike(like)))
    if kind in PARTNER_KINDS:
        stmt = stmt.where(PartnerApplication.kind == kind)
    if region:
        stmt = stmt.where(PartnerApplication.region == region.strip().upper())
    if country:
        stmt = stmt.where(PartnerApplication.country == country.strip().upper())
    return stmt


def pending_count() -> int:
    """Open applications (for approval queues and dashboards)."""
    return db.session.scalar(select(func.count(PartnerApplication.id))
                             .where(PartnerApplication.status == "pending")) or 0
