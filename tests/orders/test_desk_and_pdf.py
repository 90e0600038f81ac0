"""The staff order desk (illegal transitions get a clear message and a 409) and the PDFs."""
from __future__ import annotations

import io

from pypdf import PdfReader

from orders.models import Order
from portal.extensions import db
from tests.orders.conftest import order_body


def text(response) -> str:
    return response.get_data(as_text=True)


def place(api, user, key="k", **changes) -> Order:
    body = api(user).post("/orders", json=order_body(**changes), headers={"Idempotency-Key": key}).json
    return db.session.get(Order, body["id"])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_desk_lists_and_filters_every_partners_orders(client, login, api, two_partners, catalog):
    a = place(api, two_partners.a_user, po_number="ALPHA-9")
    b = place(api, two_partners.b_user, ship_to={"recipient": "B", "street": "S", "city": "Lyon", "country": "FR"},
              po_number="BRAVO-9")
    login(two_partners.manager)
    page = text(client.get("/admin/orders"))
    assert a.number in page and b.number in page and "Alpha Partners" in page and "Bravo Partners" in page
    page = text(client.get(f"/admin/orders?partner_id={two_partners.b.id}"))
    assert b.number in page and a.number not in page
    page = text(client.get("/admin/orders?q=ALPHA"))
    assert a.number in page and b.number not in page
    page = text(client.get("/admin/orders?mine=1"))  # the manager manages partner A only
    assert a.number in page and b.number not in page


def test_the_desk_moves_an_order_to_closed(client, login, api, two_partners, catalog):
    order = place(api, two_partners.a_user)
    login(two_partners.ops)
    detail = text(client.get(f"/admin/orders/{order.id}"))
    assert "Confirm" in detail and "Cancel order" in detail and "Alpha Partners" in detail
    for target, extra in (("confirmed", {}), ("shipped", {"tracking": "UPS 1Z999"}), ("invoiced", {}), ("closed", {})):
        response = client.post(f"/admin/orders/{order.id}/status", data={"status": target, **extra})
        assert response.status_code == 302, text(response)
    db.session.refresh(order)
    assert order.status == "closed" and order.tracking == "UPS 1Z999"
    page = text(client.get(f"/admin/orders/{order.id}"))
    assert "No further step" in page and "Cancel order" not in page


def test_an_illegal_step_on_the_desk_is_a_clear_409(client, login, api, two_partners, catalog):
    order = place(api, two_partners.a_user)
    login(two_partners.admin)
    response = client.post(f"/admin/orders/{order.id}/status", data={"status": "invoiced"})
    assert response.status_code == 409
    assert "it can only move on to confirmed, not to invoiced" in text(response)
    client.post(f"/admin/orders/{order.id}/status", data={"status": "confirmed"})
    client.post(f"/admin/orders/{order.id}/status", data={"status": "shipped"})
    response = client.post(f"/admin/orders/{order.id}/status", data={"status": "cancelled"})
    assert response.status_code == 409 and "only before it is shipped" in text(response)
    db.session.refresh(order)
    assert order.status == "shipped"


def test_partner_users_cannot_use_the_desk(client, login, two_partners):
    login(two_partners.a_admin)
    assert client.get("/admin/orders").status_code == 403


def test_confirmation_pdf_then_invoice_pdf(client, login, api, two_partners, catalog):
    order = place(api, two_partners.a_user, notes="Dock 4")
    token_client = api(two_partners.a_user)
    response = token_client.get(f"/orders/{order.id}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = pdf_text(response.data)
    assert "Order confirmation" in content and order.number in content and "PO-1" in content
    assert "2,769.97" in content and "Server" in content and "Berlin" in content and "Dock 4" in content
    staff = api(two_partners.admin)
    for step in ("confirmed", "shipped", "invoiced"):
        staff.post(f"/orders/{order.id}/status", json={"status": step})
    response = staff.get(f"/orders/{order.id}/invoice.pdf")
    content = pdf_text(response.data)
    assert "Invoice" in content and "due" in content and f"invoice-{order.number}.pdf" in response.headers["Content-Disposition"]
    login(two_partners.a_user)
    page = client.get(f"/orders/{order.id}/document.pdf")
    assert page.status_code == 200 and "Invoice" in pdf_text(page.data)
