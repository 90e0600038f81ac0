"""The manager's review pages and house accounts, as found in review: every form problem at once, the first
registered pointed out where it matters, inactive house accounts, notifications to each side."""
from __future__ import annotations

from datetime import timedelta

from opportunities.registrations.models import HouseAccount, Registration
from opportunities.registrations.services.decisions import DEFAULT_REJECTION, approve_registration, reject_registration
from opportunities.registrations.services.lifecycle import expire_registrations
from portal.extensions import db
from portal.models import Notification
from tests.opportunities.registrations.helpers import register


def test_house_account_form_shows_every_problem_at_once_and_keeps_input(client, login, two_partners):
    login(two_partners.manager)
    r = client.post("/admin/house-accounts/new", data={"customer_name": "Globex Corporation", "customer_country": "",
                                                       "customer_domain": "not a domain", "customer_vat": "n/a"})
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "This field is required." in text and "Give a web domain" in text and "This is not a VAT id" in text
    assert 'value="Globex Corporation"' in text and 'value="not a domain"' in text and 'value="n/a"' in text
    assert db.session.query(HouseAccount).count() == 0


def test_a_house_account_created_inactive_stays_out_of_the_registry(client, login, two_partners):
    login(two_partners.manager)
    r = client.post("/admin/house-accounts/new", data={"customer_name": "Globex Corporation",
                                                       "customer_country": "US", "customer_domain": "www.Globex.com"})
    assert r.status_code == 302
    account = db.session.query(HouseAccount).one()
    assert account.active is False and account.domain == "globex.com"  # stored as its host
    assert register(two_partners.a, two_partners.a_user, "Globex Corp", "US").status == "submitted"
    r = client.post(f"/admin/house-accounts/{account.id}/edit", data={
        "customer_name": "Globex Corporation", "customer_country": "US", "customer_domain": "globex.com",
        "active": "y"})
    assert r.status_code == 302
    assert register(two_partners.b, two_partners.b_user, "Globex Corp", "US").status == "in_review"


def test_house_account_search_takes_wildcards_literally(client, login, two_partners, api):
    staff = api(two_partners.manager)
    for name in ("Globex Corporation", "Initech 100% GmbH"):
        assert staff.post("/house-accounts", {"name": name, "country": "DE"}).status_code == 201
    login(two_partners.manager)
    page = client.get("/admin/house-accounts?q=%25").get_data(as_text=True)
    assert "Initech 100% GmbH" in page and "Globex Corporation" not in page
    r = staff.post("/house-accounts", {"name": "Umbrella", "country": "US", "domain": "not a domain"})
    assert r.status_code == 422 and "domain" in r.json["error"]["fields"]


def test_house_accounts_are_staff_only(client, login, two_partners):
    login(two_partners.a_admin)
    assert client.get("/admin/house-accounts").status_code in (302, 403)
    assert client.post("/admin/house-accounts/new", data={"customer_name": "X", "customer_country": "US"}
                       ).status_code in (302, 403)
    assert db.session.query(HouseAccount).count() == 0


def test_approving_a_later_registration_points_to_the_first(client, login, two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    later = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    login(two_partners.manager)
    page = client.get(f"/admin/registrations/{later.id}").get_data(as_text=True)
    assert 'data-testid="not-first"' in page and f"#{first.id}</a> of {two_partners.a.name} was registered first" in page
    assert f'placeholder="{DEFAULT_REJECTION}"' in page
    assert 'data-testid="not-first"' not in client.get(f"/admin/registrations/{first.id}").get_data(as_text=True)
    reject_registration(two_partners.manager, first, "Out of territory.")
    db.session.flush()
    assert 'data-testid="not-first"' not in client.get(f"/admin/registrations/{later.id}").get_data(as_text=True)


def test_the_queue_shows_short_waits_in_minutes(client, login, two_partners):
    reg = register(two_partners.a, two_partners.a_user, "Siemens AG")
    login(two_partners.manager)
    row = client.get("/admin/registrations").get_data(as_text=True)
    row = row[row.index(f'href="/admin/registrations/{reg.id}"'):]
    assert "1 min" in row[:row.index("</tr>")]
    reg.submitted_at = reg.submitted_at - timedelta(days=2, hours=3)
    db.session.flush()
    row = client.get("/admin/registrations").get_data(as_text=True)
    row = row[row.index(f'href="/admin/registrations/{reg.id}"'):]
    assert "2 d 3 h" in row[:row.index("</tr>")]


def _notes(user) -> list[Notification]:
    return db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id).all()


def test_each_side_hears_what_it_should_and_nothing_of_the_other(two_partners):
    p = two_partners
    p.b.manager_id = p.manager.id
    first = register(p.a, p.a_user, "Siemens AG")
    later = register(p.b, p.b_user, "Siemens Aktiengesellschaft")
    assert [n.kind for n in _notes(p.manager)] == ["registration_submitted", "registration_in_review"]
    approve_registration(p.manager, first, 20, "2.5", reject_ids=[later.id])
    approved = [n for n in _notes(p.a_user) if n.kind == "registration_approved"]
    assert len(approved) == 1 and str(first.protected_until) in approved[0].body and "2.50%" in approved[0].body
    assert any(n.kind == "registration_approved" for n in _notes(p.a_admin))  # the partner's admin too
    rejected = [n for n in _notes(p.b_user) if n.kind == "registration_rejected"]
    assert len(rejected) == 1 and DEFAULT_REJECTION in rejected[0].body
    for note in _notes(p.b_user) + _notes(p.b_admin):
        assert p.a.name not in f"{note.title} {note.body}" and f"/{first.id}" not in (note.link or "")
    assert not [n for n in _notes(p.b_user) + _notes(p.b_admin) if n.kind == "registration_approved"]
    run = expire_registrations(first.protected_until - timedelta(days=14))
    assert run.reminded == 1
    expiring = [n for n in _notes(p.a_user) if n.kind == "registration_expiring"]
    assert len(expiring) == 1 and "14 days" in expiring[0].title and "one extension" in expiring[0].body
    assert db.session.get(Registration, later.id).status == "rejected"


def test_one_submit_shows_the_form_and_the_rule_errors_together(client, login, two_partners):
    """A missing name (the form's check) and a close date in the past (the service's rule) show at once."""
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data={"customer_name": "", "customer_country": "DE",
                                                "families": ["hardware"], "amount": "5", "currency": "EUR",
                                                "expected_close": "2001-01-01"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "This field is required." in page or "required" in page.lower()
    assert "past" in page.lower()
