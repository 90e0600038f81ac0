"""The orders API (CONTRACT.md "Orders"): placing from lines, frozen prices, errors by field,
listing and filters, tenancy, idempotency, credit limit."""
from __future__ import annotations

from sqlalchemy import func, select

from catalog.services import pricebooks
from orders.models import IdempotencyKey, Order, OrderLine
from portal.extensions import db
from tests.crosspartner import covers
from tests.orders.conftest import LIC_LINE, SERVER_LINE, order_body


def count_orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_an_on_account_order_is_placed_with_frozen_prices(api, two_partners, catalog):
    client = api(two_partners.a_user)
    response = client.post("/orders", json=order_body(notes="Leave at gate 3", requested_date="2099-01-31"),
                           headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "submitted" and body["currency"] == "EUR"
    assert body["total"] == "2769.97"
    assert body["number"].startswith("SO-") and body["number"].endswith(f"{body['id']:06d}")
    server, lic = body["lines"]
    assert (server["sku"], server["quantity"], server["unit_net"], server["line_total"]) == ("SRV", 2, "1235.00", "2470.00")
    assert server["options"] == ["CPU-8", "RAM-32"] and server["name"] == "Server"
    assert [s["step"] for s in server["waterfall"]] == ["list", "tier_discount", "net"]
    assert (lic["unit_net"], lic["line_total"]) == ("99.99", "299.97")
    assert body["ship_to"]["city"] == "Berlin" and body["notes"] == "Leave at gate 3"
    assert body["requested_date"] == "2099-01-31" and body["payment"] is None
    assert [h["status"] for h in body["history"]] == ["submitted"]
    # prices are frozen: a later price change does not touch the order
    pricebooks.replace_entries(None, catalog["book"], [{"code": c, "unit_price": "1.00"} for c in
                                                       ("SRV", "CPU-8", "CPU-16", "RAM-32", "RAM-64", "PSU-HI", "LIC")])
    again = client.get(f"/orders/{body['id']}").json
    assert again["total"] == "2769.97" and again["lines"][0]["unit_net"] == "1235.00"


def test_the_idempotency_key_header_is_required(api, two_partners, catalog):
    response = api(two_partners.a_user).post("/orders", json=order_body())
    assert response.status_code == 400
    assert response.json["error"]["code"] == "idempotency_key_required"
    assert count_orders() == 0


def test_the_same_key_and_body_give_the_same_order(api, two_partners, catalog):
    client = api(two_partners.a_user)
    first = client.post("/orders", json=order_body(), headers={"Idempotency-Key": "same"})
    second = client.post("/orders", json=order_body(), headers={"Idempotency-Key": "same"})
    # the same body with its keys in another order is the same request
    reordered = dict(reversed(list(order_body().items())))
    third = client.post("/orders", json=reordered, headers={"Idempotency-Key": "same"})
    assert first.status_code == 201 and second.status_code == 200 and third.status_code == 200
    assert first.json["id"] == second.json["id"] == third.json["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_orders() == 1


def test_the_same_key_with_another_body_is_a_409(api, two_partners, catalog):
    client = api(two_partners.a_user)
    assert client.post("/orders", json=order_body(), headers={"Idempotency-Key": "k"}).status_code == 201
    response = client.post("/orders", json=order_body(po_number="PO-2"), headers={"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "idempotency_key_reused"
    assert count_orders() == 1


def test_keys_belong_to_their_user(api, two_partners, catalog):
    one = api(two_partners.a_user).post("/orders", json=order_body(), headers={"Idempotency-Key": "k"})
    other = api(two_partners.a_admin).post("/orders", json=order_body(), headers={"Idempotency-Key": "k"})
    assert one.status_code == other.status_code == 201 and one.json["id"] != other.json["id"]


def test_a_refused_order_does_not_use_up_its_key(api, two_partners, catalog):
    client = api(two_partners.a_user)
    bad = client.post("/orders", json=order_body(po_number=""), headers={"Idempotency-Key": "retry"})
    assert bad.status_code == 422 and bad.json["error"]["fields"]["po_number"]
    good = client.post("/orders", json=order_body(), headers={"Idempotency-Key": "retry"})
    assert good.status_code == 201
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 1


def test_bad_lines_are_named_and_nothing_is_written(api, two_partners, catalog):
    client = api(two_partners.a_user)
    body = order_body(lines=[{"sku": "NOPE", "quantity": 1}, {"sku": "LIC", "quantity": 0},
                             {"sku": "SRV", "quantity": 1, "options": ["CPU-16"]}])
    response = client.post("/orders", json=body, headers={"Idempotency-Key": "bad"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "Unknown SKU NOPE" in fields["lines.0.sku"]
    assert "at least 1" in fields["lines.1.quantity"]
    assert "requires" in fields["lines.2.options"]
    assert count_orders() == 0


def test_malformed_bodies_are_400_and_header_values_422(api, two_partners, catalog):
    client = api(two_partners.a_user)
    h = {"Idempotency-Key": "m"}
    assert client.post("/orders", json=[1], headers=h).status_code == 400
    assert client.post("/orders", json={"po_number": "x", "payment_method": "on_account"}, headers=h).status_code == 400
    both = client.post("/orders", json=order_body(quote_id=5), headers=h)
    assert both.status_code == 400
    response = client.post("/orders", json=order_body(payment_method="cash", requested_date="2001-01-01"),
                           headers=h)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) >= {"payment_method", "requested_date"}
    bad_date = client.post("/orders", json=order_body(requested_date="tomorrow"), headers=h)
    assert bad_date.status_code in (400, 422)
    no_address = client.post("/orders", json=order_body(ship_to={"city": "Paris"}), headers=h)
    assert no_address.status_code == 422
    assert {"ship_to.recipient", "ship_to.street", "ship_to.country"} <= set(no_address.json["error"]["fields"])
    assert count_orders() == 0


def test_card_is_refused_when_stripe_is_not_configured(api, two_partners, catalog):
    response = api(two_partners.a_user).post("/orders", json=order_body(payment_method="card"),
                                             headers={"Idempotency-Key": "c"})
    assert response.status_code == 422 and "not available" in response.json["error"]["fields"]["payment_method"]


def test_inline_ship_to_and_saved_addresses(api, two_partners, catalog):
    client = api(two_partners.a_user)
    inline = {"recipient": "Depot", "street": "Rue 1", "postal_code": "75001", "city": "Paris", "country": "fr"}
    body = client.post("/orders", json=order_body(ship_to=inline), headers={"Idempotency-Key": "a1"}).json
    assert body["ship_to"]["country"] == "FR" and body["ship_to"]["city"] == "Paris"
    other_partners = api(two_partners.b_user)
    refused = other_partners.post("/orders", json=order_body(ship_to={"address_id": 1}), headers={"Idempotency-Key": "a2"})
    assert refused.status_code == 422  # partner B has no address 1 of its own


def test_staff_cannot_place_orders(api, two_partners, catalog):
    response = api(two_partners.admin).post("/orders", json=order_body(), headers={"Idempotency-Key": "s"})
    assert response.status_code == 403


def test_list_filters_by_status_po_sku_and_date(api, two_partners, catalog):
    client = api(two_partners.a_user)
    client.post("/orders", json=order_body(po_number="ALPHA-1", lines=[LIC_LINE]), headers={"Idempotency-Key": "1"})
    client.post("/orders", json=order_body(po_number="ALPHA-2", lines=[SERVER_LINE]), headers={"Idempotency-Key": "2"})
    api(two_partners.b_user).post("/orders", json=order_body(po_number="BRAVO", ship_to={
        "recipient": "B", "street": "S", "city": "Lyon", "country": "FR"}), headers={"Idempotency-Key": "3"})
    listing = client.get("/orders").json
    assert listing["total"] == 2 and {"items", "page", "per_page", "total"} <= set(listing)
    assert [o["po_number"] for o in client.get("/orders?sku=SRV").json["items"]] == ["ALPHA-2"]
    assert [o["po_number"] for o in client.get("/orders?po=alpha-1").json["items"]] == ["ALPHA-1"]
    assert client.get("/orders?status=submitted").json["total"] == 2
    assert client.get("/orders?status=shipped").json["total"] == 0
    assert client.get("/orders?status=nonsense").status_code == 400
    assert client.get("/orders?from=2000-01-01&to=2099-12-31").json["total"] == 2
    assert client.get("/orders?to=2000-01-01").json["total"] == 0
    assert client.get("/orders?from=yesterday").status_code == 400
    staff = api(two_partners.manager).get("/orders").json
    assert staff["total"] == 3
    assert api(two_partners.manager).get(f"/orders?partner_id={two_partners.b.id}").json["total"] == 1


@covers("orders_api.get_order", "orders_api.cancel_order", "orders_api.invoice_pdf", "orders_api.start_payment")
def test_another_partners_order_is_a_404(api, two_partners, catalog):
    order_id = api(two_partners.a_user).post("/orders", json=order_body(), headers={"Idempotency-Key": "x"}).json["id"]
    other = api(two_partners.b_admin)
    assert other.get(f"/orders/{order_id}").status_code == 404
    assert other.post(f"/orders/{order_id}/cancel", json={}).status_code == 404
    assert other.get(f"/orders/{order_id}/invoice.pdf").status_code == 404
    assert other.post(f"/orders/{order_id}/payment").status_code == 404
    assert db.session.get(Order, order_id).status == "submitted"
    assert api(two_partners.a_admin).get(f"/orders/{order_id}").status_code == 200


@covers("orders_api.set_status")
def test_partner_users_cannot_change_the_status(api, two_partners, catalog):
    order_id = api(two_partners.a_user).post("/orders", json=order_body(), headers={"Idempotency-Key": "x"}).json["id"]
    assert api(two_partners.a_admin).post(f"/orders/{order_id}/status", json={"status": "confirmed"}).status_code == 403
    assert db.session.get(Order, order_id).status == "submitted"


def test_orders_appear_in_the_openapi_description(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/orders", "/orders/{order_id}", "/orders/{order_id}/cancel", "/orders/{order_id}/status",
            "/orders/{order_id}/invoice.pdf"} <= set(spec["paths"])
    assert "OrderCreate" in spec["components"]["schemas"]


def test_order_lines_are_stored_once_per_line(api, two_partners, catalog):
    order_id = api(two_partners.a_user).post("/orders", json=order_body(), headers={"Idempotency-Key": "x"}).json["id"]
    assert db.session.scalar(select(func.count(OrderLine.id)).where(OrderLine.order_id == order_id)) == 2


def test_a_twenty_line_order_costs_a_bounded_number_of_queries(api, two_partners):
    from catalog.services import pricebooks, products
    from datetime import date, timedelta

    from orders.services import addresses
    from tests.queries import count_queries

    entries = []
    for n in range(20):
        products.create_product(None, {"sku": f"Q-{n:02d}", "name": f"Item {n}", "family": "hardware"})
        entries.append({"code": f"Q-{n:02d}", "unit_price": "10.00"})
    pricebooks.create_price_book(None, {"name": "Q", "currency": "EUR",
                                        "valid_from": date.today() - timedelta(days=1), "entries": entries})
    addresses.add_address(two_partners.a, {"recipient": "R", "street": "S", "city": "C", "country": "DE"})
    client = api(two_partners.a_user)
    body = {"lines": [{"sku": f"Q-{n:02d}", "quantity": n + 1} for n in range(20)], "po_number": "Q",
            "payment_method": "on_account"}
    with count_queries() as statements:
        response = client.post("/orders", json=body, headers={"Idempotency-Key": "q"})
    assert response.status_code == 201
    assert len(response.json["lines"]) == 20
    assert len(statements) <= 60, len(statements)
    print("queries for a 20-line API order:", len(statements))
