"""Creating and changing quotes: numbering, frozen priced lines, the extra discount in the
waterfall, bad input, deal links, revisions, the cart, and what ordering reads."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.pricing import DealDiscount
from catalog.services import carts
from orders.quotes import services
from orders.quotes.models import Quote, QuoteNumberCounter, QuoteRevision
from orders.quotes.numbering import next_number
from portal.extension_points import registry
from portal.errors import DomainError
from portal.extensions import db
from tests.opportunities.registrations.helpers import register
from tests.orders.quotes.conftest import (
    SERVER_OPTIONS, approved_quote, lines, make_quote, pending_quote, server_and_licences,
)

TODAY = date.today()


def quote_count() -> int:
    return db.session.scalar(select(func.count(Quote.id)))


def test_a_draft_freezes_priced_lines_with_names(world):
    quote = make_quote(world.p.a, world.p.a_user, "0", title="Acme rollout")
    assert quote.number == f"Q-{TODAY.year}-00001" and quote.status == "draft" and quote.revision == 1
    rev = quote.current
    assert [(l.sku, l.name, l.family, l.options, l.option_names, l.quantity) for l in rev.lines] == [
        ("SRV", "Server", "hardware", list(SERVER_OPTIONS), ["8 cores", "32 GB"], 2),
        ("LIC", "Licence", "software", [], [], 10)]
    srv = rev.lines[0]
    assert (srv.unit_list.as_str(), srv.unit_net.as_str(), srv.line_total.as_str()) == ("1300.00", "1235.00", "2470.00")
    assert [s["step"] for s in srv.waterfall] == ["list", "tier_discount", "net"]
    assert quote.total.as_str() == "3469.90" and rev.list_total.as_str() == "3599.90"
    assert (quote.title, quote.currency, quote.partner_id) == ("Acme rollout", "EUR", world.p.a.id)
    assert [e.action for e in quote.events] == ["created"]


def test_the_requested_discount_is_the_last_step_and_compounds(world):
    quote = make_quote(world.p.a, world.p.a_user, "10")
    srv, lic = quote.current.lines
    assert [(s["step"], s["amount_minor"]) for s in srv.waterfall] == [
        ("list", 130000), ("tier_discount", -6500), ("quote_discount", -12350), ("net", 111150)]
    assert srv.waterfall[2]["label"] == "Quote discount 10%"
    assert lic.unit_net.as_str() == "89.99"  # 99.99 less 10%, rounded once
    assert quote.total.as_str() == "3122.90"


def test_numbers_are_consecutive_unique_and_per_year(world):
    numbers = [make_quote(world.p.a if i % 2 else world.p.b, world.p.a_user if i % 2 else world.p.b_user).number
               for i in range(4)]
    assert numbers == [f"Q-{TODAY.year}-{n:05d}" for n in range(1, 5)]
    assert next_number(date(TODAY.year + 1, 1, 1)) == f"Q-{TODAY.year + 1}-00001"  # a new year starts at 1
    assert db.session.get(QuoteNumberCounter, TODAY.year).last == 4


def test_a_refused_quote_takes_no_number(world):
    with pytest.raises(DomainError):
        make_quote(world.p.a, world.p.a_user, "-1")
    assert make_quote(world.p.a, world.p.a_user).number == f"Q-{TODAY.year}-00001"


@pytest.mark.parametrize("percent, message", [
    ("-5", "The requested discount cannot be negative."),
    ("101", "The requested discount cannot be more than 100%."),
    ("ten", "The requested discount must be a number"),
    ("2.555", "The requested discount has at most 2 decimal places."),
])
def test_bad_discount_requests_are_refused_and_nothing_is_written(world, percent, message):
    with pytest.raises(services.QuoteError) as exc:
        make_quote(world.p.a, world.p.a_user, percent)
    assert exc.value.status == 422
    assert exc.value.fields["requested_discount_percent"].startswith(message)
    assert quote_count() == 0


def test_every_bad_field_is_reported_together(world):
    with pytest.raises(services.QuoteError) as exc:
        services.create_quote(world.p.a, world.p.a_user, services.QuoteInput(
            lines=lines(("SRV", 0, ["CPU-8"]), ("NOPE", 1)), requested_discount_percent="200",
            title="x" * 201))
    fields = exc.value.fields
    assert set(fields) >= {"lines.0.quantity", "lines.0.options", "lines.1.sku", "requested_discount_percent", "title"}
    assert "Choose at least 1 of Memory" in fields["lines.0.options"]
    assert fields["lines.1.sku"] == "Unknown SKU NOPE."
    with pytest.raises(services.QuoteError) as exc:
        services.create_quote(world.p.a, world.p.a_user, services.QuoteInput(lines=[]))
    assert exc.value.fields["lines"] == "Add at least one line."
    assert quote_count() == 0


def test_a_deal_link_must_be_an_approved_registration_of_the_partner(world):
    with pytest.raises(services.QuoteError) as exc:
        make_quote(world.p.a, world.p.a_user, opportunity_id=999_999)
    assert "opportunity_id" in exc.value.fields
    assert quote_count() == 0


def test_a_linked_deal_discount_applies_before_the_quote_discount(world, monkeypatch):
    reg = register(world.p.a, world.p.a_user)  # a real row: quotes.opportunity_id is a foreign key
    deals = {reg.id: DealDiscount(reg.id, Decimal("10"), frozenset({"hardware"}))}

    def lookup(partner, opportunity_id):
        if partner.id != world.p.a.id or opportunity_id not in deals:
            raise services.QuoteError("Not yours.", fields={"opportunity_id": "Not an approved registration."})
        return deals[opportunity_id]

    monkeypatch.setattr(registry(), "deal_discounts", lookup)
    quote = make_quote(world.p.a, world.p.a_user, "10", opportunity_id=reg.id)
    srv, lic = quote.current.lines
    assert [s["step"] for s in srv.waterfall] == ["list", "tier_discount", "deal_discount", "quote_discount", "net"]
    assert srv.unit_net.as_str() == "1000.35"  # 1300 less 5%, less 10%, less 10%: 1000.35 exactly
    assert [s["step"] for s in lic.waterfall] == ["list", "quote_discount", "net"]  # software: no deal
    assert quote.opportunity_id == reg.id and quote.current.opportunity_id == reg.id
    assert quote.current.deal == {"opportunity_id": reg.id, "percent": "10", "families": ["hardware"]}
    with pytest.raises(services.QuoteError):
        make_quote(world.p.b, world.p.b_user, opportunity_id=reg.id)  # another partner's registration
    deals.clear()  # the registration expired before submission: submitting refuses
    with pytest.raises(services.QuoteError) as exc:
        services.submit_quote(world.p.a, world.p.a_user, quote.id)
    assert "opportunity_id" in exc.value.fields


def test_a_draft_is_edited_in_place(world):
    quote = make_quote(world.p.a, world.p.a_user, "0")
    quote = services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput(
        lines=lines(("LIC", 3)), title="Smaller"))
    assert quote.revision == 1 and len(quote.revisions) == 1 and quote.status == "draft"
    assert [(l.sku, l.quantity) for l in quote.current.lines] == [("LIC", 3)] and quote.title == "Smaller"


def test_changing_an_approved_quote_makes_a_new_revision_that_needs_approval_again(world):
    quote = approved_quote(world, "2")
    first_total = quote.total
    quote = services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput(
        lines=server_and_licences(3, 10), requested_discount_percent="8", change_note="A third server."))
    assert (quote.status, quote.revision, quote.valid_until, quote.approved_discount_percent) == ("draft", 2, None, None)
    first, second = quote.revisions
    assert first.decision == "auto_approved" and first.total == first_total and first.valid_until is not None
    assert second.change_note == "A third server." and second.lines[0].quantity == 3
    assert "Revision 2 replaces revision 1 (approved)" in quote.events[-1].note
    quote = services.submit_quote(world.p.a, world.p.a_user, quote.id)
    assert quote.status == "pending_approval"


def test_a_pending_or_approved_quote_is_not_revised_without_a_change(world):
    quote = pending_quote(world)
    with pytest.raises(services.QuoteError) as exc:
        services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput())
    assert exc.value.code == "quote_unchanged" and "stays pending approval" in exc.value.message
    assert db.session.get(Quote, quote.id).revision == 1


def test_rejected_and_expired_quotes_can_be_revised_final_ones_cannot(world):
    rejected = pending_quote(world)
    services.reject_quote(world.p.manager, rejected.id, "No.")
    assert services.update_quote(world.p.a, world.p.a_user, rejected.id,
                                 services.QuoteInput(requested_discount_percent="2")).revision == 2
    expired = approved_quote(world)
    services.expire_quotes(expired.valid_until + timedelta(days=1))
    assert services.update_quote(world.p.a, world.p.a_user, expired.id, services.QuoteInput()).status == "draft"
    declined = approved_quote(world)
    services.decline_quote(world.p.a, world.p.a_user, declined.id, "No longer needed.")
    with pytest.raises(services.QuoteConflict) as exc:
        services.update_quote(world.p.a, world.p.a_user, declined.id, services.QuoteInput(title="x"))
    assert exc.value.message.endswith("is declined: it cannot be revised.")


def test_a_quote_from_the_cart_takes_its_orderable_lines_and_empties_it(world):
    user = world.p.a_user
    carts.add_line(world.p.a, user, "SRV", 2, list(SERVER_OPTIONS))
    carts.add_line(world.p.a, user, "LIC", 5, [])
    quote = services.create_quote_from_cart(world.p.a, user, services.QuoteInput(title="From cart"))
    assert [(l.sku, l.quantity) for l in quote.current.lines] == [("SRV", 2), ("LIC", 5)]
    assert carts.lines_for(world.p.a, user) == []
    with pytest.raises(services.QuoteError) as exc:
        services.create_quote_from_cart(world.p.a, user, services.QuoteInput())
    assert exc.value.message == "Your cart is empty."


def test_revisions_keep_their_lines(world):
    quote = approved_quote(world)
    services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput(lines=lines(("LIC", 1))))
    revs = list(db.session.scalars(select(QuoteRevision).where(QuoteRevision.quote_id == quote.id)
                                   .order_by(QuoteRevision.number)))
    assert [[l.sku for l in r.lines] for r in revs] == [["SRV", "LIC"], ["LIC"]]


def test_ordering_reads_the_frozen_lines(world):
    quote = approved_quote(world, "2")
    frozen = services.frozen_quote(world.p.a, quote.id)
    assert (frozen.number, frozen.revision, frozen.status, frozen.currency) == (quote.number, 1, "approved", "EUR")
    assert frozen.total.as_str() == "3400.50" and frozen.approved_discount_percent == Decimal("2.00")
    srv = frozen.lines[0]
    assert (srv.sku, srv.family, srv.options, srv.quantity, srv.unit_list_minor, srv.unit_net_minor) == \
        ("SRV", "hardware", SERVER_OPTIONS, 2, 130000, 121030)
    assert srv.waterfall[-1] == {"step": "net", "label": "Net price", "amount_minor": 121030}
    assert sum(l.line_total_minor for l in frozen.lines) == frozen.total.amount_minor


def test_another_partners_quote_is_not_found(world):
    quote = make_quote(world.p.b, world.p.b_user)
    for call in (lambda: services.submit_quote(world.p.a, world.p.a_user, quote.id),
                 lambda: services.accept_quote(world.p.a, world.p.a_user, quote.id),
                 lambda: services.decline_quote(world.p.a, world.p.a_user, quote.id, "x"),
                 lambda: services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput()),
                 lambda: services.frozen_quote(world.p.a, quote.id)):
        with pytest.raises(services.QuoteNotFound):
            call()
    assert db.session.get(Quote, quote.id).status == "draft"
