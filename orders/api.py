"""Orders API (CONTRACT.md "Orders"): place (idempotent), list, read, cancel, staff status
changes, the PDF, and a retry of the card payment."""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user

from catalog.services.pricing import lines_from
from orders import documents, payments, serializers as out
from orders.api_schemas import (
    OrderCancelIn, OrderCreate, OrderOut, OrderPaymentOut, OrderStatusIn, OrderSummaryOut,
)
from orders.models import ORDER_STATUSES, Order
from orders.services import OrderError, checkout, queries, status
from orders.services.idempotency import request_hash
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.db import get_for_partner_or_404, get_or_404
from portal.errors import Malformed
from portal.listing import int_arg
from portal.extensions import db
from portal.permissions import login_required, partner_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("orders_api", __name__)


def _order(order_id: int) -> Order:
    """A partner user's own order (another partner's is a 404); staff see every order."""
    partner = current_partner()
    return get_for_partner_or_404(Order, order_id, partner) if partner else get_or_404(Order, order_id)


@bp.post("/orders")
@partner_required
@documented(summary="Place an order from lines or an approved quote (header Idempotency-Key "
                    "required; the same key and body return the same order)",
            body=OrderCreate, response=OrderOut, status=201, roles="partner_admin, partner_user",
            headers={"Idempotency-Key": ("a unique string per order, 1 to 255 characters", {
                "type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[!-~]([ -~]*[!-~])?$"})},
            errors=(400, 403, 409, 422))
def create_order():
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise Malformed("Send an Idempotency-Key header (a unique string per order).",
                        code="idempotency_key_required",
                        fields={"Idempotency-Key": "This header is required."})
    body = parse(OrderCreate)
    if (body.quote_id is None) == (body.lines is None):
        raise Malformed("Give either quote_id or lines.", fields={"lines": "Give lines or a quote_id."})
    data = body.model_dump(exclude_none=True, mode="json")
    lines = lines_from(l.model_dump() for l in body.lines) if body.lines is not None else None
    once = checkout.Idempotency("api", key, request_hash(data))
    placed = checkout.place(current_partner(), current_user,
                            checkout.PlaceRequest(data, "api", quote_id=body.quote_id, lines=lines, idempotency=once))
    db.session.commit()
    order = placed.order
    message = checkout.start_card_payment(order) if placed.created else None
    response = jsonify(out.order(order, message=message))
    response.status_code = 201 if placed.created else 200
    if not placed.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/orders")
@login_required
@documented(summary="List orders (a partner: its own; staff: all, ?partner_id=)", response=OrderSummaryOut,
            list_of=True, query={"status": ("an order status", ORDER_STATUSES), "po": "PO number contains",
                                 "sku": "has a line whose SKU contains",
                                 "from": ("placed on or after (YYYY-MM-DD)", "date"),
                                 "to": ("placed on or before (YYYY-MM-DD)", "date"),
                                 "partner_id": "staff: one partner"}, errors=(400,))
def list_orders():
    partner = current_partner()
    int_arg(request.args, "partner_id")  # an id or nothing: 400 before the query
    stmt = queries.for_partner(partner, request.args) if partner else queries.for_staff(request.args)
    page = list_page(stmt.order_by(Order.created_at.desc(), Order.id.desc()))
    return jsonify(page.envelope([out.summary(o) for o in page.items]))


@bp.get("/orders/<id:order_id>")
@login_required
@documented(summary="An order with its lines, status history and payment", response=OrderOut, errors=(404,))
def get_order(order_id: int):
    return jsonify(out.order(_order(order_id)))


@bp.post("/orders/<id:order_id>/cancel")
@login_required
@documented(summary="Cancel an order (partner: before confirmed; staff: before shipped); a paid "
                    "card order is refunded", body=OrderCancelIn, response=OrderOut, errors=(404, 409))
def cancel_order(order_id: int):
    order = _order(order_id)
    data = request.get_json(silent=True)
    reason = str(data.get("reason") or "") if isinstance(data, dict) else ""
    partner = current_partner()
    if partner is not None:
        status.cancel_for_partner(partner, current_user, order.id, reason)
    else:
        status.change_status(current_user, order.id, "cancelled", note=reason)
    db.session.commit()
    payments.after_cancel(order.id)
    return jsonify(out.order(db.session.get(Order, order_id)))


@bp.post("/orders/<id:order_id>/status")
@staff_required()
@documented(summary="Move an order on (confirmed, shipped with tracking, invoiced, closed) or "
                    "cancel it; an illegal transition is a 409", body=OrderStatusIn, response=OrderOut,
            roles="staff", errors=(400, 404, 409, 422))
def set_status(order_id: int):
    order = get_or_404(Order, order_id)
    body = parse(OrderStatusIn)
    status.change_status(current_user, order.id, body.status, body.tracking, body.note or "")
    db.session.commit()
    if body.status == "cancelled":
        payments.after_cancel(order.id)
    return jsonify(out.order(db.session.get(Order, order_id)))


@bp.post("/orders/<id:order_id>/payment")
@partner_required
@documented(summary="Card order: (re)start its payment and get the PaymentIntent's client_secret",
            response=OrderPaymentOut, errors=(404, 409, 503))
def start_payment(order_id: int):
    order = _order(order_id)
    if not payments.card_enabled():
        raise OrderError("Card payments are not available.", code="payment_unavailable", status=409)
    payments.begin(order.id)
    return jsonify(out.payment_of(db.session.get(Order, order_id)))


@bp.get("/orders/<id:order_id>/invoice.pdf")
@login_required
@documented(summary="The order confirmation, or the invoice once invoiced (application/pdf)", errors=(404,))
def invoice_pdf(order_id: int):
    order = _order(order_id)
    pdf, filename = documents.order_pdf(order)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
