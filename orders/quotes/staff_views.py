"""Back office: the quote approval queue, a quote with the partner's history and the margin
effect of its extra discount, approve (possibly lower, with a comment) or reject (with a reason)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from orders.quotes import rules, services
from orders.quotes.diff import diff_revisions
from orders.quotes.documents import pdf_filename, quote_pdf
from orders.quotes.forms import ApproveForm, ReasonForm
from orders.quotes.models import QUOTE_STATUSES, STATUS_LABELS, Quote
from orders.quotes.services import queries
from orders.quotes.services.common import self_approval_limit
from portal.db import utcnow
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import apply_sort, page_params, paginate
from portal.models import Partner
from portal.staff import staff_blueprint

SORTS = {"submitted": Quote.submitted_at, "total": Quote.total_minor, "number": Quote.number,
         "discount": Quote.requested_discount_percent, "partner": Partner.name, "status": Quote.status}

bp = staff_blueprint("quotes_staff", __name__)
NAV = (NavItem("Quote approvals", "quotes_staff.quote_queue", "clipboard-check", ("admin", "partner_manager"), 40,
               menu="Sales"),)


def age(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago, roughly: "3 d 4 h", "5 h 10 min", "12 min"."""
    if since is None:
        return "—"
    seconds = max(0, int(((now or utcnow()) - since).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min"


def _user() -> Any:
    return current_user._get_current_object()


@bp.get("/quotes")
def quote_queue():
    args = request.args
    manager = current_user.role == "partner_manager"
    scope = args.get("scope") or ("mine" if manager else "all")
    status = args.get("status", "pending_approval")
    status = status if status in QUOTE_STATUSES else None
    stmt = queries.staff_quotes(status=status, manager=_user() if scope == "mine" else None,
                                q=args.get("q"), partner_id=args.get("partner", type=int))
    stmt, sort = apply_sort(stmt.options(selectinload(Quote.partner)), args.get("sort"), SORTS,
                            "submitted", tiebreak=Quote.id)
    page, per_page = page_params(args, 25, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    return render_template("admin/quotes/queue.html", page=result, scope=scope, status=status,
                           statuses=STATUS_LABELS, age=age, now=utcnow(), limit_of=self_approval_limit,
                           pending=queries.pending_count(_user()))


def _detail(quote: Quote, approve: ApproveForm | None = None, reject: ReasonForm | None = None,
            error: str | None = None, status: int = 200):
    rev = quote.current
    previous = quote.revisions[-2] if len(quote.revisions) > 1 else None
    if approve is None:
        approve = ApproveForm(formdata=None,
                              discount_percent=rules.format_percent(rev.requested_discount_percent))
    return render_template(
        "admin/quotes/detail.html", quote=quote, rev=rev, effect=queries.margin_effect(rev),
        history=queries.partner_history(quote.partner, exclude=quote, recent=5), approve=approve,
        reject=reject or ReasonForm(formdata=None), can_decide=services.can_decide(_user(), quote),
        limit=self_approval_limit(quote.partner), age=age, now=utcnow(), error=error,
        diff=diff_revisions(previous, rev) if previous is not None else None), status


@bp.get("/quotes/<id:quote_id>")
def quote_detail(quote_id: int):
    return _detail(services.get_any_quote(quote_id))


@bp.post("/quotes/<id:quote_id>/approve")
def approve_quote(quote_id: int):
    quote = services.get_any_quote(quote_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _detail(quote, approve=form, status=400)
    try:
        quote = services.approve_quote(_user(), quote_id, form.discount_percent.data, form.comment.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        quote = services.get_any_quote(quote_id)
        apply_domain_error(form, exc)
        return _detail(quote, approve=form, error=exc.message if exc.status == 409 else None,
                       status=exc.status)
    db.session.commit()
    flash(f"{quote.number} is approved at {rules.format_percent(quote.approved_discount_percent)}%; "
          f"{quote.partner.name} is notified.", "success")
    return redirect(url_for("quotes_staff.quote_queue"))


@bp.post("/quotes/<id:quote_id>/reject")
def reject_quote(quote_id: int):
    quote = services.get_any_quote(quote_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail(quote, reject=form, status=400)
    try:
        quote = services.reject_quote(_user(), quote_id, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        quote = services.get_any_quote(quote_id)
        apply_domain_error(form, exc)
        return _detail(quote, reject=form, error=exc.message if exc.status == 409 else None,
                       status=exc.status)
    db.session.commit()
    flash(f"{quote.number} is rejected; {quote.partner.name} is notified.", "success")
    return redirect(url_for("quotes_staff.quote_queue"))


@bp.get("/quotes/<id:quote_id>/revisions/<id:number>")
def quote_revision(quote_id: int, number: int):
    quote = services.get_any_quote(quote_id)
    rev = queries.revision(quote, number)
    previous = next((r for r in quote.revisions if r.number == number - 1), None)
    return render_template("quotes/revision.html", quote=quote, rev=rev,
                           diff=diff_revisions(previous, rev) if previous is not None else None,
                           back_url=url_for("quotes_staff.quote_detail", quote_id=quote.id))


@bp.get("/quotes/<id:quote_id>/pdf")
def quote_pdf_view(quote_id: int):
    quote = services.get_any_quote(quote_id)
    return Response(quote_pdf(quote), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf_filename(quote)}"'})
