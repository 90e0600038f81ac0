"""Quotes API (CONTRACT.md "Quotes"): create, list, read, revise, submit, approve, reject,
decline, accept, the PDF, and a revision with its diff."""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from catalog.services.pricing import LineInput
from orders.quotes import serializers as out
from orders.quotes import services
from orders.quotes.documents import pdf_filename, quote_pdf
from orders.quotes.models import QUOTE_STATUSES, Quote
from orders.quotes.schemas import (
    QuoteAccept, QuoteApprove, QuoteCreate, QuoteOut, QuoteReason, QuoteRevisionDetail, QuoteUpdate,
)
from orders.quotes.services import queries
from orders.quotes.services.drafting import KEEP
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.errors import Malformed
from portal.listing import int_arg
from portal.extensions import db
from portal.permissions import login_required, partner_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("quotes_api", __name__)
DECIDERS = ("partner_manager",)  # and admin


def _user():
    return current_user._get_current_object()


def _visible(quote_id: int) -> Quote:
    """The partner's own quote, or any quote for staff (404 otherwise)."""
    partner = current_partner()
    return services.get_quote(partner, quote_id) if partner is not None else services.get_any_quote(quote_id)


def _lines(body_lines) -> list[LineInput]:
    return [LineInput(line.sku.strip(), line.quantity, tuple(line.options)) for line in body_lines]


@bp.post("/quotes")
@partner_required
@documented(summary="Create a draft quote from lines (priced now, with the requested discount)",
            body=QuoteCreate, response=QuoteOut, status=201, roles="partner users",
            errors=(400, 403, 422))
def create_quote():
    body = parse(QuoteCreate)
    data = services.QuoteInput(lines=_lines(body.lines), opportunity_id=body.opportunity_id,
                               requested_discount_percent=body.requested_discount_percent,
                               justification=body.justification, title=body.title)
    quote = services.create_quote(current_partner(), _user(), data)
    db.session.commit()
    return jsonify(out.quote(quote)), 201


@bp.get("/quotes")
@login_required
@documented(summary="List quotes: a partner its own; staff every partner's", response=QuoteOut,
            list_of=True, query={"status": ("one of the statuses, or 'open' (partners)", (*QUOTE_STATUSES, "open")),
                                 "q": "number or reference contains",
                                 "partner_id": "staff: one partner", "mine": "managers: 'true' for "
                                 "their own partners"})
def list_quotes():
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in QUOTE_STATUSES + ("open",):
        raise Malformed(f"Unknown status {status!r}.", fields={"status": ", ".join(QUOTE_STATUSES)})
    partner = current_partner()
    partner_id = int_arg(args, "partner_id")  # staff only, but never anything but an id
    if partner is not None:
        stmt = queries.partner_quotes(partner, status=status, q=args.get("q"))
    else:
        manager = _user() if args.get("mine") == "true" else None
        stmt = queries.staff_quotes(status=status, partner_id=partner_id,
                                    manager=manager, q=args.get("q"))
    stmt = stmt.options(selectinload(Quote.revisions), selectinload(Quote.partner))
    page = list_page(stmt.order_by(Quote.created_at.desc(), Quote.id.desc()))
    return jsonify(page.envelope([out.summary(q) for q in page.items]))


@bp.get("/quotes/<id:quote_id>")
@login_required
@documented(summary="A quote with its lines, revisions and history", response=QuoteOut, errors=(404,))
def get_quote(quote_id: int):
    return jsonify(out.quote(_visible(quote_id)))


@bp.patch("/quotes/<id:quote_id>")
@partner_required
@documented(summary="Change a quote: a draft in place; a pending, approved, rejected or expired "
                    "quote gets a new revision (a draft again)", body=QuoteUpdate,
            response=QuoteOut, roles="partner users", errors=(400, 404, 409, 422))
def update_quote(quote_id: int):
    body = parse(QuoteUpdate)
    given = body.model_fields_set
    data = services.QuoteInput(
        lines=_lines(body.lines) if "lines" in given and body.lines is not None else KEEP,
        **{name: getattr(body, name) if name in given else KEEP
           for name in ("opportunity_id", "requested_discount_percent", "justification", "title")},
        change_note=body.change_note)
    quote = services.update_quote(current_partner(), _user(), quote_id, data)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.post("/quotes/<id:quote_id>/submit")
@partner_required
@documented(summary="Submit: approved at once within the tier's self-approval limit, else "
                    "pending_approval", response=QuoteOut, roles="partner users",
            errors=(404, 409, 422))
def submit_quote(quote_id: int):
    quote = services.submit_quote(current_partner(), _user(), quote_id)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.post("/quotes/<id:quote_id>/approve")
@staff_required(*DECIDERS)
@documented(summary="Approve a pending quote, possibly at a lower discount, with a comment",
            body=QuoteApprove, response=QuoteOut, roles="partner_manager (own partners), admin",
            errors=(400, 403, 404, 409, 422))
def approve_quote(quote_id: int):
    body = parse(QuoteApprove)
    quote = services.approve_quote(_user(), quote_id, body.discount_percent, body.comment)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.post("/quotes/<id:quote_id>/reject")
@staff_required(*DECIDERS)
@documented(summary="Reject a pending quote with a reason", body=QuoteReason, response=QuoteOut,
            roles="partner_manager (own partners), admin", errors=(400, 403, 404, 409, 422))
def reject_quote(quote_id: int):
    body = parse(QuoteReason)
    quote = services.reject_quote(_user(), quote_id, body.reason)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.post("/quotes/<id:quote_id>/decline")
@partner_required
@documented(summary="Decline your quote with a reason", body=QuoteReason, response=QuoteOut,
            roles="partner users", errors=(400, 404, 409, 422))
def decline_quote(quote_id: int):
    body = parse(QuoteReason)
    quote = services.decline_quote(current_partner(), _user(), quote_id, body.reason)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.post("/quotes/<id:quote_id>/accept")
@partner_required
@documented(summary="Accept an approved, unexpired quote (ordering from a quote does this too)",
            body=QuoteAccept, response=QuoteOut, roles="partner users", errors=(404, 409, 422))
def accept_quote(quote_id: int):
    body = parse(QuoteAccept) if request.get_data() else QuoteAccept()
    quote = services.accept_quote(current_partner(), _user(), quote_id, order_id=body.order_id)
    db.session.commit()
    return jsonify(out.quote(quote))


@bp.get("/quotes/<id:quote_id>/pdf")
@login_required
@documented(summary="The quote as a PDF (application/pdf)", errors=(404,))
def quote_pdf_download(quote_id: int):
    quote = _visible(quote_id)
    return Response(quote_pdf(quote), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pdf_filename(quote)}"'})


@bp.get("/quotes/<id:quote_id>/revisions/<id:number>")
@login_required
@documented(summary="One revision with its lines and the diff from the one before",
            response=QuoteRevisionDetail, errors=(404,))
def get_revision(quote_id: int, number: int):
    quote = _visible(quote_id)
    return jsonify(out.revision_detail(quote, queries.revision(quote, number)))
