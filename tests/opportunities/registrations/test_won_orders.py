"""A won registration is linked to one of its partner's real orders; another partner's order id is refused
exactly like an unknown one (nothing about it leaks), in the API and on the page."""
from __future__ import annotations

from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registrations.services.decisions import approve_registration
from orders.models import Order
from portal.extensions import db
from tests.opportunities.registrations.helpers import register


def _order(partner, user, status: str = "submitted", po: str = "PO-1") -> Order:
    order = Order(partner_id=partner.id, placed_by_id=user.id, status=status, payment_method="on_account",
                  po_number=po, currency=partner.currency, total_minor=123_456, ship_to={})
    db.session.add(order)
    db.session.flush()
    return order


def _approved(two_partners) -> Registration:
    reg = register(two_partners.a, two_partners.a_user, "Quavendra Robotics GmbH")
    approve_registration(two_partners.manager, reg)
    return reg


def test_won_links_only_the_partners_own_live_order_api(two_partners, api):
    reg = _approved(two_partners)
    mine = _order(two_partners.a, two_partners.a_user)
    cancelled = _order(two_partners.a, two_partners.a_user, status="cancelled", po="PO-2")
    theirs = _order(two_partners.b, two_partners.b_user, po="BRAVO-SECRET-PO")
    client = api(two_partners.a_user)
    unknown = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": 987654}).json
    other = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": theirs.id})
    assert other.status_code == 422
    assert other.json["error"] == unknown["error"]  # another partner's order reads like one that does not exist
    assert other.json["error"]["fields"] == {"order_id": "No such order of your partner."}
    assert "BRAVO" not in other.get_data(as_text=True) and two_partners.b.name not in other.get_data(as_text=True)
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": cancelled.id})
    assert r.status_code == 422 and "cancelled" in r.json["error"]["fields"]["order_id"]
    assert db.session.get(Registration, reg.id).status == "approved"
    assert db.session.query(RegistrationEvent).filter_by(registration_id=reg.id, event="won").count() == 0
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": mine.id})
    assert r.status_code == 200 and r.json["status"] == "won" and r.json["won_order_id"] == mine.id
    event = db.session.query(RegistrationEvent).filter_by(registration_id=reg.id, event="won").one()
    assert event.data == {"order_id": mine.id}


def test_won_on_the_page_keeps_the_input_and_links_the_order(client, login, two_partners):
    reg = _approved(two_partners)
    mine = _order(two_partners.a, two_partners.a_user)
    theirs = _order(two_partners.b, two_partners.b_user, po="BRAVO-SECRET-PO")
    login(two_partners.a_user)
    page = client.post(f"/opportunities/{reg.id}/outcome", data={"result": "won", "order_id": str(theirs.id)})
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "No such order of your partner." in text
    assert f'value="{theirs.id}"' in text and "BRAVO" not in text
    page = client.post(f"/opportunities/{reg.id}/outcome", data={"result": "won", "order_id": "abc"})
    assert page.status_code == 422 and "Give the id of the order" in page.get_data(as_text=True)
    page = client.post(f"/opportunities/{reg.id}/outcome", data={"result": "won", "order_id": str(mine.id)},
                       follow_redirects=True)
    assert page.status_code == 200 and b"Recorded: won." in page.data
    assert f'href="/orders/{mine.id}"'.encode() in page.data
    assert db.session.get(Registration, reg.id).won_order_id == mine.id
    login(two_partners.manager)
    staff = client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    assert f'href="/admin/orders/{mine.id}"' in staff
