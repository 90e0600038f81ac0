"""Races from the issue 14 audit, run on PostgreSQL with real threads, each with its own
connection and real commits (docs/security.md "races"):

- one cart placed from several tabs at once, and one quote ordered through the API with several
  Idempotency-Keys at once, give exactly one order; the others get a clear 409 / flash;
- 30 concurrent wrong passwords are counted one by one: the slow-down starts on time;
- a reset link used concurrently works exactly once;
- a user's own concurrent re-claims of a lead all succeed; other partners' get one winner.
"""
from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, func, select

from catalog.services import carts
from catalog.services.pricing import LineInput
from opportunities.leads.models import Lead
from orders.models import Order
from orders.quotes import services as quotes
from orders.quotes.models import Quote
from portal.extensions import db
from portal.models import AuditEntry, AuthLink, Partner, User
from portal.services import auth, tokens
from tests.conftest import TEST_DB_URL, login_as
from tests.factories import make_partner, make_user
from tests.opportunities.leads.helpers import make_lead
from tests.orders.committed import World, build_world, destroy_world

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not TEST_DB_URL.startswith("postgresql"),
                       reason="races need PostgreSQL (set TEST_DATABASE_URL): SQLite serialises all writes"),
]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def committed(app) -> Iterator[None]:
    """Sessions bound to a real engine with room for 32 connections (not the test's rolled-back
    connection), so every thread commits for real; each test removes what it made."""
    engine = create_engine(TEST_DB_URL, pool_size=32, max_overflow=0)
    saved = db.engines[None]
    db.session.remove()
    db.engines[None] = engine
    try:
        yield
    finally:
        db.session.remove()
        db.engines[None] = saved
        engine.dispose()


@pytest.fixture
def world(app, committed) -> Iterator[World]:
    made = build_world(app, credit_limit_minor=100_000, users=1)  # credit limit 1,000.00 EUR
    with app.app_context():
        user = db.session.get(User, made.user_ids[0])
        auth.set_password(user, PASSWORD)
        db.session.commit()
    yield made
    with app.app_context():
        db.session.execute(delete(Quote).where(Quote.partner_id == made.partner_id))
        db.session.commit()
    destroy_world(app, made)


def at_once(app, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released together, each in its own app context."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - the assertions show what each thread got
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def orders_of(app, partner_id: int) -> list[Order]:
    with app.app_context():
        return list(db.session.scalars(select(Order).where(Order.partner_id == partner_id)))


# --- 1. one cart, one quote: one order ----------------------------------------------------

def test_one_cart_placed_from_four_tabs_at_once_is_ordered_once(app, world):
    with app.app_context():
        partner, user = db.session.get(Partner, world.partner_id), db.session.get(User, world.user_ids[0])
        carts.add_line(partner, user, world.skus[1], 3, [])
        address_id = str(partner_addresses(partner)[0])
        tabs = [login_as(app.test_client(), user) for _ in range(4)]
        db.session.commit()
    form = {"po_number": "TABS", "address_id": address_id, "payment_method": "on_account"}
    forms = []
    for tab in tabs:  # each tab went through the review step: four different one-time tokens
        page = tab.post("/checkout/review", data=form)
        assert page.status_code == 200, page.data
        forms.append(place_form(page.get_data(as_text=True)))
    assert len({f["token"] for f in forms}) == 4

    results = at_once(app, 4, lambda i: tabs[i].post("/checkout/place", data=forms[i]))

    (order,) = orders_of(app, world.partner_id)
    assert order.total_minor == 3000
    assert all(r.status_code in (302, 303) for r in results), results
    assert all(r.headers["Location"].endswith(f"/orders/{order.id}") for r in results)
    pages = [tabs[i].get(r.headers["Location"]).get_data(as_text=True) for i, r in enumerate(results)]
    assert sum(f"Order {order.number} is placed" in p for p in pages) == 1
    assert sum(f"ordered from another tab or window as order {order.number}" in p for p in pages) == 3
    with app.app_context():
        assert carts.lines_for(db.session.get(Partner, world.partner_id),
                               db.session.get(User, world.user_ids[0])) == []


def place_form(page: str) -> dict[str, str]:
    """What the review page's "Place order" button sends (its hidden fields)."""
    form = page[page.index('id="place-form"'):page.index("</form>", page.index('id="place-form"'))]
    return {html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def partner_addresses(partner: Partner) -> list[int]:
    from orders.services import addresses

    return [a.id for a in addresses.saved(partner)]


def test_one_quote_ordered_with_four_idempotency_keys_at_once_is_ordered_once(app, world):
    with app.app_context():
        partner, user = db.session.get(Partner, world.partner_id), db.session.get(User, world.user_ids[0])
        quote = quotes.create_quote(partner, user, quotes.QuoteInput(
            lines=[LineInput(world.skus[1], 60)], requested_discount_percent="0"))  # 600.00
        quote = quotes.submit_quote(partner, user, quote.id)
        assert quote.status == "approved"
        quote_id, number = quote.id, quote.number
        db.session.commit()

    def order(i: int):
        response = app.test_client().post("/api/v1/orders", json={
            "quote_id": quote_id, "po_number": f"Q{i}", "payment_method": "on_account"},
            headers={"Authorization": f"Bearer {world.tokens[0]}", "Idempotency-Key": f"quote-{i}"})
        return response.status_code, response.get_json()

    results = at_once(app, 4, order)

    codes = sorted(code for code, _ in results)
    assert codes == [201, 409, 409, 409], results  # not 422 "over the credit limit" for the losers
    (placed,) = orders_of(app, world.partner_id)
    for code, body in results:
        if code == 409:
            assert body["error"]["code"] == "already_ordered"
            assert body["error"]["message"] == (f"Quote {number} was already ordered as order "
                                                f"{placed.number}; it was not ordered twice.")
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        assert (quote.status, quote.order_id) == ("accepted", placed.id)


# --- 2. the log-in failure counter ---------------------------------------------------------

def test_thirty_concurrent_wrong_passwords_are_counted_one_by_one(app, world):
    app.config.update(LOGIN_SLOWDOWN_AFTER=3, LOGIN_SLOWDOWN_SECONDS=600)  # no wait ends during the test
    try:
        with app.app_context():
            email = db.session.get(User, world.user_ids[0]).email

        def attempt(i: int):
            response = app.test_client().post("/login", data={"email": email, "password": f"wrong-{i}"})
            return response.status_code, response.get_data(as_text=True)

        results = at_once(app, 30, attempt)
    finally:
        app.config.update(LOGIN_SLOWDOWN_AFTER=3, LOGIN_SLOWDOWN_SECONDS=1)

    codes = [code for code, _ in results]
    # Exactly three passwords were checked (and counted); the 27 others were told to wait
    # without their password being tried.
    assert codes.count(401) == 3 and codes.count(429) == 27, codes
    assert all(re.search(r"wait \d+ s before trying again", page) for code, page in results if code == 429)
    with app.app_context():
        user = db.session.get(User, world.user_ids[0])
        assert user.failed_logins == 3 and user.locked_until is None


# --- 3. single-use links -------------------------------------------------------------------

def test_a_reset_link_used_eight_times_at_once_works_once(app, world):
    with app.app_context():
        user = db.session.get(User, world.user_ids[0])
        raw = auth.create_link(user, "reset")
        version = user.auth_version
        db.session.commit()

    def use(i: int):
        response = app.test_client().post(f"/password/reset/{raw}", data={
            "password": f"new-password-{i:02d}", "confirm": f"new-password-{i:02d}"})
        return response.status_code, response.get_data(as_text=True)

    results = at_once(app, 8, use)

    codes = sorted(code for code, _ in results)
    assert codes.count(302) == 1, codes
    assert all(code in (400, 410) for code in codes if code != 302), codes
    for code, page in results:
        if code == 400:
            assert "This link has expired or was already used. Ask for a new one." in page
    with app.app_context():
        user = db.session.get(User, world.user_ids[0])
        assert user.auth_version == version + 1  # the password was set once
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "user.password_reset", AuditEntry.actor_id == user.id)) == 1
        assert db.session.scalars(select(AuthLink).where(AuthLink.user_id == user.id)).one().used_at is not None


# --- 4. lead claims ------------------------------------------------------------------------

@pytest.fixture
def lead_world(app, committed) -> Iterator[dict]:
    with app.app_context():
        staff = make_user(role="partner_manager")
        partners, users, raws = [], [], []
        for _ in range(3):
            partner = make_partner(region="EMEA", tier="gold")
            user = make_user(partner, "partner_user")
            partners.append(partner.id)
            users.append(user.id)
            raws.append(tokens.issue_token(None, user, "race")[1])
        made = {"partners": partners, "users": users, "tokens": raws, "staff": staff.id,
                "lead": make_lead(staff).id}
        db.session.commit()
    yield made
    with app.app_context():
        db.session.execute(delete(Lead).where(Lead.id == made["lead"]))
        db.session.execute(delete(AuditEntry).where(AuditEntry.actor_id.in_(made["users"] + [made["staff"]])))
        db.session.execute(delete(User).where(User.id.in_(made["users"] + [made["staff"]])))
        db.session.execute(delete(Partner).where(Partner.id.in_(made["partners"])))
        db.session.commit()


def claim(app, lead_id: int, token: str):
    response = app.test_client().post(f"/api/v1/leads/{lead_id}/claim",
                                      headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_a_users_own_concurrent_claims_all_succeed(app, lead_world):
    results = at_once(app, 6, lambda i: claim(app, lead_world["lead"], lead_world["tokens"][0]))
    assert [code for code, _ in results] == [200] * 6, results
    assert {body["owner_partner_id"] for _, body in results} == {lead_world["partners"][0]}
    with app.app_context():
        lead = db.session.get(Lead, lead_world["lead"])
        assert (lead.status, lead.owner_user_id) == ("claimed", lead_world["users"][0])


def test_other_partners_concurrent_claims_have_one_winner(app, lead_world):
    # Two claims of each of the three partners' users, all at once.
    results = at_once(app, 6, lambda i: claim(app, lead_world["lead"], lead_world["tokens"][i % 3]))
    winners = {body["owner_partner_id"] for code, body in results if code == 200}
    assert len(winners) == 1, results
    (winner,) = winners
    for i, (code, body) in enumerate(results):
        if lead_world["partners"][i % 3] == winner:
            assert code == 200, results  # the winner's own second claim is harmless
        else:
            assert code == 409 and body["error"]["code"] == "already_taken", results
