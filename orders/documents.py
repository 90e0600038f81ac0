"""The order confirmation and, once invoiced, the invoice, as PDF (through portal.pdf)."""
from __future__ import annotations

from datetime import timedelta

from orders.models import Order
from portal.extensions import db
from portal.models import Partner
from portal.pdf import render_pdf

INVOICED = ("invoiced", "closed")


def order_pdf(order: Order) -> tuple[bytes, str]:
    """(PDF bytes, file name): an invoice once the order is invoiced, else a confirmation."""
    partner = db.session.get(Partner, order.partner_id)
    invoiced_at = next((h.created_at for h in order.history if h.to_status == "invoiced"), None)
    is_invoice = order.status in INVOICED and invoiced_at is not None
    due = (invoiced_at + timedelta(days=partner.payment_terms_days)).date() if is_invoice else None
    pdf = render_pdf("pdf/order.html", order=order, partner=partner, is_invoice=is_invoice,
                     invoiced_at=invoiced_at, due=due)
    kind = "invoice" if is_invoice else "order"
    return pdf, f"{kind}-{order.number}.pdf"
