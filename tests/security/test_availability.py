"""The availability pre-check (docs/security.md "Availability check"): the partner's own active
registration makes a customer unavailable too, with a link to it when the asking user may open
it; another partner's registration is still only a plain "no"."""
from __future__ import annotations

from portal.extensions import db
from tests.factories import make_user
from tests.opportunities.registrations.helpers import register

SIEMENS = {"customer": {"name": "Siemens AG", "country": "DE"}, "families": ["hardware"]}
FORM = {"customer_name": "Siemens AG", "customer_country": "DE", "families": ["hardware"]}


def test_the_own_registration_makes_the_customer_unavailable_with_its_link(two_partners, api, client, login):
    own = register(two_partners.a, two_partners.a_user, "Siemens Aktiengesellschaft", "DE")
    for user in (two_partners.a_user, two_partners.a_admin):  # the rep who registered it, its partner admin
        answer = api(user).post("/opportunities/check", SIEMENS)
        assert answer.status_code == 200
        assert answer.json == {"available": False, "own_registration": True, "own_opportunity_id": own.id}
    login(two_partners.a_user)
    page = client.post("/opportunities/check", data=FORM)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<strong>No</strong>" in text
    assert "your company already has an active registration" in text
    assert f'href="/opportunities/{own.id}"' in text
    assert "Register it now" not in text


def test_a_colleagues_registration_is_named_without_a_link(two_partners, api, client, login):
    own = register(two_partners.a, two_partners.a_user, "Siemens AG", "DE")
    colleague = make_user(two_partners.a, "partner_user")
    answer = api(colleague).post("/opportunities/check", SIEMENS)
    assert answer.json == {"available": False, "own_registration": True}  # a rep cannot open it: no id
    login(colleague)
    text = client.post("/opportunities/check", data=FORM).get_data(as_text=True)
    assert "A colleague registered it" in text and f"/opportunities/{own.id}" not in text


def test_another_partner_still_gets_a_plain_no(two_partners, api, client, login):
    own = register(two_partners.a, two_partners.a_user, "Siemens AG", "DE")
    assert api(two_partners.b_user).post("/opportunities/check", SIEMENS).json == {"available": False}
    login(two_partners.b_user)
    text = client.post("/opportunities/check", data=FORM).get_data(as_text=True)
    assert "<strong>No</strong>" in text and "already has an active registration" not in text
    assert f"/opportunities/{own.id}" not in text and two_partners.a.name not in text


def test_only_active_own_registrations_count(two_partners, api):
    own = register(two_partners.a, two_partners.a_user, "Siemens AG", "DE")
    other_family = {**SIEMENS, "families": ["software"]}
    assert api(two_partners.a_user).post("/opportunities/check", other_family).json == {"available": True}
    own.status = "rejected"
    db.session.flush()
    assert api(two_partners.a_user).post("/opportunities/check", SIEMENS).json == {"available": True}
