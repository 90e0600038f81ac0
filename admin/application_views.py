"""Partner applications in the back office: the queue (age, filters, sorting, duplicate flags),
one application, approval (creates the partner, invites its first admin) and rejection."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from admin.blueprint import bp
from portal import choices
from portal.db import get_or_404, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error, options
from portal.listing import apply_sort, page_params, paginate
from portal.models import PARTNER_KINDS, PARTNER_TIERS, PartnerApplication, User
from portal.permissions import roles_required
from portal.services import onboarding
from portal.services import partners as partner_service
from portal.extension_points import NavItem

REVIEWERS = onboarding.REVIEWERS
SORTS = {"created": PartnerApplication.created_at, "company": PartnerApplication.company_name,
         "kind": PartnerApplication.kind, "country": PartnerApplication.country,
         "region": PartnerApplication.region, "status": PartnerApplication.status}
STATUS_FILTERS = ("pending", "approved", "rejected", "all")
APPROVE_FIELDS = onboarding.PARTNER_FIELDS + ("admin_name", "admin_email")

NAV = (NavItem("Applications", "admin.applications", "person-plus", REVIEWERS, 85, menu="Administration"),)


class ApproveForm(FlaskForm):
    name = StringField("Partner name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options((k, k.title()) for k in PARTNER_KINDS))
    tier = SelectField("Tier", choices=options((t, t.title()) for t in PARTNER_TIERS))
    manager_id = SelectField("Partner manager", choices=[], validate_choice=False, validators=[Optional()])
    country = SelectField("Country", choices=[], validate_choice=False)
    region = StringField("Region", validators=[DataRequired(), Length(max=64)])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    credit_limit = StringField("Credit limit", validators=[InputRequired()],
                               description="In the partner's currency, e.g. 10000.00.")
    payment_terms_days = IntegerField("Payment terms (days)", validators=[InputRequired(), NumberRange(0, 365)])
    admin_name = StringField("First administrator's name", validators=[DataRequired(), Length(max=200)])
    admin_email = StringField("First administrator's e-mail", validators=[DataRequired(), Email(), Length(max=254)],
                              description="Receives the invitation to set a password.")


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(message="Give the reason: the applicant receives it."),
                                                 Length(max=2000)],
                           description="Sent to the applicant by e-mail.")


@bp.app_template_global()
def application_age(created: datetime, now: datetime | None = None) -> str:
    """How long an application has waited, in words ("3 days", "5 hours", "12 minutes")."""
    seconds = max(0, int(((now or utcnow()) - created).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "just now"


@bp.get("/applications")
@roles_required(*REVIEWERS)
def applications():
    args = request.args
    status = args.get("status") if args.get("status") in STATUS_FILTERS else "pending"
    stmt = onboarding.search(status=status, q=args.get("q"), kind=args.get("kind"),
                             region=args.get("region"), country=args.get("country"))
    if args.get("flagged") == "1":
        candidates = db.session.scalars(stmt.where(PartnerApplication.status == "pending")).all()
        stmt = stmt.where(PartnerApplication.id.in_(list(onboarding.find_duplicates(candidates))))
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "created", tiebreak=PartnerApplication.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    return render_template("admin/applications/index.html", page=result, status=status,
                           flags=onboarding.find_duplicates(result.items), kinds=PARTNER_KINDS,
                           statuses=STATUS_FILTERS, now=utcnow(),
                           pending=onboarding.pending_count())


def _approve_form(application: PartnerApplication, formdata: bool) -> ApproveForm:
    form = ApproveForm() if formdata else ApproveForm(formdata=None,
                                                      data=onboarding.approval_defaults(application))
    if not formdata:
        default_manager = current_user.id if current_user.role == "partner_manager" else None
        form.manager_id.data = str(default_manager or "")
    form.country.choices = options(choices.country_options())
    form.manager_id.choices = options([("", "No manager")] + [
        (str(u.id), f"{u.name} ({u.email})") for u in partner_service.managers()])
    return form


def _detail(application: PartnerApplication, approve: ApproveForm | None = None,
            reject: RejectForm | None = None, status: int = 200):
    decided_by = db.session.get(User, application.decided_by_id) if application.decided_by_id else None
    invited = db.session.get(User, application.invited_user_id) if application.invited_user_id else None
    return render_template(
        "admin/applications/detail.html", application=application, decided_by=decided_by,
        invited=invited, flags=onboarding.find_duplicates([application]).get(application.id, []),
        approve_form=approve or _approve_form(application, formdata=False),
        reject_form=reject or RejectForm(formdata=None), now=utcnow()), status


@bp.get("/applications/<id:application_id>")
@roles_required(*REVIEWERS)
def application_detail(application_id: int):
    return _detail(get_or_404(PartnerApplication, application_id))


@bp.post("/applications/<id:application_id>/approve")
@roles_required(*REVIEWERS)
def approve_application(application_id: int):
    application = get_or_404(PartnerApplication, application_id)
    form = _approve_form(application, formdata=True)
    if not form.validate_on_submit():
        return _detail(application, approve=form, status=400)
    try:
        partner = onboarding.approve_application(
            current_user, application, {name: getattr(form, name).data for name in APPROVE_FIELDS})
    except DomainError as exc:
        db.session.rollback()  # nothing of the partner or the invitation stays
        if exc.status == 409:
            flash(exc.message, "warning")
            return redirect(url_for("admin.application_detail", application_id=application_id))
        apply_domain_error(form, exc)
        return _detail(get_or_404(PartnerApplication, application_id), approve=form, status=exc.status)
    db.session.commit()
    flash(f"{partner.name} is a partner now; {form.admin_email.data} is invited by e-mail to set a "
          "password.", "success")
    return redirect(url_for("admin.partner_detail", partner_id=partner.id))


@bp.post("/applications/<id:application_id>/reject")
@roles_required(*REVIEWERS)
def reject_application(application_id: int):
    application = get_or_404(PartnerApplication, application_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail(application, reject=form, status=400)
    try:
        onboarding.reject_application(current_user, application, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 409:
            flash(exc.message, "warning")
            return redirect(url_for("admin.application_detail", application_id=application_id))
        apply_domain_error(form, exc)
        return _detail(get_or_404(PartnerApplication, application_id), reject=form, status=exc.status)
    db.session.commit()
    flash(f"The application of {application.company_name} is rejected; the applicant is told by "
          "e-mail.", "success")
    return redirect(url_for("admin.applications"))
