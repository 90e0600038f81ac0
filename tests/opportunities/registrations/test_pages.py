"""Registration pages: the partner's form, list, availability check and detail; the manager's queue and review."""
from __future__ import annotations

from datetime import date, timedelta

from opportunities.registrations.models import HouseAccount, Registration
from opportunities.registrations.services.decisions import approve_registration
from portal.extensions import db
from tests.crosspartner import covers
from tests.opportunities.registrations.helpers import register

CLOSE = (date.today() + timedelta(days=45)).isoformat()


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"customer_name": "Quavendra Robotics GmbH", "customer_country": "DE",
                               "customer_domain": "quavendra.de", "families": ["hardware"], "amount": "25000.00",
                               "currency": "EUR", "expected_close": CLOSE}
    data.update(overrides)
    return data


def test_register_form_creates_and_shows_the_result(client, login, two_partners):
    login(two_partners.a_user)
    page = client.get("/opportunities/new")
    assert page.status_code == 200 and b"Register an opportunity" in page.data
    assert b'value="EUR"' in page.data  # the partner's currency by default
    r = client.post("/opportunities/new", data=_form(), follow_redirects=True)
    assert r.status_code == 200
    reg = db.session.query(Registration).one()
    assert reg.source == "portal" and reg.created_by_id == two_partners.a_user.id
    assert b"No conflict was found" in r.data and b"Quavendra Robotics GmbH" in r.data


def test_register_form_keeps_input_and_shows_errors_next_to_fields(client, login, two_partners):
    login(two_partners.a_user)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = client.post("/opportunities/new", data=_form(customer_domain="not a domain", amount="-3",
                                                     expected_close=yesterday, families=[]))
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Give a web domain" in text and "more than zero" in text and "cannot be in the past" in text
    assert "Choose at least one product family" in text
    assert 'value="Quavendra Robotics GmbH"' in text and 'value="not a domain"' in text
    r = client.post("/opportunities/new", data=_form(customer_name="", expected_close="garbage"))
    assert r.status_code == 400 and "This field is required." in r.get_data(as_text=True)
    assert db.session.query(Registration).count() == 0


def test_conflict_result_never_names_the_other_partner(client, login, two_partners):
    register(two_partners.b, two_partners.b_user, "Quavendra Robotics AG", domain="quavendra.de")
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data=_form(), follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "your partner manager reviews it" in text and "An existing registration or named account" in text
    assert two_partners.b.name not in text and "Bravo" not in text
    reg = db.session.query(Registration).filter_by(partner_id=two_partners.a.id).one()
    assert reg.status == "in_review"


def test_own_duplicate_links_to_the_own_registration(client, login, two_partners):
    mine = register(two_partners.a, two_partners.a_user, "Quavendra Robotics AG")
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data=_form(customer_domain=""), follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "You already have an active registration" in text
    assert f'href="/opportunities/{mine.id}"' in text


def test_list_filters_sorts_and_paginates(client, login, two_partners):
    for i in range(23):
        register(two_partners.a, two_partners.a_admin, f"Customer {i:02d} Kalomitor", amount=str(1000 + i))
    approved = register(two_partners.a, two_partners.a_admin, "Siemens AG")
    approve_registration(two_partners.manager, approved)
    register(two_partners.b, two_partners.b_admin, "Bravo Only Customer", "FR")
    login(two_partners.a_admin)
    page = client.get("/opportunities")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Showing 1–20 of 24" in text and "Bravo Only Customer" not in text
    assert "Customer 00 Kalomitor" not in text or "Customer 22 Kalomitor" in text
    assert "Showing 21–24 of 24" in client.get("/opportunities?page=2").get_data(as_text=True)
    approved_page = client.get("/opportunities?status=approved").get_data(as_text=True)
    assert "Siemens AG" in approved_page and "Customer 01" not in approved_page
    assert (date.today() + timedelta(days=90)).isoformat() in approved_page  # protection date
    by_amount = client.get("/opportunities?sort=-amount").get_data(as_text=True)
    assert by_amount.index("Customer 22") < by_amount.index("Customer 21")
    assert "Customer 07" in client.get("/opportunities?q=customer+07").get_data(as_text=True)
    assert client.get("/opportunities?page=0").status_code == 400


def test_sales_rep_sees_only_its_own(client, login, two_partners):
    register(two_partners.a, two_partners.a_admin, "Admin Customer GmbH")
    register(two_partners.a, two_partners.a_user, "Rep Customer GmbH")
    login(two_partners.a_user)
    text = client.get("/opportunities").get_data(as_text=True)
    assert "Rep Customer GmbH" in text and "Admin Customer GmbH" not in text


def test_availability_check_page(client, login, two_partners):
    register(two_partners.b, two_partners.b_user, "Renesas Electronics Corporation", "JP")
    login(two_partners.a_user)
    assert client.get("/opportunities/check").status_code == 200
    no = client.post("/opportunities/check", data={"customer_name": "Renesas Electronics", "customer_country": "JP",
                                                   "families": ["hardware"]})
    assert no.status_code == 200 and b"<strong>No</strong>" in no.data and two_partners.b.name.encode() not in no.data
    yes = client.post("/opportunities/check", data={"customer_name": "Brivenka Solar", "customer_country": "DE",
                                                    "families": ["hardware"]})
    assert b"<strong>Yes</strong>" in yes.data and b"customer_name=Brivenka+Solar" in yes.data
    bad = client.post("/opportunities/check", data={"customer_name": "Renesas", "customer_country": "XX"})
    assert bad.status_code == 422 and b"ISO 3166" in bad.data


def test_detail_extension_and_outcome(client, login, two_partners):
    reg = register(two_partners.a, two_partners.a_user, "Siemens AG")
    approve_registration(two_partners.manager, reg, 30, "4")
    login(two_partners.a_user)
    page = client.get(f"/opportunities/{reg.id}").get_data(as_text=True)
    assert "protected for you until" in page and "4.00%" in page and "Request the extension" in page
    r = client.post(f"/opportunities/{reg.id}/extend", follow_redirects=True)
    assert b"Extended: protected until" in r.data
    r = client.post(f"/opportunities/{reg.id}/extend", follow_redirects=True)
    assert b"already extended once" in r.data
    r = client.post(f"/opportunities/{reg.id}/outcome", data={"result": "lost", "reason": ""})
    assert r.status_code == 422 and b"Required when the deal is lost." in r.data
    r = client.post(f"/opportunities/{reg.id}/outcome", data={"result": "lost", "reason": "Went with a competitor."},
                    follow_redirects=True)
    assert b"Recorded: lost." in r.data
    assert db.session.get(Registration, reg.id).status == "lost"


@covers("opportunities.detail", "opportunities.extend", "opportunities.outcome")
def test_another_partners_registration_page_is_a_404(client, login, two_partners):
    theirs = register(two_partners.b, two_partners.b_user, "Bravo Customer SA", "FR")
    colleague = register(two_partners.a, two_partners.a_admin, "Alpha Admin Customer")
    login(two_partners.a_user)
    for reg in (theirs, colleague):
        assert client.get(f"/opportunities/{reg.id}").status_code == 404
        assert client.post(f"/opportunities/{reg.id}/extend").status_code == 404
        assert client.post(f"/opportunities/{reg.id}/outcome", data={"result": "lost", "reason": "x"}).status_code == 404
    assert db.session.get(Registration, theirs.id).status == "submitted"


def test_staff_are_kept_out_of_partner_pages(client, login, two_partners):
    login(two_partners.manager)
    assert client.get("/opportunities").status_code == 403
    assert client.get("/opportunities/new").status_code == 403


def test_review_queue_shows_conflicts_side_by_side(client, login, two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG", domain="siemens.com")
    second = register(two_partners.b, two_partners.b_user, "SIEMENS Aktiengesellschaft (Germany)")
    login(two_partners.manager)
    queue = client.get("/admin/registrations").get_data(as_text=True)
    assert "Registration review queue" in queue and "conflict" in queue
    assert queue.index(f"/admin/registrations/{first.id}") < queue.index(f"/admin/registrations/{second.id}")
    page = client.get(f"/admin/registrations/{second.id}").get_data(as_text=True)
    assert two_partners.a.name in page and two_partners.b.name in page  # staff see both sides
    assert "100% match" in page and "same company name" in page and "registered first" in page
    assert page.index("registered first") > page.index(f"#{first.id}")


def test_manager_approves_and_rejects_the_conflicting_one_in_one_step(client, login, two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    second = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    login(two_partners.manager)
    r = client.post(f"/admin/registrations/{first.id}/approve", data={
        "protection_days": "60", "discount_percent": "3", "reject_ids": [str(second.id)],
        "rejection_reason": "First registered wins."}, follow_redirects=True)
    assert r.status_code == 200 and f"rejected #{second.id}".encode() in r.data
    assert db.session.get(Registration, first.id).status == "approved"
    assert db.session.get(Registration, second.id).rejection_reason == "First registered wins."


def test_manager_form_errors(client, login, two_partners):
    reg = register(two_partners.a, two_partners.a_user)
    login(two_partners.manager)
    r = client.post(f"/admin/registrations/{reg.id}/approve", data={"protection_days": "999"})
    assert r.status_code == 422 and b"A whole number of days" in r.data
    r = client.post(f"/admin/registrations/{reg.id}/reject", data={"reason": ""})
    assert r.status_code == 400 and b"Say why it is rejected." in r.data
    assert db.session.get(Registration, reg.id).status == "submitted"
    login(two_partners.ops)
    assert client.post(f"/admin/registrations/{reg.id}/approve", data={}).status_code == 403
    assert client.get(f"/admin/registrations/{reg.id}").status_code == 200  # sales ops may look


def test_house_accounts_pages(client, login, two_partners):
    login(two_partners.manager)
    assert client.get("/admin/house-accounts/new").status_code == 200
    r = client.post("/admin/house-accounts/new", data={"customer_name": "Globex Corporation", "customer_country": "US",
                                                       "customer_domain": "globex.com", "active": "y"})
    assert r.status_code == 302
    account = db.session.query(HouseAccount).one()
    bad = client.post("/admin/house-accounts/new", data={"customer_name": "X", "customer_country": "US",
                                                         "customer_vat": "n/a"})
    assert bad.status_code == 422 and b"This is not a VAT id" in bad.data and b'value="X"' in bad.data
    listing = client.get("/admin/house-accounts?q=globex").get_data(as_text=True)
    assert "Globex Corporation" in listing
    reg = register(two_partners.a, two_partners.a_user, "Globex Corp", "US")
    assert reg.status == "in_review"
    r = client.post(f"/admin/house-accounts/{account.id}/edit", data={
        "customer_name": "Globex Corporation", "customer_country": "US"})  # unticked: inactive
    assert r.status_code == 302 and db.session.get(HouseAccount, account.id).active is False
    assert register(two_partners.a, two_partners.a_user, "Globex Corp", "US").status == "submitted"
    assert client.get("/admin/house-accounts/999999/edit").status_code == 404


def _row(html: str, reg_id: int) -> str:
    start = html.index(f'href="/admin/registrations/{reg_id}"')
    return html[start:html.index("</tr>", start)]


def test_queue_marks_conflicts_in_both_directions_and_own_duplicates(client, login, two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    duplicate = register(two_partners.a, two_partners.a_admin, "Siemens Aktiengesellschaft")
    login(two_partners.manager)
    queue = client.get("/admin/registrations").get_data(as_text=True)
    assert "duplicate" in _row(queue, first.id) and "duplicate" in _row(queue, duplicate.id)
    later = register(two_partners.b, two_partners.b_user, "SIEMENS")
    queue = client.get("/admin/registrations").get_data(as_text=True)
    for reg in (first, duplicate, later):
        assert "bi-exclamation-triangle" in _row(queue, reg.id)


def test_a_protected_registration_blocks_the_approve_form(client, login, two_partners):
    first = register(two_partners.a, two_partners.a_user, "Siemens AG")
    approve_registration(two_partners.manager, first)
    later = register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    login(two_partners.manager)
    page = client.get(f"/admin/registrations/{later.id}").get_data(as_text=True)
    assert f"Registration #{first.id}</a> of {two_partners.a.name} is approved" in page
    assert "Approve</button>" not in page and "Reject</button>" in page
    r = client.post(f"/admin/registrations/{later.id}/approve", data={})
    assert r.status_code == 409 and b"cannot be approved before that protection ends" in r.data


def test_dashboard_panels(client, login, two_partners):
    mine = register(two_partners.a, two_partners.a_user, "Siemens AG")
    approve_registration(two_partners.manager, mine, 10)
    register(two_partners.a, two_partners.a_user, "Brivenka Solar AG")
    register(two_partners.b, two_partners.b_user, "Siemens Aktiengesellschaft")
    login(two_partners.a_user)
    panel = client.get("/dashboard").get_data(as_text=True)
    panel = panel[panel.index('data-testid="registrations-panel"'):]
    assert "Brivenka Solar AG" in panel and "protection ending within 14 days" in panel
    assert "Siemens Aktiengesellschaft" not in panel  # another partner's
    login(two_partners.manager)  # manages Alpha only: Bravo's registration is not "waiting for you"
    staff = client.get("/dashboard").get_data(as_text=True)
    staff = staff[staff.index('data-testid="registrations-staff-panel"'):]
    assert "Brivenka Solar AG" in staff and "Siemens Aktiengesellschaft" not in staff
    login(two_partners.admin)
    everything = client.get("/dashboard").get_data(as_text=True)
    assert "1 with a conflict" in everything
