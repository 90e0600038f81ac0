"""The approvals page: every waiting item with its age, mine vs all, type filter, sorting, inline
decisions through the features' services, the navigation count, and a fixed number of queries."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from admin.backoffice import approvals
from opportunities.campaigns.models import MdfRequest
from opportunities.campaigns.services import campaigns, claims, mdf
from opportunities.registrations.models import Registration
from orders.quotes import services as quote_services
from orders.quotes.models import Quote
from portal import storage
from portal.db import utcnow
from portal.extensions import db
from portal.models import PartnerApplication
from portal.services import onboarding
from tests import factories
from tests.catalog.builders import build
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import PDF, approved_request, make_campaign, request_data
from tests.opportunities.registrations.helpers import register
from tests.orders.quotes.conftest import make_quote
from tests.queries import count_queries


@dataclass
class World:
    """Partner A (managed by `p.manager`) and partner B (managed by `other`), with one waiting item of
    every kind and a conflict between B's registration and A's."""

    p: factories.TwoPartners
    other: Any
    quote_a: Quote
    quote_b: Quote
    clean_reg: Registration  # A's, no conflict
    reg_a: Registration  # A's, conflicted later by B's
    reg_b: Registration  # B's, in review
    mdf_a: MdfRequest
    claim_a: MdfRequest
    mdf_b: MdfRequest
    application: PartnerApplication


def pending_quote(partner: Any, user: Any, percent: str = "10") -> Quote:
    quote = make_quote(partner, user, percent, justification="The customer compares three offers.")
    return quote_services.submit_quote(partner, user, quote.id)


def application(name: str = "Fjord Networks AS", domain: str = "fjordnet.example") -> PartnerApplication:
    return onboarding.record_application({
        "company_name": name, "kind": "reseller", "country": "NO", "region": "EMEA", "currency": "NOK",
        "website": f"https://www.{domain}", "contact_name": "Ingrid Fjord", "contact_email": f"ingrid@{domain}",
        "message": ""}, ip="192.0.2.9")


def claimed_request(p: factories.TwoPartners, campaign: Any, amount: str = "1500.00") -> MdfRequest:
    req = approved_request(p, campaign)
    proof = storage.check_upload("invoice.pdf", io.BytesIO(PDF), allowed=("pdf",), max_bytes=10_000)
    claims.submit_claim(p.a, p.a_user, req, amount, "Roadshow done.", [proof])
    return req


def build_world(p: factories.TwoPartners) -> World:
    other = factories.make_user(role="partner_manager", name="Olivia Other")
    p.b.manager_id = other.id
    build()
    quote_a = pending_quote(p.a, p.a_user)
    quote_b = pending_quote(p.b, p.b_user, "12")
    clean = register(p.a, p.a_user, "Lumora Analytics GmbH", domain="lumora.example")
    reg_a = register(p.a, p.a_user, "Quavendra Robotics GmbH", domain="quavendra.example")
    reg_b = register(p.b, p.b_user, "QUAVENDRA ROBOTICS", country="DE")
    campaign = make_campaign(p.admin)
    claim = claimed_request(p, campaign)
    mdf_a = mdf.request_funds(p.a, p.a_admin, campaign, request_data(activity="Webinar", amount="800.00"))
    campaigns.enrol(p.b, p.b_admin, campaign)
    mdf_b = mdf.request_funds(p.b, p.b_admin, campaign, request_data(activity="Trade fair", amount="3000.00"))
    db.session.flush()
    return World(p, other, quote_a, quote_b, clean, reg_a, reg_b, mdf_a, claim, mdf_b, application())


@pytest.fixture
def storage_root(app, tmp_path: Path):
    saved = app.config.get("STORAGE_ROOT")
    app.config["STORAGE_ROOT"] = str(tmp_path / "storage")
    try:
        yield tmp_path
    finally:
        app.config["STORAGE_ROOT"] = saved


@pytest.fixture
def world(two_partners, storage_root) -> World:
    return build_world(two_partners)


def rows(html: str) -> list[tuple[str, int]]:
    """(kind, id) of the queue's rows, in order."""
    return [(k, int(i)) for k, i in re.findall(r'<tr data-kind="(\w+)" data-id="(\d+)"', html)]


def page(client: Any, url: str = "/admin/approvals", status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


# --- content -------------------------------------------------------------------------------------

def test_admin_sees_every_waiting_item_with_who_asks_what_and_since_when(client, login, world):
    w = world
    login(w.p.admin)
    html = page(client)
    assert set(rows(html)) == {("registration", w.clean_reg.id), ("registration", w.reg_a.id),
                               ("registration", w.reg_b.id), ("quote", w.quote_a.id), ("quote", w.quote_b.id),
                               ("mdf_request", w.mdf_a.id), ("mdf_request", w.mdf_b.id),
                               ("mdf_claim", w.claim_a.id), ("application", w.application.id)}
    assert 'data-testid="approvals-total">9 waiting' in html
    for kind, n in (("registration", 3), ("quote", 2), ("mdf_request", 2), ("mdf_claim", 1), ("application", 1)):
        assert f'data-testid="count-{kind}">{n}<' in html
    assert "10% extra discount on" in html and "(tier limit 2%)" in html  # A is silver
    assert "12% extra discount on" in html and "(tier limit 5%)" in html  # B is gold
    assert "“The customer compares three offers.”" in html
    assert "Protect the deal: €1,000.00 of hardware" in html
    assert "Pay €1,500.00 (approved €2,000.00)" in html and "1 proof file" in html
    assert "€800.00 of MDF" in html and "Webinar" in html and "Trade fair" in html
    assert "Fjord Networks AS" in html and "Become a reseller partner (EMEA, NOK)" in html
    assert "1 conflict, best score" in html
    assert "Alpha Partners" in html and "Bravo Partners" in html


def test_conflicts_come_first_then_the_longest_waiting(client, login, world):
    w = world
    w.quote_b.submitted_at = utcnow() - timedelta(days=6)
    w.application.created_at = utcnow() - timedelta(days=3)
    db.session.flush()
    login(w.p.admin)
    order = rows(page(client))
    assert set(order[:2]) == {("registration", w.reg_a.id), ("registration", w.reg_b.id)}
    assert order[2:4] == [("quote", w.quote_b.id), ("application", w.application.id)]
    oldest_first = rows(page(client, "/admin/approvals?sort=waiting"))
    assert oldest_first[:2] == [("quote", w.quote_b.id), ("application", w.application.id)]
    newest_first = rows(page(client, "/admin/approvals?sort=-waiting"))
    assert newest_first[-2:] == [("application", w.application.id), ("quote", w.quote_b.id)]


def test_old_items_are_highlighted(client, login, world):
    w = world
    w.quote_a.submitted_at = utcnow() - timedelta(days=2, hours=3)
    w.quote_b.submitted_at = utcnow() - timedelta(days=5, hours=1)
    db.session.flush()
    login(w.p.admin)
    html = page(client, "/admin/approvals?type=quote&sort=waiting")
    levels = re.findall(r'data-level="(\w+)"[^>]*>([^<]+)<', html)
    assert levels == [("overdue", "5 d 1 h"), ("old", "2 d 3 h")]
    recent = page(client, "/admin/approvals?type=mdf_request")
    assert re.findall(r'data-level="(\w+)"', recent) == ["recent", "recent"]


def test_a_partner_manager_starts_with_its_own_partners_and_can_see_all(client, login, world):
    w = world
    login(w.p.manager)
    mine = set(rows(page(client)))
    assert mine == {("registration", w.clean_reg.id), ("registration", w.reg_a.id), ("quote", w.quote_a.id),
                    ("mdf_request", w.mdf_a.id), ("mdf_claim", w.claim_a.id), ("application", w.application.id)}
    everything = page(client, "/admin/approvals?scope=all")
    assert ("quote", w.quote_b.id) in rows(everything) and ("registration", w.reg_b.id) in rows(everything)
    assert "Olivia Other decides" in everything  # B's quote and MDF belong to B's manager
    login(w.p.admin)
    assert len(rows(page(client))) == 9  # an admin starts with everything
    assert set(rows(page(client, "/admin/approvals?scope=mine"))) == {("application", w.application.id)}


def test_type_and_partner_filters(client, login, world):
    w = world
    login(w.p.admin)
    assert rows(page(client, "/admin/approvals?type=quote&sort=waiting")) == [("quote", w.quote_a.id),
                                                                              ("quote", w.quote_b.id)]
    assert rows(page(client, "/admin/approvals?type=mdf_claim")) == [("mdf_claim", w.claim_a.id)]
    only_b = rows(page(client, f"/admin/approvals?partner={w.p.b.id}"))
    assert set(only_b) == {("quote", w.quote_b.id), ("registration", w.reg_b.id), ("mdf_request", w.mdf_b.id)}
    assert rows(page(client, "/admin/approvals?type=nonsense&sort=bogus&scope=weird"))  # ignored, not a 500


def test_the_navigation_shows_what_waits_and_the_dashboard_leads_there(client, login, world):
    w = world
    login(w.p.manager)
    html = page(client, "/dashboard")
    assert re.search(r'Approvals <span class="badge[^"]*" data-testid="approvals-count"[^>]*>6<', html)
    assert 'data-testid="approvals-panel"' in html and "6 items waiting for you" in html
    login(w.p.admin)
    html = page(client, "/dashboard")
    assert re.search(r'data-testid="approvals-count"[^>]*>9<', html) and "9 items waiting for a decision" in html
    login(w.p.ops)
    html = page(client, "/dashboard")
    assert "approvals-count" not in html and "approvals-panel" not in html


# --- permissions ---------------------------------------------------------------------------------

@covers("admin.approvals", "admin.decide_approval")
def test_only_admins_and_partner_managers_use_the_approvals_page(client, login, world):
    w = world
    url = f"/admin/approvals/quote/{w.quote_a.id}/approve"
    for user in (w.p.a_admin, w.p.a_user, w.p.b_admin, w.p.ops):
        login(user)
        assert client.get("/admin/approvals").status_code == 403
        assert client.post(url, data={"discount_percent": "1"}).status_code == 403
    assert db.session.get(Quote, w.quote_a.id).status == "pending_approval"
    client.post("/logout")
    anonymous = client.application.test_client()
    assert anonymous.get("/admin/approvals").status_code == 302


def test_a_manager_cannot_decide_another_managers_items(client, login, world):
    w = world
    login(w.p.manager)
    assert client.post(f"/admin/approvals/quote/{w.quote_b.id}/approve", data={}).status_code == 403
    assert client.post(f"/admin/approvals/mdf_request/{w.mdf_b.id}/reject",
                       data={"reason": "No."}).status_code == 403
    assert db.session.get(Quote, w.quote_b.id).status == "pending_approval"
    assert db.session.get(MdfRequest, w.mdf_b.id).status == "submitted"


# --- deciding inline -----------------------------------------------------------------------------

def test_approve_a_quote_at_a_lower_discount_and_come_back_to_the_same_view(client, login, world):
    w = world
    login(w.p.manager)
    r = client.post(f"/admin/approvals/quote/{w.quote_a.id}/approve?type=quote&scope=mine",
                    data={"discount_percent": "6", "comment": "Best we can do."})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/approvals?type=quote&scope=mine")
    quote = db.session.get(Quote, w.quote_a.id)
    assert quote.status == "approved" and str(quote.current.approved_discount_percent) == "6.00"
    assert quote.current.decision_comment == "Best we can do."
    html = page(client, "/admin/approvals?type=quote&scope=mine")
    assert "is approved at 6%" in html and rows(html) == []


def test_a_bad_decision_is_shown_on_its_row_with_the_input_kept_and_nothing_changes(client, login, world):
    w = world
    login(w.p.manager)
    r = client.post(f"/admin/approvals/quote/{w.quote_a.id}/approve", data={"discount_percent": "15"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "cannot be more than the 10% requested" in html
    assert f'id="decide-quote-{w.quote_a.id}" data-testid' in html and "collapse show" in html
    assert 'value="15"' in html
    r = client.post(f"/admin/approvals/quote/{w.quote_a.id}/reject", data={"reason": "  "})
    assert r.status_code == 422 and "A reason is required." in r.get_data(as_text=True)
    assert db.session.get(Quote, w.quote_a.id).status == "pending_approval"
    r = client.post(f"/admin/approvals/mdf_request/{w.mdf_a.id}/approve", data={"amount": "900.00"})
    assert r.status_code == 422 and "At most the requested €800.00." in r.get_data(as_text=True)
    assert db.session.get(MdfRequest, w.mdf_a.id).status == "submitted"


def test_reject_a_quote_with_a_reason(client, login, world):
    w = world
    login(w.p.admin)
    r = client.post(f"/admin/approvals/quote/{w.quote_b.id}/reject", data={"reason": "Below our floor."})
    assert r.status_code == 302
    quote = db.session.get(Quote, w.quote_b.id)
    assert quote.status == "rejected" and quote.current.decision_comment == "Below our floor."


def test_approve_and_reject_registrations_without_a_conflict(client, login, world):
    w = world
    login(w.p.manager)
    r = client.post(f"/admin/approvals/registration/{w.clean_reg.id}/approve",
                    data={"protection_days": "30", "discount_percent": "4"})
    assert r.status_code == 302
    reg = db.session.get(Registration, w.clean_reg.id)
    assert reg.status == "approved" and reg.protection_days == 30 and str(reg.discount_percent) == "4.00"
    other = register(w.p.a, w.p.a_user, "Nexorin Labs AG", domain="nexorin.example")
    r = client.post(f"/admin/approvals/registration/{other.id}/reject", data={"reason": ""})
    assert r.status_code == 422 and "Say why it is rejected." in r.get_data(as_text=True)
    r = client.post(f"/admin/approvals/registration/{other.id}/reject", data={"reason": "Not a real project."})
    assert r.status_code == 302 and db.session.get(Registration, other.id).status == "rejected"


def test_registrations_with_a_conflict_are_decided_side_by_side(client, login, world):
    w = world
    login(w.p.manager)
    html = page(client)
    assert f'href="/admin/registrations/{w.reg_a.id}">Review side by side' in html
    assert f'id="decide-registration-{w.reg_a.id}"' not in html
    r = client.post(f"/admin/approvals/registration/{w.reg_a.id}/approve", data={})
    assert r.status_code == 409 and "decide it on its review page" in r.get_data(as_text=True)
    assert db.session.get(Registration, w.reg_a.id).status == "submitted"


def test_mdf_requests_and_claims_are_decided_inline(client, login, world):
    w = world
    login(w.p.manager)
    assert client.post(f"/admin/approvals/mdf_request/{w.mdf_a.id}/approve",
                       data={"amount": "750.00", "comment": "Fine."}).status_code == 302
    req = db.session.get(MdfRequest, w.mdf_a.id)
    assert req.status == "approved" and req.approved_minor == 75000
    assert client.post(f"/admin/approvals/mdf_claim/{w.claim_a.id}/approve", data={"amount": ""}).status_code == 302
    claimed = db.session.get(MdfRequest, w.claim_a.id)
    assert claimed.status == "claim_approved" and claimed.claim.approved_minor == 150000
    r = client.post(f"/admin/approvals/mdf_claim/{w.claim_a.id}/reject", data={"reason": "Late."})
    assert r.status_code == 409 and "cannot be rejected" in r.get_data(as_text=True)  # already decided


def test_applications_link_to_their_review_page(client, login, world):
    w = world
    login(w.p.manager)
    html = page(client, "/admin/approvals?type=application")
    assert f'href="/admin/applications/{w.application.id}">Review application' in html
    assert client.post(f"/admin/approvals/application/{w.application.id}/approve", data={}).status_code == 404
    assert client.post(f"/admin/approvals/quote/{w.quote_a.id}/escalate", data={}).status_code == 404
    assert client.post("/admin/approvals/quote/999999/approve", data={}).status_code == 404


# --- cost ----------------------------------------------------------------------------------------

def test_the_page_costs_the_same_queries_for_few_or_many_items(client, login, world, storage_root):
    w = world
    login(w.p.admin)
    page(client)  # warm-up
    with count_queries() as few:
        html = page(client)
    assert len(rows(html)) == 9
    campaign = db.session.get(MdfRequest, w.mdf_a.id).campaign
    for n in range(3):
        pending_quote(w.p.a, w.p.a_user)
        pending_quote(w.p.b, w.p.b_user)
        register(w.p.a, w.p.a_user, f"Zentrix Widgets {n} GmbH", domain=f"zentrix{n}.example")
        register(w.p.b, w.p.b_user, f"Zentrix Widgets {n} GmbH", domain=f"zentrix{n}.example")
        mdf.request_funds(w.p.a, w.p.a_admin, campaign, request_data(activity=f"Event {n}", amount="100.00"))
        application(f"Applicant {n} AS", f"applicant{n}.example")
    db.session.flush()
    with count_queries() as many:
        html = page(client)
    assert len(rows(html)) == 25
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 16, "\n\n".join(many)  # user, counts, page, partners, 1-2 per kind, duplicates (4)


def test_waiting_count_matches_the_default_view(world):
    w = world
    assert approvals.waiting_count(w.p.manager, mine=True) == 6
    assert approvals.waiting_count(w.p.admin, mine=False) == 9
    assert approvals.waiting_count(w.other, mine=True) == 4  # B's quote, registration, MDF + the application
