"""Quote pages: the partner's list, new quote from the cart, detail and actions, editing and
revisions; the manager's approval queue and decision page; dashboard panels."""
from __future__ import annotations

import pytest

import html
import re

from catalog.services import carts
from orders.quotes import services
from orders.quotes.models import Quote
from portal.extensions import db
from tests.crosspartner import covers
from tests.orders.quotes.conftest import SERVER_OPTIONS, approved_quote, lines, make_quote, pending_quote


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def numbers(page: str) -> list[str]:
    return re.findall(r'class="fw-semibold text-decoration-none" href="/(?:admin/)?quotes/\d+">(Q-[\d-]+)<', page)


def test_list_filters_sorts_and_paginates(client, login, world):
    small = make_quote(world.p.a, world.p.a_user, items=None, title="Small one")
    services.update_quote(world.p.a, world.p.a_user, small.id, services.QuoteInput(lines=lines(("LIC", 1))))
    big = pending_quote(world)
    approved = approved_quote(world)
    make_quote(world.p.b, world.p.b_user)  # Bravo's: never listed for Alpha
    login(world.p.a_user)
    page = text(client.get("/quotes"))
    assert numbers(page) == [approved.number, big.number, small.number]  # newest first
    assert "Pending approval" in page and "10% asked" in page
    assert numbers(text(client.get("/quotes?sort=total"))) == [small.number, big.number, approved.number]
    assert numbers(text(client.get("/quotes?status=pending_approval"))) == [big.number]
    assert numbers(text(client.get("/quotes?q=small"))) == [small.number]
    paged = text(client.get("/quotes?per_page=2&page=2"))
    assert numbers(paged) == [small.number] and "Showing 3–3 of 3" in paged
    assert "No quote matches these filters." in text(client.get("/quotes?status=expired"))


def test_new_quote_from_the_cart(client, login, world):
    user = world.p.a_user
    carts.add_line(world.p.a, user, "SRV", 2, list(SERVER_OPTIONS))
    login(user)
    page = text(client.get("/quotes/new"))
    assert "Server" in page and "Up to <strong>2%</strong> extra discount is approved at once" in page
    r = client.post("/quotes/new", data={"title": "Acme", "requested_discount_percent": "12,5",
                                         "justification": "", "empty_cart": "y"})
    assert r.status_code == 422
    page = text(r)
    assert "The requested discount must be a number" in page and 'value="12,5"' in page and 'value="Acme"' in page
    assert db.session.query(Quote).count() == 0
    r = client.post("/quotes/new", data={"title": "Acme", "requested_discount_percent": "12.5",
                                         "justification": "Competition", "empty_cart": "y"})
    quote = db.session.query(Quote).one()
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/quotes/{quote.id}")
    assert (quote.status, quote.title, str(quote.requested_discount_percent)) == ("draft", "Acme", "12.50")
    assert carts.lines_for(world.p.a, user) == []
    page = text(client.get(f"/quotes/{quote.id}"))
    assert f"Quote {quote.number} is created as a draft" in page
    assert "Silver tier discount 5% (hardware)" in page and "Quote discount 12.5%" in page
    assert "above your tier's 2%" in page and "Submit for approval" in page
    r = client.post("/quotes/new", data={"requested_discount_percent": "0"})
    assert r.status_code == 422 and "Your cart is empty." in text(r)


@covers("quotes.detail", "quotes.submit", "quotes.accept", "quotes.decline", "quotes.pdf", "quotes.revision",
        "quotes.edit", "quotes.save")
def test_another_partners_quote_pages_are_404(client, login, world):
    theirs = approved_quote(world)  # Alpha's
    login(world.p.b_admin)
    for url in (f"/quotes/{theirs.id}", f"/quotes/{theirs.id}/pdf", f"/quotes/{theirs.id}/revisions/1",
                f"/quotes/{theirs.id}/edit"):
        assert client.get(url).status_code == 404, url
    for url in ("submit", "accept", "decline", "edit"):
        assert client.post(f"/quotes/{theirs.id}/{url}", data={"reason": "x"}).status_code == 404, url
    assert db.session.get(Quote, theirs.id).status == "approved"
    login(world.p.manager)
    assert client.get(f"/quotes/{theirs.id}").status_code == 403  # staff use the back office


def test_submit_accept_and_the_refusals_on_the_page(client, login, world):
    quote = make_quote(world.p.a, world.p.a_user, "1")
    login(world.p.a_user)
    r = client.post(f"/quotes/{quote.id}/submit", follow_redirects=True)
    assert "is approved: the extra discount is within your tier's limit" in text(r)
    assert "Prices are frozen until" in text(r)
    r = client.post(f"/quotes/{quote.id}/submit")
    assert r.status_code == 409 and f"{quote.number} is approved: it cannot be submitted." in text(r)
    r = client.post(f"/quotes/{quote.id}/accept", follow_redirects=True)
    assert f"{quote.number} is accepted." in text(r)
    assert db.session.get(Quote, quote.id).status == "accepted"


def test_an_approved_quote_is_ordered_through_the_ordering_checkout(app, client, login, world, monkeypatch):
    from portal.extension_points import registry

    class Link:
        def __init__(self, url):
            self.url = url

        def order_form_url(self, quote):
            return self.url(quote)

    quote = approved_quote(world)
    login(world.p.a_user)
    page = text(client.get(f"/quotes/{quote.id}"))
    assert f'href="/checkout?quote_id={quote.id}"' in page and "Order this quote" in page
    monkeypatch.setattr(registry(app), "quote_ordering", None)  # no ordering feature
    page = text(client.get(f"/quotes/{quote.id}"))
    assert "Order this quote" not in page and f'action="/quotes/{quote.id}/accept"' in page
    monkeypatch.setattr(registry(app), "quote_ordering", Link(lambda q: f"/somewhere/{q.id}"))
    page = text(client.get(f"/quotes/{quote.id}"))
    assert f'href="/somewhere/{quote.id}"' in page and f'action="/quotes/{quote.id}/accept"' not in page
    monkeypatch.setattr(registry(app), "quote_ordering", Link(lambda q: f"/dashboard?quote_id={q.id}"))
    page = text(client.get(f"/quotes/{quote.id}"))
    assert f'href="/dashboard?quote_id={quote.id}"' in page and "Order this quote" in page


def test_decline_needs_a_reason(client, login, world):
    quote = pending_quote(world)
    login(world.p.a_user)
    r = client.post(f"/quotes/{quote.id}/decline", data={"reason": ""})
    assert r.status_code == 400 and "A reason is required." in text(r)
    r = client.post(f"/quotes/{quote.id}/decline", data={"reason": "Customer chose another vendor."},
                    follow_redirects=True)
    assert "is declined" in text(r) and "Customer chose another vendor." in text(r)


@pytest.mark.parametrize("typed, message", [("²", "The quantity must be a whole number."),
                                            ("2.5", "The quantity must be a whole number."),
                                            ("1000001", "The quantity must be at most 1,000,000.")])
def test_a_quantity_that_is_not_one_is_an_error_on_the_line_never_a_500(client, login, world, typed, message):
    quote = make_quote(world.p.a, world.p.a_user)
    login(world.p.a_user)
    r = client.post(f"/quotes/{quote.id}/edit", data={"qty-1": typed, "qty-2": "10", "requested_discount_percent": "0"})
    assert r.status_code == 422 and message in text(r)


def test_editing_a_draft_and_errors_next_to_the_lines(client, login, world):
    quote = make_quote(world.p.a, world.p.a_user)
    login(world.p.a_user)
    assert 'name="qty-1" value="2"' in text(client.get(f"/quotes/{quote.id}/edit"))
    r = client.post(f"/quotes/{quote.id}/edit", data={"qty-1": "0", "qty-2": "10", "requested_discount_percent": "0",
                                                       "add_sku": "NOPE", "add_quantity": "1"})
    assert r.status_code == 422
    page = text(r)
    assert "The quantity must be at least 1." in page and 'name="qty-1" value="0"' in page
    assert "Unknown SKU NOPE." in page
    r = client.post(f"/quotes/{quote.id}/edit", data={"qty-1": "3", "qty-2": "10", "remove-2": "1",
                                                       "requested_discount_percent": "0", "add_sku": "LIC",
                                                       "add_quantity": "4"})
    assert r.status_code == 302
    quote = db.session.get(Quote, quote.id)
    assert quote.revision == 1 and [(l.sku, l.quantity) for l in quote.current.lines] == [("SRV", 3), ("LIC", 4)]


def test_revising_an_approved_quote_shows_the_diff(client, login, world):
    quote = approved_quote(world)
    login(world.p.a_user)
    page = text(client.get(f"/quotes/{quote.id}/edit"))
    assert "Saving makes <strong>revision 2</strong>" in page
    r = client.post(f"/quotes/{quote.id}/edit", data={"qty-1": "5", "qty-2": "10", "requested_discount_percent": "2",
                                                       "change_note": "Five servers now."}, follow_redirects=True)
    page = text(r)
    assert f"{quote.number} revision 2 is saved as a draft" in page
    assert "Changes in revision 2" in page and "2 → 5" in page and "Five servers now." in page
    r1 = text(client.get(f"/quotes/{quote.id}/revisions/1"))
    assert "revision 1 of 2" in r1 and "auto approved" in r1
    assert "What changed from revision 1" in text(client.get(f"/quotes/{quote.id}/revisions/2"))
    assert client.get(f"/quotes/{quote.id}/revisions/3").status_code == 404


def test_final_quotes_cannot_be_edited(client, login, world):
    quote = services.decline_quote(world.p.a, world.p.a_user, approved_quote(world).id, "No.")
    login(world.p.a_user)
    r = client.get(f"/quotes/{quote.id}/edit", follow_redirects=True)
    assert "is declined: it cannot be revised." in text(r)
    r = client.post(f"/quotes/{quote.id}/edit", data={"requested_discount_percent": "0"})
    assert r.status_code == 409


def test_the_approval_queue_shows_my_partners_pending_quotes(client, login, world):
    mine = pending_quote(world, "10")
    theirs = services.submit_quote(world.p.b, world.p.b_user, make_quote(world.p.b, world.p.b_user, "9").id)
    approved_quote(world)
    login(world.p.manager)
    page = text(client.get("/admin/quotes"))
    assert numbers(page) == [mine.number] and "1 waiting for you" in page and "Alpha Partners" in page
    assert numbers(text(client.get("/admin/quotes?scope=all"))) == [mine.number, theirs.number]
    assert numbers(text(client.get("/admin/quotes?scope=all&sort=-discount"))) == [mine.number, theirs.number]
    assert numbers(text(client.get("/admin/quotes?scope=all&sort=discount"))) == [theirs.number, mine.number]
    assert len(numbers(text(client.get("/admin/quotes?status=any")))) == 2
    login(world.p.admin)
    assert numbers(text(client.get("/admin/quotes"))) == [mine.number, theirs.number]


def test_the_decision_page_shows_history_and_margin_effect(client, login, world):
    done = approved_quote(world, "2")
    services.accept_quote(world.p.a, world.p.a_user, done.id)
    quote = pending_quote(world, "10")
    login(world.p.manager)
    page = text(client.get(f"/admin/quotes/{quote.id}"))
    assert "Competition." in page and "the silver tier may approve 2% itself" in page
    assert 'data-testid="discount-amount">−€347.00<' in page  # 3469.90 - 3122.90
    assert "Alpha Partners's quotes" in page and done.number in page and "€3,400.50" in page
    assert 'name="discount_percent"' in page and 'value="10"' in page


def test_approving_lower_with_a_comment_and_the_errors(client, login, world):
    quote = pending_quote(world, "10")
    login(world.p.manager)
    r = client.post(f"/admin/quotes/{quote.id}/approve", data={"discount_percent": "15", "comment": ""})
    assert r.status_code == 422 and "cannot be more than the 10% requested" in text(r)
    r = client.post(f"/admin/quotes/{quote.id}/approve", data={"discount_percent": "6", "comment": "6% max."})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/quotes")
    quote = db.session.get(Quote, quote.id)
    assert (quote.status, str(quote.approved_discount_percent), quote.current.decision_comment) == \
        ("approved", "6.00", "6% max.")
    r = client.post(f"/admin/quotes/{quote.id}/approve", data={"discount_percent": "6"})
    assert r.status_code == 409 and f"{quote.number} is already approved." in text(r)


def test_rejecting_and_a_manager_of_another_partner(client, login, world):
    quote = pending_quote(world)
    login(world.other_manager)
    page = text(client.get(f"/admin/quotes/{quote.id}"))
    assert "can decide on Alpha Partners's quotes" in page and 'name="reason"' not in page
    assert client.post(f"/admin/quotes/{quote.id}/approve", data={"discount_percent": "1"}).status_code == 403
    assert client.post(f"/admin/quotes/{quote.id}/reject", data={"reason": "No"}).status_code == 403
    login(world.p.manager)
    r = client.post(f"/admin/quotes/{quote.id}/reject", data={"reason": ""})
    assert r.status_code == 400 and "A reason is required." in text(r)
    r = client.post(f"/admin/quotes/{quote.id}/reject", data={"reason": "Below the floor."})
    assert r.status_code == 302 and db.session.get(Quote, quote.id).status == "rejected"


def test_dashboard_panels(client, login, world):
    quote = pending_quote(world)
    login(world.p.a_user)
    page = text(client.get("/dashboard"))
    assert "Open quotes" in page and quote.number in page
    login(world.p.manager)
    page = text(client.get("/dashboard"))
    assert "Quotes waiting for you" in page and quote.number in page
    login(world.other_manager)
    assert "Nothing waiting" in text(client.get("/dashboard"))


def test_the_forms_carry_their_csrf_tokens(client, login, world, csrf_on):
    quote = make_quote(world.p.a, world.p.a_user, "1")
    login(world.p.a_user)
    page = text(client.get(f"/quotes/{quote.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/quotes/{quote.id}/submit").status_code == 400  # without the token
    assert db.session.get(Quote, quote.id).status == "draft"
    r = client.post(f"/quotes/{quote.id}/submit", data={"csrf_token": token})
    assert r.status_code == 302 and db.session.get(Quote, quote.id).status == "approved"
    for url in ("/quotes/new", f"/quotes/{quote.id}/edit"):
        assert 'name="csrf_token"' in text(client.get(url)), url
