"""On PostgreSQL, with real commits: 20 concurrent identical submissions create exactly one
order, and concurrent on-account orders never take the open balance over the credit limit."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from orders.models import Order
from portal.extensions import db
from tests.orders.committed import World, build_world, destroy_world, make_app, restore_celery

IS_PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(not IS_PG, reason="concurrency needs PostgreSQL: set TEST_DATABASE_URL")]


@pytest.fixture(scope="module")
def committed_app(app):
    """`app` first: the schema is migrated by then."""
    other = make_app(os.environ["TEST_DATABASE_URL"])
    yield other
    restore_celery(app)
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def world(committed_app) -> Iterator[World]:
    made = build_world(committed_app, credit_limit_minor=100_000, users=2)  # limit 1,000.00 EUR
    yield made
    destroy_world(committed_app, made)


def run_together(count: int, call) -> list:
    """Start `count` calls at the same moment; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def orders_of(app, world: World) -> list[Order]:
    with app.app_context():
        return list(db.session.scalars(select(Order).where(Order.partner_id == world.partner_id)))


def post(app, token: str, body: dict, key: str):
    client = app.test_client()
    response = client.post("/api/v1/orders", json=body, headers={
        "Authorization": f"Bearer {token}", "Idempotency-Key": key})
    return response.status_code, response.get_json()


def test_twenty_identical_submissions_make_one_order(committed_app, world):
    body = {"lines": [{"sku": world.skus[1], "quantity": 3}], "po_number": "SAME", "payment_method": "on_account"}
    results = run_together(20, lambda i: post(committed_app, world.tokens[0], body, "one-key"))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and codes.count(200) == 19, results
    assert len({data["id"] for _, data in results}) == 1
    (order,) = orders_of(committed_app, world)
    assert order.total_minor == 3000


def test_the_same_key_with_different_bodies_concurrently(committed_app, world):
    bodies = [{"lines": [{"sku": world.skus[1], "quantity": n + 1}], "po_number": f"P{n}",
               "payment_method": "on_account"} for n in range(6)]
    results = run_together(6, lambda i: post(committed_app, world.tokens[0], bodies[i], "shared"))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and codes.count(409) == 5, results
    assert len(orders_of(committed_app, world)) == 1


def test_concurrent_on_account_orders_cannot_exceed_the_credit_limit(committed_app, world):
    body = {"lines": [{"sku": world.skus[0], "quantity": 1}], "payment_method": "on_account"}  # 600.00 each
    results = run_together(8, lambda i: post(committed_app, world.tokens[i % 2], {**body, "po_number": f"C{i}"},
                                             f"credit-{i}"))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and codes.count(422) == 7, results
    assert all(data["error"]["code"] == "credit_limit_exceeded" for code, data in results if code == 422)
    with committed_app.app_context():
        balance = db.session.scalar(select(func.sum(Order.total_minor)).where(
            Order.partner_id == world.partner_id, Order.status != "cancelled"))
    assert balance == 60_000 <= 100_000


def test_small_concurrent_orders_fill_the_limit_exactly(committed_app, world):
    body = {"lines": [{"sku": world.skus[1], "quantity": 25}], "payment_method": "on_account"}  # 250.00 each
    results = run_together(10, lambda i: post(committed_app, world.tokens[i % 2], {**body, "po_number": f"S{i}"},
                                              f"small-{i}"))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 4 and codes.count(422) == 6, results
    assert sum(o.total_minor for o in orders_of(committed_app, world)) == 100_000


def test_the_same_event_delivered_ten_times_at_once_is_processed_once(committed_app, world):
    from orders.models import OrderStatusChange, Payment
    from orders.services import placing
    from portal.models import Partner, User
    from tests.orders.conftest import WEBHOOK_SECRET, event_payload, signature

    committed_app.config.update(STRIPE_SECRET_KEY="sk_test_concurrency", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    try:
        with committed_app.app_context():
            partner = db.session.get(Partner, world.partner_id)
            user = db.session.get(User, world.user_ids[0])
            header = placing.OrderInput("HOOK", "card")
            order = placing.place_lines(partner, user, header, [placing.LineInput(world.skus[1], 1)])
            payment = Payment(partner_id=partner.id, order_id=order.id, attempt=1, amount_minor=1000, currency="EUR",
                              status="open", intent_id=f"pi_conc_{order.id}", idempotency_key=f"conc-{order.id}")
            db.session.add(payment)
            db.session.commit()
            order_id, payload = order.id, event_payload(
                f"evt_conc_{order.id}", "payment_intent.succeeded",
                {"id": payment.intent_id, "object": "payment_intent", "status": "succeeded",
                 "amount": 1000, "currency": "eur",  # as the attempt: a success is compared with it
                 "metadata": {"order_id": str(order.id), "payment_id": str(payment.id)}})

        def deliver(i: int):
            response = committed_app.test_client().post("/webhooks/stripe", data=payload, headers={
                "Content-Type": "application/json", "Stripe-Signature": signature(payload)})
            return response.status_code, response.get_json()

        results = run_together(10, deliver)
        assert all(code == 200 for code, _ in results), results
        assert sorted(data["duplicate"] for _, data in results) == [False] + [True] * 9
        with committed_app.app_context():
            assert db.session.get(Order, order_id).status == "submitted"
            assert db.session.scalar(select(func.count(OrderStatusChange.id)).where(
                OrderStatusChange.order_id == order_id)) == 2
    finally:
        committed_app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
