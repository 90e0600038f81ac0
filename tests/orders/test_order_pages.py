"""Partner pages: checkout with review and a one-time token, history with filters, detail with
the timeline, cancel, reorder, quick order (paste, CSV, Excel), addresses."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from sqlalchemy import func, select

from catalog.models import CartLine
from catalog.services import carts
from orders.models import Order, ShipToAddress
from portal.extensions import db
from tests.crosspartner import covers


def text(response) -> str:
    return response.get_data(as_text=True)


def fill_cart(partner, user) -> None:
    carts.add_line(partner, user, "SRV", 2, ["CPU-8", "RAM-32"])
    carts.add_line(partner, user, "LIC", 3, [])


def checkout_data(address_id, **changes):
    data = {"po_number": "PO-HTML", "address_id": str(address_id), "payment_method": "on_account",
            "notes": "", "requested_date": "", "opportunity_id": "", "quote_id": ""}
    data.update(changes)
    return data


def default_address(partner) -> ShipToAddress:
    return db.session.scalars(select(ShipToAddress).where(ShipToAddress.partner_id == partner.id)).first()


def orders_of(partner) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.partner_id == partner.id).order_by(Order.id)))


def test_checkout_reviews_then_places_once(client, login, two_partners, catalog):
    parties = two_partners
    fill_cart(parties.a, parties.a_user)
    login(parties.a_user)
    page = text(client.get("/checkout"))
    assert "Your PO number" in page and 'value="card"' not in page
    address = default_address(parties.a)
    review = client.post("/checkout/review", data=checkout_data(address.id))
    assert review.status_code == 200
    page = text(review)
    assert "Review your order" in page and "€2,769.97" in page and "Berlin" in page
    assert "Tier discount" in page or "tier discount" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert orders_of(parties.a) == []  # the review writes nothing
    data = checkout_data(address.id, token=token)
    placed = client.post("/checkout/place", data=data)
    assert placed.status_code == 302
    (order,) = orders_of(parties.a)
    assert placed.headers["Location"].endswith(f"/orders/{order.id}")
    assert order.total.as_str() == "2769.97" and order.status == "submitted" and order.source == "cart"
    assert db.session.scalar(select(func.count(CartLine.id)).where(CartLine.user_id == parties.a_user.id)) == 0
    again = client.post("/checkout/place", data=data)  # double click, back button, retry
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/orders/{order.id}")
    assert len(orders_of(parties.a)) == 1
    assert "was already placed from this form" in text(client.get(f"/orders/{order.id}"))


def test_checkout_errors_keep_the_input(client, login, two_partners, catalog):
    login(two_partners.a_user)
    response = client.post("/checkout/review", data=checkout_data("new", po_number="", recipient="Depot",
                                                                  city="Paris"))
    assert response.status_code == 400
    page = text(response)
    assert "Your purchase order number is required." in page and 'value="Depot"' in page
    fill_cart(two_partners.a, two_partners.a_user)
    response = client.post("/checkout/review", data=checkout_data("new", recipient="Depot", city="Paris"))
    assert response.status_code == 422
    assert "The ship-to address is incomplete" in text(response) and 'value="Depot"' in text(response)


def test_checkout_with_an_empty_cart_is_refused(client, login, two_partners, catalog):
    login(two_partners.a_user)
    address = default_address(two_partners.a)
    response = client.post("/checkout/review", data=checkout_data(address.id))
    assert response.status_code == 422 and "Your cart is empty." in text(response)


def test_review_warns_and_place_refuses_over_the_credit_limit(client, login, two_partners, catalog):
    carts.add_line(two_partners.a, two_partners.a_user, "LIC", 101, [])  # 10,098.99 > 10,000.00
    login(two_partners.a_user)
    address = default_address(two_partners.a)
    review = text(client.post("/checkout/review", data=checkout_data(address.id)))
    assert 'data-testid="credit-warning"' in review
    response = client.post("/checkout/place", data=checkout_data(address.id, token="t-1"))
    assert response.status_code == 422
    assert "exceeds your available credit" in text(response) and "€10,000.00" in text(response)
    assert orders_of(two_partners.a) == []


def test_a_new_address_can_be_saved_at_checkout(client, login, two_partners, catalog):
    fill_cart(two_partners.b, two_partners.b_user)
    login(two_partners.b_user)
    data = checkout_data("new", recipient="Bravo SA", street="1 rue X", postal_code="69001", city="Lyon",
                         country="FR", save_address="y", token="tok")
    assert client.post("/checkout/place", data=data).status_code == 302
    (order,) = orders_of(two_partners.b)
    assert order.ship_to["city"] == "Lyon"
    saved = default_address(two_partners.b)
    assert saved.city == "Lyon" and saved.is_default and order.ship_to_address_id == saved.id


def test_history_filters_and_detail_timeline(client, login, api, two_partners, catalog):
    client_api = api(two_partners.a_user)
    for n, sku in enumerate(("LIC", "SRV")):
        line = {"sku": sku, "quantity": 1, "options": ["CPU-8", "RAM-32"] if sku == "SRV" else []}
        client_api.post("/orders", json={"lines": [line], "po_number": f"PO-{sku}", "payment_method": "on_account"},
                        headers={"Idempotency-Key": str(n)})
    first, second = orders_of(two_partners.a)
    api(two_partners.admin).post(f"/orders/{second.id}/status", json={"status": "confirmed"})
    login(two_partners.a_user)
    page = text(client.get("/orders"))
    assert first.number in page and second.number in page and "Available" in page
    page = text(client.get("/orders?status=confirmed"))
    assert second.number in page and first.number not in page
    page = text(client.get("/orders?sku=LIC"))
    assert first.number in page and second.number not in page
    page = text(client.get(f"/orders?q={second.number}"))
    assert second.number in page and first.number not in page
    assert client.get("/orders?from=not-a-date").status_code == 400
    detail = text(client.get(f"/orders/{second.id}"))
    timeline = detail.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "Submitted" in timeline and "Confirmed" in timeline and two_partners.admin.email in timeline
    assert "Cancel order" not in detail  # confirmed: the partner can no longer cancel


def test_cancel_and_reorder_from_the_detail_page(client, login, api, two_partners, catalog):
    api(two_partners.a_user).post("/orders", json={"lines": [{"sku": "LIC", "quantity": 4}], "po_number": "P",
                                                   "payment_method": "on_account"}, headers={"Idempotency-Key": "x"})
    (order,) = orders_of(two_partners.a)
    login(two_partners.a_user)
    response = client.post(f"/orders/{order.id}/cancel", data={"reason": "Duplicate"})
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "cancelled" and order.history[-1].note == "Duplicate"
    again = client.post(f"/orders/{order.id}/cancel", data={})
    assert "can be cancelled by you only before" in text(client.get(again.headers["Location"]))
    response = client.post(f"/orders/{order.id}/reorder")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    (line,) = carts.lines_for(two_partners.a, two_partners.a_user)
    assert (line.sku, line.quantity) == ("LIC", 4)


def test_quick_order_lists_bad_lines_and_adds_the_rest(client, login, two_partners, catalog):
    login(two_partners.a_user)
    pasted = "SKU\tQty\nLIC\t2\nNOPE 3\nLIC;x\nSRV,1\n\nLIC, 1"
    response = client.post("/orders/quick", data={"lines": pasted})
    assert response.status_code == 422
    page = text(response)
    errors = page.split('data-testid="quick-errors"')[1].split("</ul>")[0]
    assert "Line 3" in errors and "Unknown SKU NOPE." in errors
    assert "Line 4" in errors and "whole number" in errors
    assert "2 lines cannot be ordered" in page and "3 lines ready" in page
    skus = re.findall(r'name="sku" value="([^"]+)"', page)
    quantities = re.findall(r'name="quantity" value="([^"]+)"', page)
    assert list(zip(skus, quantities)) == [("LIC", "2"), ("SRV", "1"), ("LIC", "1")]
    response = client.post("/orders/quick/add", data={"sku": skus, "quantity": quantities, "options": ["", "", ""]})
    assert response.status_code == 302
    lines = carts.lines_for(two_partners.a, two_partners.a_user)
    assert [(l.sku, l.quantity) for l in lines] == [("LIC", 3)]  # SRV needs options: refused with a reason
    flashes = text(client.get("/cart"))
    assert "Line 2 (SRV) not added" in flashes and "Configure it on its product page" in flashes


def test_quick_order_from_csv_and_excel_files(client, login, two_partners, catalog):
    login(two_partners.a_user)
    csv_file = (io.BytesIO("sku;quantity\nLIC;5\nGHOST;1\n".encode("utf-8-sig")), "lines.csv")
    page = text(client.post("/orders/quick", data={"file": csv_file}, content_type="multipart/form-data"))
    assert "Unknown SKU GHOST." in page and "1 line ready" in page
    book = Workbook()
    sheet = book.active
    sheet.append(["SKU", "Quantity"])
    sheet.append(["LIC", 7])
    sheet.append(["LIC", -1])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    page = text(client.post("/orders/quick", data={"file": (data, "lines.xlsx")}, content_type="multipart/form-data"))
    assert "Line 3" in page and "at least 1" in page and 'name="quantity" value="7"' in page
    bad = client.post("/orders/quick", data={"file": (io.BytesIO(b"\xff\xfe\x00junk"), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "not UTF-8" in text(bad)
    fake = client.post("/orders/quick", data={"file": (io.BytesIO(b"PK\x03\x04garbage"), "x.xlsx")},
                       content_type="multipart/form-data")
    assert fake.status_code == 422 and "not a readable Excel" in text(fake)
    empty = client.post("/orders/quick", data={"lines": "   "})
    assert empty.status_code == 422 and "No lines found" in text(empty)


def test_addresses_page(client, login, two_partners, catalog):
    login(two_partners.a_admin)
    response = client.post("/orders/addresses", data={"label": "Depot", "recipient": "Alpha", "street": "Weg 2",
                                                      "postal_code": "1", "city": "Bonn", "country": "XX"})
    assert response.status_code == 422 and "ISO 3166" in text(response)
    client.post("/orders/addresses", data={"label": "Depot", "recipient": "Alpha", "street": "Weg 2",
                                           "postal_code": "1", "city": "Bonn", "country": "DE"})
    depot = db.session.scalars(select(ShipToAddress).where(ShipToAddress.label == "Depot")).one()
    assert client.post(f"/orders/addresses/{depot.id}/default").status_code == 302
    assert default_address(two_partners.a) is not None
    db.session.refresh(depot)
    assert depot.is_default
    client.post(f"/orders/addresses/{depot.id}/remove")
    db.session.refresh(depot)
    assert depot.archived and "Weg 2" not in text(client.get("/orders/addresses"))


@covers("orders.detail", "orders.document_pdf", "orders.cancel", "orders.reorder", "orders.pay",
        "orders.default_address", "orders.remove_address")
def test_another_partners_orders_and_addresses_are_404(client, login, api, two_partners, catalog):
    api(two_partners.a_user).post("/orders", json={"lines": [{"sku": "LIC", "quantity": 1}], "po_number": "P",
                                                   "payment_method": "on_account"}, headers={"Idempotency-Key": "x"})
    (order,) = orders_of(two_partners.a)
    address = default_address(two_partners.a)
    login(two_partners.b_admin)
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.get(f"/orders/{order.id}/document.pdf").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel").status_code == 404
    assert client.post(f"/orders/{order.id}/reorder").status_code == 404
    assert client.get(f"/orders/{order.id}/pay").status_code == 404
    assert client.post(f"/orders/addresses/{address.id}/default").status_code == 404
    assert client.post(f"/orders/addresses/{address.id}/remove").status_code == 404
    db.session.refresh(order)
    db.session.refresh(address)
    assert order.status == "submitted" and not address.archived
    assert "Bravo" not in text(client.get("/orders")) or order.number not in text(client.get("/orders"))


def test_staff_and_anonymous_are_kept_out_of_partner_pages(client, login, two_partners):
    assert client.get("/orders").status_code == 302
    login(two_partners.admin)
    assert client.get("/orders").status_code == 403
    assert client.get("/checkout").status_code == 403


def test_the_dashboard_shows_credit_and_latest_orders(client, login, api, two_partners, catalog):
    api(two_partners.a_user).post("/orders", json={"lines": [{"sku": "LIC", "quantity": 1}], "po_number": "DASH-1",
                                                   "payment_method": "on_account"}, headers={"Idempotency-Key": "d"})
    login(two_partners.a_user)
    page = text(client.get("/dashboard"))
    panel = page.split('data-testid="orders-panel"')[1]
    assert "DASH-1" in panel and "€9,900.01" in panel and "€10,000.00" in panel
