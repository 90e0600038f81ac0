"""Back office: one approvals page for everything waiting for a decision, decided inline where the
feature allows a simple decision, and the "Approvals" navigation entry with its live count."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from admin.backoffice import approval_actions, approvals
from admin.backoffice.approvals import KIND_LABELS, KINDS, Scope
from admin.blueprint import bp
from admin.backoffice.partner360 import can_view
from portal.converters import parse_id
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import page_params
from portal.models import Partner
from portal.permissions import roles_required
from portal.extension_points import NavBadge, NavItem

# Where each kind of item is reviewed in full (endpoint, its id argument).
DETAIL = {"registration": ("registrations_staff.registration_detail", "registration_id"),
          "quote": ("quotes_staff.quote_detail", "quote_id"), "mdf_request": ("campaigns_staff.mdf_detail", "request_id"),
          "mdf_claim": ("campaigns_staff.mdf_detail", "request_id"),
          "application": ("admin.application_detail", "application_id")}


def nav_count() -> int:
    """Items waiting in the user's default view of the approvals page (once a request)."""
    if not (current_user.is_authenticated and approvals.can_use(current_user)):
        return 0
    if "approvals_waiting" not in g:
        g.approvals_waiting = approvals.waiting_count(_user(), approvals.default_mine(current_user))
    return g.approvals_waiting


NAV = (NavItem("Approvals", "admin.approvals", "inbox", approvals.DECIDERS, 5,
               badge=NavBadge("approvals", nav_count, "{n} waiting for a decision")),)


@bp.app_template_global()
def approvals_panel() -> dict[str, Any] | None:
    """The staff dashboard's approvals panel: what waits in the user's default view, per kind."""
    if not (current_user.is_authenticated and approvals.can_use(current_user)):
        return None
    mine = approvals.default_mine(current_user)
    tallies = approvals.counts(Scope(_user(), mine))
    oldest = min((since for _, since in tallies.values() if since is not None), default=None)
    return {"tallies": tallies, "total": sum(n for n, _ in tallies.values()), "mine": mine, "oldest": oldest,
            "labels": KIND_LABELS, "now": approvals.now(), "waited": approvals.waited}


class DecisionForm(FlaskForm):
    """An inline decision; the feature's service checks the values and says what is wrong."""

    protection_days = StringField("Protection (days)", validators=[Optional(), Length(max=6)])
    discount_percent = StringField("Discount %", validators=[Optional(), Length(max=10)])
    amount = StringField("Amount", validators=[Optional(), Length(max=20)])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)], render_kw={"rows": 1})
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)], render_kw={"rows": 1})

    def values(self, kind: str, decision: str) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in approval_actions.FIELDS[(kind, decision)]}


def _user() -> Any:
    return current_user._get_current_object()


def _scope() -> tuple[Scope, str]:
    args = request.args
    scope = args.get("scope")
    mine = approvals.default_mine(current_user) if scope not in ("mine", "all") else scope == "mine"
    kind = args.get("type") if args.get("type") in KINDS else None
    partner_id = parse_id(args.get("partner"))
    sort = args.get("sort") if args.get("sort") in approvals.SORTS else "priority"
    return Scope(_user(), mine, kind, partner_id), sort


def _render(open_item: tuple[str, int, str] | None = None, form: DecisionForm | None = None,
            error: str | None = None, status: int = 200):
    scope, sort = _scope()
    tallies = approvals.counts(scope)
    total = tallies[scope.kind][0] if scope.kind else sum(n for n, _ in tallies.values())
    if scope.partner_id is None and scope.mine == approvals.default_mine(current_user):
        g.approvals_waiting = sum(n for n, _ in tallies.values())  # the navigation badge, without a query
    number, per_page = page_params(request.args, 25, 100)
    result = approvals.page(scope, sort, number, per_page, total)
    partner = db.session.get(Partner, scope.partner_id) if scope.partner_id else None
    return render_template(
        "admin/approvals/index.html", page=result, scope=scope, sort=sort, tallies=tallies, total=total,
        labels=KIND_LABELS, kinds=KINDS, detail=DETAIL, now=approvals.now(), waited=approvals.waited,
        open_item=open_item, form=form, blank=DecisionForm(formdata=None), error=error, partner=partner,
        can_view_360=lambda p: p is not None and can_view(current_user, p)), status


@bp.get("/approvals", endpoint="approvals")
@roles_required(*approvals.DECIDERS)
def approvals_page():
    return _render()


@bp.post("/approvals/<kind>/<id:item_id>/<decision>")
@roles_required(*approvals.DECIDERS)
def decide_approval(kind: str, item_id: int, decision: str):
    if not approval_actions.decidable(kind, decision):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render((kind, item_id, decision), form, "Check the decision's fields.", 400)
    try:
        outcome = approval_actions.decide(_user(), kind, item_id, decision, form.values(kind, decision))
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        apply_domain_error(form, exc)
        on_fields = any(getattr(form, name.split(".")[0], None) is not None for name in exc.fields)
        message = "not decided: see the form on its row." if on_fields else exc.message
        return _render((kind, item_id, decision), form, f"{KIND_LABELS[kind]} #{item_id}: {message}", exc.status)
    db.session.commit()
    flash(outcome.message, "success")
    return redirect(url_for("admin.approvals", **request.args))
