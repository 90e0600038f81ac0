"""After approval: one extension, won/lost, the daily expiry with its reminder (job and CLI)."""
from __future__ import annotations

from datetime import date, timedelta

from opportunities.registrations.models import Registration, RegistrationEvent
from opportunities.registry.models import RegistryEntry
from opportunities.registrations.services import clock, lifecycle
from opportunities.registrations.services.decisions import approve_registration
from opportunities.registrations.services.lifecycle import expire_registrations
from orders.models import Order
from portal.extension_points import registry
from portal.extensions import db
from portal.models import Notification
from tests.opportunities.registrations.helpers import payload, register


def _approved(two_partners, name="Quavendra Robotics GmbH", days=90, user=None) -> Registration:
    reg = register(two_partners.a, user or two_partners.a_user, name)
    approve_registration(two_partners.manager, reg, days)
    return reg


def _kinds(user) -> list[str]:
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_one_extension_only(two_partners, api):
    reg = _approved(two_partners)
    until = reg.protected_until
    client = api(two_partners.a_user)
    r = client.post(f"/opportunities/{reg.id}/extend")
    assert r.status_code == 200 and r.json["extended"] is True
    assert r.json["protected_until"] == (until + timedelta(days=30)).isoformat()
    r = client.post(f"/opportunities/{reg.id}/extend")
    assert r.status_code == 409 and r.json["error"]["code"] == "already_extended"
    assert "registration_extended" in _kinds(two_partners.manager)


def test_only_approved_registrations_can_be_extended(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    r = api(two_partners.a_user).post(f"/opportunities/{reg.id}/extend")
    assert r.status_code == 409 and r.json["error"]["code"] == "not_extendable"


def test_won_needs_an_approved_registration_and_an_order(two_partners, api):
    pending = register(two_partners.a, two_partners.a_user, "Brivenka Solar AG")
    client = api(two_partners.a_user)
    r = client.post(f"/opportunities/{pending.id}/outcome", {"result": "won", "order_id": 7})
    assert r.status_code == 409
    reg = _approved(two_partners)
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won"})
    assert r.status_code == 422 and "order_id" in r.json["error"]["fields"]
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": "7"})
    assert r.status_code == 400
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "maybe"})
    assert r.status_code == 422 and "result" in r.json["error"]["fields"]


def _order(partner, user, po: str) -> Order:
    order = Order(partner_id=partner.id, placed_by_id=user.id, status="submitted", payment_method="on_account",
                  po_number=po, currency=partner.currency, total_minor=100_00, ship_to={})
    db.session.add(order)
    db.session.flush()
    return order


class _OnlyOrder:
    """An OrderDirectory that knows one order of the partner."""

    def __init__(self, order_id: int) -> None:
        self.order_id = order_id

    def order_state(self, partner, order_id):
        return "submitted" if order_id == self.order_id else None

    def orders_table(self):
        return Order.__table__


def test_won_with_the_partners_order(two_partners, api, app, monkeypatch):
    refused = _order(two_partners.a, two_partners.a_user, "PO-41")
    winning = _order(two_partners.a, two_partners.a_user, "PO-42")
    monkeypatch.setattr(registry(app), "order_directory", _OnlyOrder(winning.id))
    reg = _approved(two_partners)
    client = api(two_partners.a_user)
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": refused.id})
    assert r.status_code == 422 and "order_id" in r.json["error"]["fields"]
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "won", "order_id": winning.id})
    assert r.status_code == 200 and r.json["status"] == "won" and r.json["won_order_id"] == winning.id
    assert db.session.query(RegistryEntry).filter_by(registration_id=reg.id).count() == 0
    assert client.post(f"/opportunities/{reg.id}/outcome", {"result": "lost", "reason": "x"}).status_code == 409


def test_lost_needs_a_reason_and_frees_the_customer(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user, "Brivenka Solar AG")
    client = api(two_partners.a_user)
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "lost"})
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "lost", "reason": "Budget cut."})
    assert r.status_code == 200 and r.json["status"] == "lost" and r.json["lost_reason"] == "Budget cut."
    again = api(two_partners.b_user).post("/opportunities", payload("Brivenka Solar")).json
    assert again["conflicts"] == []


def test_partner_admin_may_record_a_reps_outcome(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    r = api(two_partners.a_admin).post(f"/opportunities/{reg.id}/outcome", {"result": "lost", "reason": "Lost."})
    assert r.status_code == 200


def test_daily_job_reminds_then_expires(two_partners, monkeypatch):
    reg = _approved(two_partners, days=20)
    until = reg.protected_until
    run = expire_registrations(date.today())
    assert (run.expired, run.reminded) == (0, 0)
    run = expire_registrations(until - timedelta(days=14))
    assert (run.expired, run.reminded) == (0, 1)
    assert expire_registrations(until - timedelta(days=13)).reminded == 0  # once
    assert "registration_expiring" in _kinds(two_partners.a_user)
    assert expire_registrations(until).expired == 0  # the last protected day
    monkeypatch.setattr(clock, "today", lambda: until + timedelta(days=1))
    run = expire_registrations(until + timedelta(days=1))
    assert run.expired == 1
    db.session.refresh(reg)
    assert reg.status == "expired" and reg.closed_at is not None
    assert db.session.query(RegistryEntry).filter_by(registration_id=reg.id).count() == 0
    assert "registration_expired" in _kinds(two_partners.a_user)
    assert db.session.query(RegistrationEvent).filter_by(registration_id=reg.id, event="expired").count() == 1


def test_expired_protection_stops_counting_before_the_job_runs(two_partners, api, monkeypatch):
    reg = _approved(two_partners, "Brivenka Solar AG", days=5)
    later = reg.protected_until + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)
    body = payload("Brivenka Solar", expected_close=(later + timedelta(days=30)).isoformat())
    assert api(two_partners.b_user).post("/opportunities", body).json["conflicts"] == []


def test_extension_resets_the_reminder(two_partners):
    reg = _approved(two_partners, days=10)
    assert expire_registrations(date.today()).reminded == 1
    lifecycle.request_extension(two_partners.a, two_partners.a_user, reg)
    assert reg.reminder_sent_at is None
    assert expire_registrations(reg.protected_until - timedelta(days=3)).reminded == 1


def test_expire_cli_command(app, two_partners, monkeypatch):
    reg = _approved(two_partners, days=1)
    db.session.flush()
    monkeypatch.setattr(clock, "today", lambda: reg.protected_until + timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["registrations", "expire"])
    assert result.exit_code == 0, result.output
    assert "Expired 1 registration(s)" in result.output
    db.session.refresh(reg)
    assert reg.status == "expired"


def test_celery_task_runs_the_job(two_partners):
    from opportunities.registrations.tasks import expire

    _approved(two_partners, days=3)
    assert expire.run() == "expired 0, reminded 1"
