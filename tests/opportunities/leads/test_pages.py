"""Partner lead pages: my leads with clocks, the pool, claim, activities, release, offers."""
from __future__ import annotations

from datetime import timedelta

from opportunities.leads.models import Lead, LeadActivity
from opportunities.leads.services import distribution, ownership
from opportunities.leads.services.lapses import run_lapses
from portal.db import utcnow
from portal.extensions import db
from tests.crosspartner import covers
from tests.factories import make_user
from tests.opportunities.leads.helpers import make_lead


def test_my_leads_show_the_clock_on_each_lead(client, login, two_partners):
    p = two_partners
    fresh = make_lead(p.manager, company={"name": "Fresh Fish AG", "country": "DE"})
    urgent = make_lead(p.manager, company={"name": "Urgent Umbrellas SA", "country": "FR"})
    offered = make_lead(p.manager, company={"name": "Offered Optics BV", "country": "NL"})
    ownership.claim_lead(p.a, p.a_user, fresh)
    ownership.claim_lead(p.a, p.a_user, urgent, now=utcnow() - timedelta(days=6, hours=12))
    distribution.assign_lead(p.a, p.manager, offered)
    done = make_lead(p.manager, company={"name": "Done Deals Ltd", "country": "GB"})
    ownership.claim_lead(p.a, p.a_user, done)
    done.status, done.due_at, done.converted_at = "converted", None, utcnow()  # as a conversion leaves it
    login(p.a_user)
    html = client.get("/leads/").data.decode()
    assert html.index("Urgent Umbrellas") < html.index("Offered Optics") < html.index("Done Deals")
    assert "Fresh Fish AG" in html and "Urgent Umbrellas SA" in html and "Offered Optics BV" in html
    assert "Falls back in 6 days" in html or "Falls back in 7 days" in html
    assert "Falls back in 11 h" in html or "Falls back in 12 h" in html
    assert "Answer within 2 days" in html or "Answer within 3 days" in html
    assert html.index("Urgent Umbrellas") < html.index("Fresh Fish")  # most urgent first
    assert "text-warning-emphasis" in html  # the urgent clock is highlighted
    # a colleague (partner user) does not see another rep's leads; the partner admin does
    colleague = make_user(p.a, "partner_user")
    login(colleague)
    html = client.get("/leads/").data.decode()
    assert "Fresh Fish AG" not in html and "Offered Optics BV" in html
    login(p.a_admin)
    html = client.get("/leads/").data.decode()
    assert "Fresh Fish AG" in html and p.a_user.name in html
    assert client.get("/leads/?status=claimed").data.decode().count("Offered Optics") == 0


def test_the_pool_page_and_claiming_a_lead(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, company={"name": "Pooled Pumps GmbH", "country": "DE"})
    make_lead(p.manager, region="APAC", company={"name": "Far Away KK", "country": "JP"})
    login(p.a_user)
    html = client.get("/leads/pool").data.decode()
    assert "Pooled Pumps GmbH" in html and "Far Away KK" not in html
    response = client.post(f"/leads/{lead.id}/claim", follow_redirects=True)
    assert response.status_code == 200
    html = response.data.decode()
    assert "You own Pooled Pumps GmbH now" in html and "Record a follow-up" in html
    assert db.session.get(Lead, lead.id).owner_user_id == p.a_user.id
    login(p.b_user)
    response = client.post(f"/leads/{lead.id}/claim", follow_redirects=True)
    assert "already been taken" in response.data.decode()


def test_a_cooled_down_lead_says_when_it_can_be_claimed_again(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, company={"name": "Lapsed Lamps Ltd", "country": "GB"})
    ownership.claim_lead(p.a, p.a_user, lead, now=utcnow() - timedelta(days=8))
    run_lapses()
    login(p.a_user)
    html = client.get("/leads/pool").data.decode()
    assert "Lapsed Lamps Ltd" in html and "claimable again from" in html
    html = client.post(f"/leads/{lead.id}/claim", follow_redirects=True).data.decode()
    assert "can claim it again from" in html
    assert db.session.get(Lead, lead.id).status == "pool"


@covers("leads.detail", "leads.add_activity", "leads.release", "leads.claim")
def test_lead_detail_activity_and_release_are_the_owners(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, company={"name": "Owned Ovens SA", "country": "FR"})
    ownership.claim_lead(p.a, p.a_user, lead)
    login(p.b_user)  # another partner: 404 everywhere
    assert client.get(f"/leads/{lead.id}").status_code == 404
    assert client.post(f"/leads/{lead.id}/activities", data={"kind": "call", "note": "x"}).status_code == 404
    assert client.post(f"/leads/{lead.id}/release").status_code == 404
    assert client.post("/leads/999999/claim").status_code == 404
    login(p.a_user)
    response = client.post(f"/leads/{lead.id}/activities", data={"kind": "call", "note": ""})
    assert response.status_code == 400 and "This field is required." in response.data.decode()
    response = client.post(f"/leads/{lead.id}/activities", data={"kind": "meeting", "note": "On-site visit"},
                           follow_redirects=True)
    html = response.data.decode()
    assert "Activity recorded" in html and "On-site visit" in html and p.a_user.name in html
    assert db.session.query(LeadActivity).filter_by(lead_id=lead.id).count() == 1
    response = client.post(f"/leads/{lead.id}/release", data={"reason": "Not for us"}, follow_redirects=True)
    assert "You released Owned Ovens SA" in response.data.decode()
    assert db.session.get(Lead, lead.id).status == "pool"
    # no longer the owner: activity is a 404
    assert client.post(f"/leads/{lead.id}/activities", data={"kind": "call", "note": "late"}).status_code == 404


@covers("leads.accept", "leads.decline")
def test_offered_leads_are_accepted_or_declined(client, login, two_partners):
    p = two_partners
    first = make_lead(p.manager, company={"name": "Offer One Oy", "country": "FI"})
    second = make_lead(p.manager, company={"name": "Offer Two AS", "country": "NO"})
    distribution.assign_lead(p.a, p.manager, first)
    distribution.assign_lead(p.a, p.manager, second)
    login(p.b_admin)
    assert client.post(f"/leads/{first.id}/accept").status_code == 404
    assert client.post(f"/leads/{first.id}/decline").status_code == 404
    login(p.a_user)
    html = client.get(f"/leads/{first.id}").data.decode()
    assert "This lead is offered to your company" in html
    html = client.post(f"/leads/{first.id}/accept", follow_redirects=True).data.decode()
    assert "You accepted Offer One Oy" in html and "Follow-up clock" in html
    html = client.post(f"/leads/{second.id}/decline", data={"reason": "Too far"}, follow_redirects=True).data.decode()
    assert "You declined Offer Two AS" in html
    assert db.session.get(Lead, second.id).status == "pool"


def test_partner_dashboard_has_a_leads_panel_and_nav(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager)
    ownership.claim_lead(p.a, p.a_user, lead, now=utcnow() - timedelta(days=6, hours=12))
    login(p.a_user)
    html = client.get("/dashboard").data.decode()
    assert 'data-testid="leads-panel"' in html and "fall back within a day" in html
    assert 'href="/leads/"' in html


def test_staff_are_refused_partner_lead_pages(client, login, two_partners):
    login(two_partners.manager)
    assert client.get("/leads/").status_code == 403
    assert client.get("/leads/pool").status_code == 403


def test_lead_forms_carry_the_csrf_token(client, login, two_partners, csrf_on):
    import re

    p = two_partners
    lead = make_lead(p.manager, company={"name": "Tokened Tiles SL", "country": "ES"})
    login(p.a_user)
    assert client.post(f"/leads/{lead.id}/claim").status_code == 400  # no token: refused
    html = client.get("/leads/pool").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post(f"/leads/{lead.id}/claim", data={"csrf_token": token}).status_code == 302
    html = client.get(f"/leads/{lead.id}").data.decode()
    assert html.count('name="csrf_token"') >= 2  # the activity and release forms
    assert db.session.get(Lead, lead.id).owner_user_id == p.a_user.id
