"""Partner quote pages: list, new quote from the cart, detail, submit / accept / decline, PDF,
and a revision with its diff (editing is in `edit_views`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.services import carts
from orders.quotes import rules, services
from orders.quotes.diff import diff_revisions
from orders.quotes.documents import pdf_filename, quote_pdf
from orders.quotes.forms import ActionForm, QuoteFromCartForm, ReasonForm
from orders.quotes.models import QUOTE_STATUSES, STATUS_LABELS, Quote
from orders.quotes.services import queries
from orders.quotes.services.common import self_approval_limit, today
from portal.errors import DomainError
from portal.extension_points import NavItem, registry
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import apply_sort, page_params, paginate
from portal.permissions import partner_required
from portal.tenancy import current_partner

bp = Blueprint("quotes", __name__)
PARTNER_ROLES = ("partner_admin", "partner_user")
SORTS = {"number": Quote.number, "created": Quote.created_at, "total": Quote.total_minor,
         "status": Quote.status, "valid_until": Quote.valid_until, "title": Quote.title}

NAV = (NavItem("Quotes", "quotes.index", "file-earmark-text", PARTNER_ROLES, 25),)


def user() -> Any:
    return current_user._get_current_object()


def line_errors(exc: DomainError) -> dict[str, str]:
    """Problems of individual lines ("lines.0.options") and of the lines as a whole."""
    return {k: v for k, v in exc.fields.items() if k == "lines" or k.startswith("lines.")}


@bp.get("/quotes")
@partner_required
def index():
    args = request.args
    status = args.get("status") if args.get("status") in QUOTE_STATUSES + ("open",) else None
    stmt = queries.partner_quotes(current_partner(), status=status, q=args.get("q"))
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "-created", tiebreak=Quote.id.desc())
    page, per_page = page_params(args, 20, 100)
    result = paginate(stmt, page, per_page, sort=sort)
    return render_template("quotes/index.html", page=result, statuses=STATUS_LABELS, status=status)


def _render_new(form: QuoteFromCartForm, errors: dict[str, str] | None = None, status: int = 200):
    cart = carts.price_cart(current_partner(), user())
    return render_template("quotes/new.html", form=form, cart=cart, line_errors=errors or {},
                           limit=self_approval_limit(current_partner())), status


@bp.get("/quotes/new")
@partner_required
def new():
    return _render_new(QuoteFromCartForm(formdata=None))


@bp.post("/quotes/new")
@partner_required
def create():
    form = QuoteFromCartForm()
    if not form.validate_on_submit():
        return _render_new(form, status=400)
    data = services.QuoteInput(title=form.title.data, opportunity_id=form.opportunity_id.data,
                               requested_discount_percent=form.requested_discount_percent.data,
                               justification=form.justification.data)
    try:
        quote = services.create_quote_from_cart(current_partner(), user(), data,
                                                empty_cart=form.empty_cart.data)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _render_new(form, line_errors(exc), 422)
    db.session.commit()
    flash(f"Quote {quote.number} is created as a draft. Check it, then submit it.", "success")
    return redirect(url_for("quotes.detail", quote_id=quote.id))


def _quote(quote_id: int) -> Quote:
    return services.get_quote(current_partner(), quote_id)


def _order_link(quote: Quote) -> str | None:
    """Where the partner orders an approved quote: the ordering feature's page
    (`registry().quote_ordering`); None, without ordering, and the page offers "Accept"."""
    ordering = registry().quote_ordering
    return ordering.order_form_url(quote) if ordering is not None else None


def render_detail(quote: Quote, *, reason_form: ReasonForm | None = None, error: str | None = None,
                  status: int = 200):
    rev = quote.current
    previous = quote.revisions[-2] if len(quote.revisions) > 1 else None
    return render_template(
        "quotes/detail.html", quote=quote, rev=rev, actions=rules.actions_for(quote.status),
        reason_form=reason_form or ReasonForm(formdata=None), action_form=ActionForm(),
        diff=diff_revisions(previous, rev) if previous is not None else None, error=error,
        order_link=_order_link(quote) if quote.status == "approved" else None,
        limit=self_approval_limit(quote.partner),
        today=today()), status


@bp.get("/quotes/<id:quote_id>")
@partner_required
def detail(quote_id: int):
    return render_detail(_quote(quote_id))


def _act(quote_id: int, action: Callable[[], Quote], done: Callable[[Quote], str]):
    """Run a workflow service; a refused transition or rule shows on the detail page."""
    quote = _quote(quote_id)
    if not ActionForm().validate_on_submit():
        return render_detail(quote, error="The form expired: reload the page and try again.", status=400)
    try:
        quote = action()
    except DomainError as exc:
        db.session.rollback()
        details = " ".join(v for k, v in exc.fields.items() if k != "status")
        return render_detail(_quote(quote_id), error=f"{exc.message} {details}".strip(), status=exc.status)
    db.session.commit()
    flash(done(quote), "success")
    return redirect(url_for("quotes.detail", quote_id=quote.id))


@bp.post("/quotes/<id:quote_id>/submit")
@partner_required
def submit(quote_id: int):
    def done(q: Quote) -> str:
        if q.status == "approved":
            return (f"{q.number} is approved: the extra discount is within your tier's limit. "
                    f"It is valid until {q.valid_until.isoformat()}.")
        return f"{q.number} is submitted and waits for your partner manager's approval."
    return _act(quote_id, lambda: services.submit_quote(current_partner(), user(), quote_id), done)


@bp.post("/quotes/<id:quote_id>/accept")
@partner_required
def accept(quote_id: int):
    return _act(quote_id, lambda: services.accept_quote(current_partner(), user(), quote_id),
                lambda q: f"{q.number} is accepted.")


@bp.post("/quotes/<id:quote_id>/decline")
@partner_required
def decline(quote_id: int):
    quote = _quote(quote_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_detail(quote, reason_form=form, status=400)
    try:
        quote = services.decline_quote(current_partner(), user(), quote_id, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        return render_detail(_quote(quote_id), reason_form=form, error=exc.message, status=exc.status)
    db.session.commit()
    flash(f"{quote.number} is declined.", "success")
    return redirect(url_for("quotes.detail", quote_id=quote.id))


@bp.get("/quotes/<id:quote_id>/pdf")
@partner_required
def pdf(quote_id: int):
    quote = _quote(quote_id)
    return Response(quote_pdf(quote), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{pdf_filename(quote)}"'})


@bp.get("/quotes/<id:quote_id>/revisions/<id:number>")
@partner_required
def revision(quote_id: int, number: int):
    quote = _quote(quote_id)
    rev = queries.revision(quote, number)
    previous = next((r for r in quote.revisions if r.number == number - 1), None)
    return render_template("quotes/revision.html", quote=quote, rev=rev,
                           diff=diff_revisions(previous, rev) if previous is not None else None,
                           back_url=url_for("quotes.detail", quote_id=quote.id))


@bp.app_template_global("quote_panel")
def quote_panel() -> dict[str, Any]:
    """Dashboard panel data: a partner's open quotes, or the quotes waiting for a manager."""
    partner = current_partner()
    if partner is not None:
        count, recent = queries.open_quotes(partner)
        return {"kind": "partner", "count": count, "recent": recent}
    if current_user.is_authenticated and current_user.role in ("partner_manager", "admin"):
        stmt = queries.approval_queue(user()).order_by(Quote.submitted_at, Quote.id)
        oldest = list(db.session.scalars(stmt.limit(5)))
        return {"kind": "manager", "count": queries.pending_count(user()), "recent": oldest}
    return {"kind": None, "count": 0, "recent": []}
