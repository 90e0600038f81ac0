"""The partner 360 page: content built from every feature, the merged activity timeline, who may see it,
and a fixed number of queries."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from catalog.services.pricing import LineInput
from opportunities.campaigns.services import campaigns, mdf
from opportunities.leads.services import distribution, ownership
from orders.models import Order
from orders.services import addresses, placing, status
from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry
from portal.services import partners as partner_service
from tests import factories
from tests.admin.test_approvals import pending_quote
from tests.catalog.builders import build
from tests.crosspartner import covers
from tests.opportunities.campaigns.builders import make_campaign, request_data
from tests.opportunities.leads.helpers import lead_data
from tests.opportunities.registrations.helpers import register
from tests.queries import count_queries


@dataclass
class Built:
    p: factories.TwoPartners
    other: Any
    order: Order
    campaign: Any


def place(partner: Any, user: Any, po: str, quantity: int = 3, method: str = "on_account") -> Order:
    header = placing.OrderInput(po_number=po, payment_method=method)
    return placing.place_lines(partner, user, header, [LineInput("LIC", quantity)])


def add_activity(p: factories.TwoPartners, campaign: Any, n: int = 1) -> None:
    """More of everything for partner A (n of each kind)."""
    for i in range(n):
        place(p.a, p.a_user, f"PO-X{i}", 1)
        pending_quote(p.a, p.a_user)
        register(p.a, p.a_user, f"Corvantis Systems {i} GmbH", domain=f"corvantis{i}.example")
        distribution.create_lead(p.admin, lead_data(partner_id=p.a.id))
        mdf.request_funds(p.a, p.a_admin, campaign, request_data(activity=f"Meetup {i}", amount="100.00"))
        factories.make_user(p.a, "partner_user", name=f"Rep {i}")


@pytest.fixture
def built(two_partners) -> Built:
    p = two_partners
    other = factories.make_user(role="partner_manager", name="Olivia Other")
    p.b.manager_id = other.id
    build()
    for partner in (p.a, p.b):
        addresses.add_address(partner, {"label": "Main", "recipient": partner.name, "street": "Hauptstr. 1",
                                        "postal_code": "10115", "city": "Berlin", "country": "DE"})
    order = place(p.a, p.a_user, "PO-ALPHA-1")  # 3 x 99.99 less nothing (software, silver): 299.97
    status.change_status(p.admin, order.id, "confirmed")
    place(p.a, p.a_user, "PO-ALPHA-CARD", 1, "card")  # by card: not in the open balance
    place(p.b, p.b_user, "PO-BRAVO-1")
    pending_quote(p.a, p.a_user)
    register(p.a, p.a_user, "Quavendra Robotics GmbH", domain="quavendra.example")
    register(p.b, p.b_user, "Bravo Only Customer SA", country="FR")
    lead = distribution.create_lead(p.admin, lead_data(partner_id=p.a.id))
    ownership.accept_assignment(p.a, p.a_admin, lead)
    campaign = make_campaign(p.admin, name="Spring push")
    campaigns.enrol(p.a, p.a_admin, campaign)
    mdf.request_funds(p.a, p.a_admin, campaign, request_data(activity="Roadshow", amount="2000.00"))
    partner_service.update_partner(p.admin, p.a, {"payment_terms_days": 45})
    db.session.flush()
    return Built(p, other, order, campaign)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def get(client: Any, url: str, code: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == code, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def test_the_360_shows_every_side_of_the_partner(client, login, built):
    p = built.p
    login(p.manager)
    html = get(client, f"/admin/partners/{p.a.id}/360")
    page = text(html)
    assert "Alpha Partners" in page and "silver" in page
    assert p.a_admin.email in page and p.a_user.email in page and p.b_admin.email not in page
    assert "Credit limit €10,000.00 45 days terms" in page
    assert "Open balance €299.97 2% of the limit used" in page  # on account only; the card order waits
    assert "Available credit €9,700.03" in page
    assert built.order.number in page and "PO PO-ALPHA-1" in page and "PO-BRAVO-1" not in page
    assert re.search(r'data-status="confirmed">\s*confirmed 1', html) and re.search(r'pending payment 1', page)
    assert "Quavendra Robotics GmbH" in page and "Bravo Only Customer SA" not in page
    assert re.search(r'data-status="pending_approval">\s*pending approval 1', html)
    assert "Prospect" in page and re.search(r'data-status="claimed">\s*claimed 1', html)
    assert "Spring push" in page and "Roadshow" in page
    assert "Active registrations 1 €1,000.00 pipeline" in page
    assert f'href="/admin/approvals?partner={p.a.id}&amp;scope=all"' in html
    assert "3 waiting for a decision" in page  # the quote, the registration, the MDF request


def test_the_timeline_merges_the_audit_log_and_the_features_events_newest_first(client, login, built):
    p = built.p
    login(p.admin)
    html = get(client, f"/admin/partners/{p.a.id}/360")
    sources = re.findall(r'data-source="(\w+)"', html)
    assert {"audit", "quote", "order", "registration", "lead", "mdf"} <= set(sources)
    page = text(html)
    assert f"{built.order.number} (PO PO-ALPHA-1): submitted → confirmed" in page
    assert "Updated partner Alpha Partners (payment terms days → 45)" in page
    assert re.search(r"#\d+ Quavendra Robotics GmbH: submitted", page)
    assert "Prospect" in page and ": assigned" in page and ": accepted" in page
    assert "“Roadshow”: submitted €2,000.00" in page
    assert "PO-BRAVO-1" not in page and "Bravo Only Customer" not in page
    stamps = re.findall(r'<li class="d-flex gap-3 py-2 border-bottom small" data-source="\w+">\s*'
                        r'<span class="text-body-secondary text-nowrap"[^>]*>([^<]+)<', html)
    assert stamps == sorted(stamps, reverse=True)


def test_the_timeline_is_paged(client, login, built):
    p = built.p
    base = utcnow() - timedelta(days=30)
    for i in range(25):
        db.session.add(AuditEntry(actor_label="someone@example.com", action="partner.note", object_type="partners",
                                  object_id=p.a.id, partner_id=p.a.id, summary=f"Old note {i:02d}",
                                  created_at=base + timedelta(minutes=i)))
    db.session.flush()
    login(p.admin)
    first = text(get(client, f"/admin/partners/{p.a.id}/360"))
    assert "Old note 00" not in first and "Page 1 of" in first
    total = int(re.search(r"Activity (\d+)", first).group(1))
    last_page = -(-total // 20)
    last = text(get(client, f"/admin/partners/{p.a.id}/360?tpage={last_page}"))
    assert "Old note 00" in last and f"Page {last_page} of {last_page}" in last
    get(client, f"/admin/partners/{p.a.id}/360?tpage=0", 400)


@covers("admin.partner_360")
def test_who_may_see_a_partners_360(client, login, built):
    p = built.p
    url = f"/admin/partners/{p.a.id}/360"
    for user in (p.a_admin, p.a_user, p.b_admin, p.b_user):
        login(user)
        assert client.get(url).status_code == 403
    login(built.other)  # manages B, not A
    assert client.get(url).status_code == 403
    assert client.get(f"/admin/partners/{p.b.id}/360").status_code == 200
    for user in (p.manager, p.admin, p.ops):
        login(user)
        assert client.get(url).status_code == 200
    assert client.get("/admin/partners/999999/360").status_code == 404


def test_the_partner_page_links_to_the_360_only_for_those_who_may_see_it(client, login, built):
    p = built.p
    login(p.manager)
    assert f'href="/admin/partners/{p.a.id}/360"' in get(client, f"/admin/partners/{p.a.id}")
    login(built.other)
    assert f'href="/admin/partners/{p.a.id}/360"' not in get(client, f"/admin/partners/{p.a.id}")


def test_sales_ops_see_no_approval_shortcut(client, login, built):
    login(built.p.ops)
    html = get(client, f"/admin/partners/{built.p.a.id}/360")
    assert 'data-testid="partner-approvals"' not in html


def test_the_page_costs_the_same_queries_for_a_small_or_a_big_partner(client, login, built):
    p = built.p
    login(p.admin)
    url = f"/admin/partners/{p.a.id}/360"
    get(client, url)  # warm-up
    with count_queries() as few:
        get(client, url)
    add_activity(p, built.campaign, 8)
    db.session.flush()
    with count_queries() as many:
        html = get(client, url)
    assert "Rep 7" in html and "Corvantis Systems 7 GmbH" in html
    assert len(many) == len(few), "\n\n".join(many)
    assert len(many) <= 25, len(many)
