"""Staff lead pages: all leads with owner, clock and history; create, assign, reassign, pool,
close; statistics."""
from __future__ import annotations

from datetime import timedelta

from opportunities.leads.models import Lead, LeadEvent
from opportunities.leads.services import distribution, ownership
from opportunities.leads.services.lapses import run_lapses
from opportunities.leads.services.stats import pool_stats
from portal.db import utcnow
from portal.extensions import db
from portal.models import Notification
from tests.factories import make_partner, make_user
from tests.opportunities.leads.helpers import T0, make_lead


def test_staff_list_shows_owner_and_clock(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, company={"name": "Listed Lasers GmbH", "country": "DE"})
    ownership.claim_lead(p.a, p.a_user, lead)
    make_lead(p.manager, company={"name": "Pool Pianos SRL", "country": "IT"})
    for user in (p.manager, p.ops, p.admin):
        login(user)
        html = client.get("/admin/leads").data.decode()
        assert "Listed Lasers GmbH" in html and "Pool Pianos SRL" in html
        assert p.a.name in html and p.a_user.name in html and "Falls back in" in html
    html = client.get("/admin/leads?status=pool").data.decode()
    assert "Pool Pianos SRL" in html and "Listed Lasers GmbH" not in html
    html = client.get(f"/admin/leads?partner={p.a.id}&sort=-company").data.decode()
    assert "Listed Lasers GmbH" in html and "Pool Pianos SRL" not in html


def test_create_a_lead_in_the_form_and_assign_it(client, login, two_partners):
    p = two_partners
    login(p.manager)
    assert client.get("/admin/leads/new").status_code == 200
    bad = client.post("/admin/leads/new", data={"company_name": "Formed Foods", "company_country": "ZZ",
                                                "families": "food!", "region": "EMEA",
                                                "company_domain": "hotmail.com"})
    html = bad.data.decode()
    assert bad.status_code == 422 and "free e-mail provider" in html and "Formed Foods" in html
    assert "is not a product family name" in html
    ok = client.post("/admin/leads/new", data={
        "company_name": "Formed Foods", "company_country": "DE", "families": "hardware, services",
        "region": "EMEA", "tiers": ["gold", "platinum"], "partner_id": str(p.b.id),
        "assignment_deadline": (utcnow() + timedelta(days=5)).date().isoformat()}, follow_redirects=True)
    assert ok.status_code == 200 and "offered to a partner" in ok.data.decode()
    lead = db.session.query(Lead).filter_by(company_name="Formed Foods").one()
    assert lead.status == "assigned" and lead.owner_partner_id == p.b.id and lead.eligible_tiers == ["gold", "platinum"]
    assert lead.due_at.date() == (utcnow() + timedelta(days=5)).date()
    [note] = db.session.query(Notification).filter_by(user_id=p.b_admin.id, kind="lead_assigned").all()
    assert "Formed Foods" in note.title and note.link == f"/leads/{lead.id}"


def test_sales_ops_look_but_do_not_distribute(client, login, two_partners):
    lead = make_lead(two_partners.manager)
    login(two_partners.ops)
    assert client.get(f"/admin/leads/{lead.id}").status_code == 200
    assert client.get("/admin/leads/new").status_code == 403
    assert client.post(f"/admin/leads/{lead.id}/close", data={"reason": "x"}).status_code == 403
    assert client.get("/admin/leads/import").status_code == 403


def test_detail_reassign_pool_close_with_history(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, company={"name": "Moved Motors AB", "country": "SE"})
    ownership.claim_lead(p.a, p.a_user, lead)
    ownership.record_activity(p.a, p.a_user, lead, "call", "First call went well")
    login(p.manager)
    html = client.get(f"/admin/leads/{lead.id}").data.decode()
    assert "First call went well" in html and "Reassign" in html and "claimed" in html
    response = client.post(f"/admin/leads/{lead.id}/assign", data={"partner_id": str(p.b.id)})
    assert response.status_code == 422 and "A reason is required" in response.data.decode()
    response = client.post(f"/admin/leads/{lead.id}/assign", data={"partner_id": str(p.b.id),
                                                                  "reason": "Customer asked for Bravo"},
                           follow_redirects=True)
    html = response.data.decode()
    assert "offered to the partner" in html and "Customer asked for Bravo" in html
    assert db.session.get(Lead, lead.id).owner_partner_id == p.b.id
    response = client.post(f"/admin/leads/{lead.id}/pool", data={"region": "NA", "tiers": ["silver"],
                                                                "reason": "Wrong region"}, follow_redirects=True)
    assert "The lead is in the pool" in response.data.decode()
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.region, lead.tiers) == ("pool", "NA", ",silver,")
    assert client.post(f"/admin/leads/{lead.id}/close", data={"reason": ""}).status_code == 400
    client.post(f"/admin/leads/{lead.id}/close", data={"reason": "Bought elsewhere"})
    actions = [e.action for e in db.session.query(LeadEvent).filter_by(lead_id=lead.id).order_by(LeadEvent.id)]
    assert actions == ["created", "claimed", "reassigned", "pooled", "closed"]
    html = client.get(f"/admin/leads/{lead.id}").data.decode()
    assert "Bought elsewhere" in html and "Close the lead" not in html
    assert client.get("/admin/leads/999999").status_code == 404


def test_statistics_per_region_and_partner(client, login, two_partners):
    p = two_partners
    apac = make_partner(name="Asia Partner", region="APAC", tier="gold")
    apac_user = make_user(apac, "partner_user")
    one = make_lead(p.manager, now=T0)
    two = make_lead(p.manager, now=T0)
    three = make_lead(p.manager, now=T0, region="APAC")
    ownership.claim_lead(p.a, p.a_user, one, now=T0)
    ownership.record_activity(p.a, p.a_user, one, "call", "hello", now=T0 + timedelta(hours=2))
    ownership.claim_lead(p.a, p.a_user, two, now=T0)
    ownership.record_activity(p.a, p.a_user, two, "call", "hello", now=T0 + timedelta(hours=6))
    ownership.release_lead(p.a, p.a_user, two, now=T0 + timedelta(days=1))
    ownership.claim_lead(apac, apac_user, three, now=T0)
    run_lapses(T0 + timedelta(days=8))  # one and three fall back
    distribution.assign_lead(p.b, p.manager, two, now=T0 + timedelta(days=8))
    ownership.accept_assignment(p.b, p.b_user, two, now=T0 + timedelta(days=8, hours=1))
    result = pool_stats()
    by_partner = {r.key: r for r in result.by_partner}
    alpha = by_partner[p.a.name]
    assert (alpha.claimed, alpha.fell_back, alpha.released, alpha.open_now) == (2, 1, 1, 0)
    assert alpha.median_first_activity == timedelta(hours=4)
    assert (by_partner[p.b.name].accepted, by_partner[p.b.name].open_now) == (1, 1)
    by_region = {r.key: r for r in result.by_region}
    assert by_region["EMEA"].claimed == 2 and by_region["EMEA"].accepted == 1 and by_region["EMEA"].in_pool == 1
    assert by_region["APAC"].fell_back == 1 and by_region["APAC"].median_first_activity is None
    assert by_region["APAC"].in_pool == 1
    assert (result.total.claimed, result.total.fell_back) == (3, 2)
    assert pool_stats(since=T0 + timedelta(days=2)).total.taken == 1
    login(p.manager)
    html = client.get("/admin/leads/stats").data.decode()
    assert "By region" in html and "Asia Partner" in html and "4.0 h" in html
    html = client.get("/admin/leads/stats?region=APAC&since=bogus").data.decode()
    assert "Asia Partner" in html and p.a.name not in html


def test_staff_dashboards_have_a_leads_panel(client, login, two_partners):
    p = two_partners
    lead = make_lead(p.manager, now=T0)
    ownership.claim_lead(p.a, p.a_user, lead, now=utcnow() - timedelta(days=8))
    run_lapses()
    make_lead(p.manager)
    for user in (p.manager, p.admin, p.ops):
        login(user)
        html = client.get("/dashboard").data.decode()
        assert 'data-testid="leads-staff-panel"' in html and "fell back in 7 days" in html
    panel = html.split('data-testid="leads-staff-panel"')[1]
    assert '<div class="fs-4 fw-semibold">2</div><div class="small text-body-secondary">in the pool' in panel
    assert "text-danger\">1</div>" in panel
