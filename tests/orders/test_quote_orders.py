"""An approved quote becomes an order at its frozen prices; other quotes are refused."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from catalog.services import pricebooks
from orders.models import Order
from orders.services.placing import OrderInput
from portal.extensions import db
from tests.orders.conftest import LIC_LINE, SERVER_LINE


def approved_quote(api, user) -> dict:
    client = api(user)
    quote = client.post("/quotes", json={"lines": [SERVER_LINE, LIC_LINE]})
    assert quote.status_code == 201, quote.json
    submitted = client.post(f"/quotes/{quote.json['id']}/submit", json={})
    assert submitted.status_code == 200 and submitted.json["status"] == "approved", submitted.json
    return quote.json


def test_an_approved_quote_is_ordered_at_its_frozen_prices(api, two_partners, catalog):
    quote = approved_quote(api, two_partners.a_user)
    # prices change after the approval: the order keeps the quote's
    pricebooks.replace_entries(None, catalog["book"], [{"code": c, "unit_price": "1.00"} for c in
                                                       ("SRV", "CPU-8", "CPU-16", "RAM-32", "RAM-64", "PSU-HI", "LIC")])
    client = api(two_partners.a_user)
    response = client.post("/orders", json={"quote_id": quote["id"], "po_number": "PO-Q",
                                            "payment_method": "on_account"}, headers={"Idempotency-Key": "q"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["total"] == quote["total"] == "2769.97" and body["quote_id"] == quote["id"]
    assert [l["unit_net"] for l in body["lines"]] == ["1235.00", "99.99"]
    assert client.get(f"/quotes/{quote['id']}").json["status"] == "accepted"
    again = client.post("/orders", json={"quote_id": quote["id"], "po_number": "PO-Q2",
                                         "payment_method": "on_account"}, headers={"Idempotency-Key": "q2"})
    assert again.status_code == 409
    assert db.session.scalar(select(Order.id).where(Order.quote_id == quote["id"])) == body["id"]


def test_a_draft_or_another_partners_quote_cannot_be_ordered(api, two_partners, catalog):
    client = api(two_partners.a_user)
    draft = client.post("/quotes", json={"lines": [LIC_LINE]}).json
    response = client.post("/orders", json={"quote_id": draft["id"], "po_number": "P", "payment_method": "on_account"},
                           headers={"Idempotency-Key": "d"})
    assert response.status_code == 409
    other = approved_quote(api, two_partners.a_admin)
    response = api(two_partners.b_user).post("/orders", json={"quote_id": other["id"], "po_number": "P",
                                                              "payment_method": "on_account"},
                                             headers={"Idempotency-Key": "o"})
    assert response.status_code == 404
    assert db.session.scalars(select(Order)).all() == []


def test_an_expired_quote_cannot_be_ordered(api, two_partners, catalog, monkeypatch):
    quote = approved_quote(api, two_partners.a_user)
    import orders.quotes.services.workflow as workflow

    later = workflow.today() + timedelta(days=400)
    monkeypatch.setattr(workflow, "today", lambda: later)
    response = api(two_partners.a_user).post("/orders", json={"quote_id": quote["id"], "po_number": "P",
                                                              "payment_method": "on_account"},
                                             headers={"Idempotency-Key": "e"})
    assert response.status_code == 409 and "expired" in response.json["error"]["message"]
    assert db.session.scalars(select(Order)).all() == []


def test_checkout_of_a_quote_in_the_browser(client, login, api, two_partners, catalog):
    quote = approved_quote(api, two_partners.a_user)
    login(two_partners.a_user)
    page = client.get(f"/checkout?quote_id={quote['id']}").get_data(as_text=True)
    assert f'value="{quote["id"]}"' in page
    address = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', page)
    data = {"po_number": "PO-QB", "payment_method": "on_account", "quote_id": str(quote["id"]),
            "address_id": next(g for g in address.groups() if g)}
    review = client.post("/checkout/review", data=data).get_data(as_text=True)
    assert quote["number"] in review and "€2,769.97" in review
    response = client.post("/checkout/place", data={**data, "token": "quote-token"})
    assert response.status_code == 302
    order = db.session.scalars(select(Order)).one()
    assert order.quote_id == quote["id"] and order.source == "quote"


def test_order_input_defaults():
    header = OrderInput("PO", "on_account")
    assert header.source == "api" and header.quote_id is None
