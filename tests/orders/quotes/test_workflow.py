"""The approval workflow: self-approval within the tier's limit, the manager's decision (lower
percentage, comment, reason, who may decide), accept and decline, notifications, audit."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from orders.models import Order
from orders.quotes import services
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEntry, Notification
from tests.orders.quotes.conftest import approved_quote, pending_quote

TODAY = date.today()


def notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_submitting_within_the_tiers_limit_approves_at_once(world):
    quote = approved_quote(world, "2")  # silver: 2%
    assert quote.status == "approved" and quote.approved_discount_percent == Decimal("2.00")
    assert quote.valid_until == TODAY + timedelta(days=30)
    assert quote.current.decision == "auto_approved" and quote.current.decided_by_id is None
    assert "silver tier's self-approval limit of 2%" in quote.current.decision_comment
    assert quote.total.as_str() == "3400.50"
    assert notes(world.p.manager) == []
    assert [e.action for e in quote.events] == ["created", "submitted", "approved"]


def test_submitting_above_the_limit_waits_for_the_manager(world):
    quote = pending_quote(world, "10")
    assert quote.status == "pending_approval" and quote.valid_until is None
    (note,) = notes(world.p.manager)
    assert note.kind == "quote_pending_approval" and note.link == f"/admin/quotes/{quote.id}"
    assert "asks for an extra discount of 10%" in note.body and "Competition." in note.body
    assert notes(world.other_manager) == []


def test_the_limits_are_settings(world, app):
    app.config["QUOTE_SELF_APPROVAL_LIMITS"] = {"silver": "12"}
    try:
        assert approved_quote(world, "10").status == "approved"
    finally:
        app.config["QUOTE_SELF_APPROVAL_LIMITS"] = {"registered": "0", "silver": "2", "gold": "5", "platinum": "8"}


def test_without_a_manager_the_administrators_are_asked(world):
    world.p.a.manager_id = None
    pending_quote(world)
    assert [n.kind for n in notes(world.p.admin)] == ["quote_pending_approval"]


def test_approving_at_the_requested_discount(world):
    quote = pending_quote(world, "10")
    before = [(l.sku, l.unit_net_minor) for l in quote.current.lines]
    quote = services.approve_quote(world.p.manager, quote.id, None, "Go for it.")
    assert quote.status == "approved" and quote.approved_discount_percent == Decimal("10.00")
    assert [(l.sku, l.unit_net_minor) for l in quote.current.lines] == before
    assert quote.valid_until == TODAY + timedelta(days=30)
    rev = quote.current
    assert (rev.decision, rev.decided_by_id, rev.decision_comment) == ("approved", world.p.manager.id, "Go for it.")
    (note,) = notes(world.p.a_user)
    assert note.kind == "quote_approved" and "Comment: Go for it." in note.body and note.link == f"/quotes/{quote.id}"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "quote.approve")).one()
    assert audit.partner_id == world.p.a.id and "at 10% (requested 10%)" in audit.summary


def test_approving_a_lower_discount_prices_the_quote_again(world):
    quote = pending_quote(world, "10")
    quote = services.approve_quote(world.p.admin, quote.id, "5", "5% is our maximum here.")
    assert quote.approved_discount_percent == Decimal("5.00") and quote.requested_discount_percent == Decimal("10.00")
    assert quote.total.as_str() == "3296.40"
    assert quote.current.lines[0].waterfall[2]["label"] == "Quote discount 5%"


@pytest.mark.parametrize("percent, status, field_text", [
    ("12", 422, "cannot be more than the 10% requested"), ("-1", 422, "cannot be negative"),
    ("x", 422, "must be a number"), (True, 400, "must be a number"),
])
def test_approving_a_bad_percentage_changes_nothing(world, percent, status, field_text):
    quote = pending_quote(world, "10")
    with pytest.raises(DomainError) as exc:
        services.approve_quote(world.p.manager, quote.id, percent)
    assert exc.value.status == status and field_text in exc.value.fields["discount_percent"]
    assert quote.status == "pending_approval" and quote.current.approved_discount_percent is None


def test_only_the_partners_manager_or_an_admin_decides(world):
    quote = pending_quote(world)
    for outsider in (world.other_manager, world.p.ops, world.p.a_admin):
        with pytest.raises(services.QuoteForbidden):
            services.approve_quote(outsider, quote.id)
        with pytest.raises(services.QuoteForbidden):
            services.reject_quote(outsider, quote.id, "No.")
    assert quote.status == "pending_approval"
    assert services.reject_quote(world.p.admin, quote.id, "Too deep.").status == "rejected"


def test_approving_twice_or_a_rejected_quote_is_a_conflict(world):
    quote = pending_quote(world)
    services.approve_quote(world.p.manager, quote.id)
    with pytest.raises(services.QuoteConflict) as exc:
        services.approve_quote(world.p.manager, quote.id)
    assert exc.value.status == 409 and exc.value.message == f"{quote.number} is already approved."
    other = pending_quote(world)
    services.reject_quote(world.p.manager, other.id, "Below the floor.")
    with pytest.raises(services.QuoteConflict) as exc:
        services.approve_quote(world.p.manager, other.id)
    assert exc.value.message == f"{other.number} is rejected: it cannot be approved."
    with pytest.raises(services.QuoteConflict):
        services.reject_quote(world.p.manager, other.id, "Again.")


def test_rejecting_needs_a_reason_which_the_partner_is_told(world):
    quote = pending_quote(world)
    with pytest.raises(services.QuoteError) as exc:
        services.reject_quote(world.p.manager, quote.id, "   ")
    assert exc.value.fields == {"reason": "A reason is required."}
    quote = services.reject_quote(world.p.manager, quote.id, "8% at most for this volume.")
    assert quote.status == "rejected" and quote.current.decision_comment == "8% at most for this volume."
    (note,) = notes(world.p.a_user)
    assert note.kind == "quote_rejected" and "8% at most for this volume." in note.body


def test_accepting_records_who_and_when(world):
    quote = approved_quote(world)
    order = Order(partner_id=world.p.a.id, status="submitted", payment_method="on_account", po_number="PO-Q",
                  currency=quote.currency, total_minor=quote.total_minor, quote_id=quote.id, source="quote")
    db.session.add(order)
    db.session.flush()
    quote = services.accept_quote(world.p.a, world.p.a_admin, quote.id, order_id=order.id)
    assert (quote.status, quote.closed_by_id, quote.order_id) == ("accepted", world.p.a_admin.id, order.id)
    assert quote.closed_at is not None
    with pytest.raises(services.QuoteConflict):
        services.accept_quote(world.p.a, world.p.a_admin, quote.id)
    with pytest.raises(services.QuoteConflict):
        services.decline_quote(world.p.a, world.p.a_admin, quote.id, "Changed my mind.")


def test_an_expired_quote_cannot_be_accepted_even_before_the_job_runs(world):
    quote = approved_quote(world)
    with pytest.raises(services.QuoteConflict) as exc:
        services.accept_quote(world.p.a, world.p.a_user, quote.id, on=quote.valid_until + timedelta(days=1))
    assert exc.value.code == "quote_expired" and "expired on" in exc.value.message
    assert services.accept_quote(world.p.a, world.p.a_user, quote.id, on=quote.valid_until).status == "accepted"


def test_declining_needs_a_reason(world):
    quote = approved_quote(world)
    with pytest.raises(services.QuoteError):
        services.decline_quote(world.p.a, world.p.a_user, quote.id, "")
    quote = services.decline_quote(world.p.a, world.p.a_user, quote.id, "The customer went elsewhere.")
    assert (quote.status, quote.decline_reason) == ("declined", "The customer went elsewhere.")


def test_accepting_links_only_the_partners_own_order(world, api):
    quote = approved_quote(world)
    theirs = Order(partner_id=world.p.b.id, status="submitted", payment_method="on_account", po_number="B-SECRET",
                   currency="EUR", total_minor=1, ship_to={})
    db.session.add(theirs)
    db.session.flush()
    client = api(world.p.a_user)
    for order_id in (987_654, theirs.id):
        r = client.post(f"/quotes/{quote.id}/accept", {"order_id": order_id})
        assert r.status_code == 422 and r.json["error"]["fields"] == {"order_id": "No such order of your partner."}
        assert db.session.get(type(quote), quote.id).status == "approved"  # nothing half-written
