"""The manager's decisions and the registration state machine."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from opportunities.registrations.models import Registration
from opportunities.registry.models import RegistryEntry
from opportunities.registrations.services.decisions import approve_registration, reject_registration
from portal.errors import StateConflict
from portal.extensions import db
from portal.models import Notification
from tests.opportunities.registrations.helpers import register


def _indexed(reg: Registration) -> bool:
    return db.session.query(RegistryEntry).filter_by(registration_id=reg.id).count() == 1


def test_approve_sets_protection_and_discount(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user, "Quavendra Robotics GmbH")
    r = api(two_partners.manager).post(f"/opportunities/{reg.id}/approve", {"discount_percent": "7.5"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "approved"
    assert r.json["protected_until"] == (date.today() + timedelta(days=90)).isoformat()
    assert r.json["discount_percent"] == "7.50"
    got = api(two_partners.a_user).get(f"/opportunities/{reg.id}").json
    assert got["status"] == "approved" and got["protected_until"] == r.json["protected_until"]
    assert _indexed(reg)  # approved and protected: still counts in conflict checks
    titles = [n.title for n in db.session.query(Notification).filter_by(user_id=two_partners.a_user.id)]
    assert any("approved" in t for t in titles)


def test_approve_with_custom_protection_and_bad_values(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    manager = api(two_partners.manager)
    for body, field in (({"protection_days": 0}, "protection_days"), ({"protection_days": 400}, "protection_days"),
                        ({"discount_percent": "101"}, "discount_percent"), ({"discount_percent": "x"}, "discount_percent"),
                        ({"discount_percent": "5.555"}, "discount_percent")):
        r = manager.post(f"/opportunities/{reg.id}/approve", body)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (body, r.json)
    assert manager.post(f"/opportunities/{reg.id}/approve", {"protection_days": "30"}).status_code == 400
    assert db.session.get(Registration, reg.id).status == "submitted"
    r = manager.post(f"/opportunities/{reg.id}/approve", {"protection_days": 30})
    assert r.json["protected_until"] == (date.today() + timedelta(days=30)).isoformat()


def test_reject_needs_a_reason_and_removes_it_from_the_registry(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    manager = api(two_partners.manager)
    assert manager.post(f"/opportunities/{reg.id}/reject", {"reason": "  "}).status_code == 422
    assert manager.post(f"/opportunities/{reg.id}/reject", {}).status_code == 400
    r = manager.post(f"/opportunities/{reg.id}/reject", {"reason": "The customer buys direct."})
    assert r.status_code == 200 and r.json["status"] == "rejected"
    assert api(two_partners.a_user).get(f"/opportunities/{reg.id}").json["rejection_reason"] == "The customer buys direct."
    assert not _indexed(reg)


def test_decided_registrations_cannot_be_decided_again(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    manager = api(two_partners.manager)
    assert manager.post(f"/opportunities/{reg.id}/approve", {}).status_code == 200
    r = manager.post(f"/opportunities/{reg.id}/approve", {})
    assert r.status_code == 409 and r.json["error"]["code"] == "registration_decided"
    assert manager.post(f"/opportunities/{reg.id}/reject", {"reason": "late"}).status_code == 409
    assert manager.post("/opportunities/999999/approve", {}).status_code == 404


def test_approving_one_rejects_its_conflicts_in_one_step(two_partners, api):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    third = register(two_partners.b, two_partners.b_admin, "SIEMENS", domain="siemens.de")
    assert second.status == "in_review" and third.status == "in_review"
    unrelated = register(two_partners.b, two_partners.b_user, "Brivenka Solar AG")
    r = api(two_partners.manager).post(f"/opportunities/{first.id}/approve", {
        "reject_conflicting": True, "rejection_reason": "Alpha registered first."})
    assert r.status_code == 200 and sorted(r.json["rejected_ids"]) == sorted([second.id, third.id])
    for reg in (second, third):
        db.session.refresh(reg)
        assert reg.status == "rejected" and reg.rejection_reason == "Alpha registered first."
        assert not _indexed(reg)
    assert db.session.get(Registration, unrelated.id).status == "submitted"
    # B's partner is told, without Alpha's identity in the default message
    note = db.session.query(Notification).filter_by(user_id=two_partners.b_user.id, kind="registration_rejected").one()
    assert "Alpha registered first." in note.body


def test_default_rejection_reason_names_nobody(two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    approve_registration(two_partners.manager, second, reject_ids=[first.id])
    db.session.refresh(first)
    assert first.status == "rejected" and two_partners.b.name not in first.rejection_reason


def test_only_pending_conflicting_ones_can_be_rejected_with_it(two_partners):
    reg = register(two_partners.a, two_partners.a_user, "Siemens AG")
    unrelated = register(two_partners.b, two_partners.b_user, "Brivenka Solar AG")
    with pytest.raises(Exception) as exc:
        approve_registration(two_partners.manager, reg, reject_ids=[unrelated.id])
    assert "reject_ids" in exc.value.fields  # type: ignore[attr-defined]
    assert reg.status == "submitted"


def test_an_approved_protected_registration_blocks_approving_a_conflicting_one(two_partners, api):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    approve_registration(two_partners.manager, first)
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    assert second.status == "in_review"
    r = api(two_partners.manager).post(f"/opportunities/{second.id}/approve", {})
    assert r.status_code == 409 and r.json["error"]["code"] == "customer_protected"
    assert api(two_partners.manager).post(f"/opportunities/{second.id}/reject",
                                          {"reason": "Protected for another partner."}).status_code == 200


def test_first_registered_wins_by_default_in_the_queue_order(two_partners, api):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    assert first.submitted_at <= second.submitted_at
    assert first.status == "submitted" and second.status == "in_review"  # the later one is the one in review


def test_admin_may_decide_sales_ops_may_not(two_partners):
    reg = register(two_partners.a, two_partners.a_user)
    with pytest.raises(Exception) as exc:
        reject_registration(two_partners.ops, reg, "no")
    assert exc.value.status == 403  # type: ignore[attr-defined]
    approve_registration(two_partners.admin, reg)
    assert reg.status == "approved"


def test_manager_is_told_about_new_and_conflicting_registrations(two_partners):
    register(two_partners.a, two_partners.a_user, "Siemens AG")
    register(two_partners.a, two_partners.a_admin, "Siemens Aktiengesellschaft")  # own duplicate: not in review
    other = register(two_partners.b, two_partners.b_user, "Siemens")  # Bravo has no manager
    assert other.status == "in_review"
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=two_partners.manager.id)]
    assert kinds == ["registration_submitted", "registration_submitted"]
    two_partners.b.manager_id = two_partners.manager.id
    register(two_partners.b, two_partners.b_admin, "SIEMENS AG (Germany)")
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=two_partners.manager.id)]
    assert kinds[-1] == "registration_in_review"


def test_state_conflict_is_raised_for_rejected_registration_outcome(two_partners):
    from opportunities.registrations.services.lifecycle import record_outcome

    reg = register(two_partners.a, two_partners.a_user)
    reject_registration(two_partners.manager, reg, "no")
    with pytest.raises(StateConflict):
        record_outcome(two_partners.a, two_partners.a_user, reg, "lost", "too late")


def test_api_approve_body_must_be_json(two_partners, api):
    reg = register(two_partners.a, two_partners.a_user)
    r = api(two_partners.manager).post(f"/opportunities/{reg.id}/approve", data="x",
                                       headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert db.session.get(Registration, reg.id).status == "submitted"
