"""Back office: partners list, create, edit, suspend; partner-manager and sales-ops rights."""
from __future__ import annotations

from portal.extensions import db
from portal.models import AuditEntry, Partner
from tests.factories import make_partner

FORM = {"name": "Delta Distribution", "kind": "distributor", "tier": "gold", "country": "NL", "region": "EMEA",
        "currency": "EUR", "credit_limit": "75000.00", "payment_terms_days": "30", "status": "active", "manager_id": ""}


def test_admin_creates_a_partner_through_the_form(client, two_partners, login):
    login(two_partners.admin)
    assert client.get("/admin/partners/new").status_code == 200
    r = client.post("/admin/partners/new", data=FORM)
    assert r.status_code == 302
    partner = db.session.query(Partner).filter_by(name="Delta Distribution").one()
    assert partner.credit_limit_minor == 7_500_000 and partner.country == "NL"
    page = client.get(r.headers["Location"])
    assert b"Delta Distribution" in page.data and b"75,000.00" in page.data


def test_form_errors_show_next_to_fields_and_keep_input(client, two_partners, login):
    login(two_partners.admin)
    r = client.post("/admin/partners/new", data=dict(FORM, country="XX", credit_limit="12.345", name="Alpha Partners"))
    assert r.status_code == 422
    html = r.data.decode()
    assert "not an ISO 3166" in html and "at most 2 decimal places" in html and "already exists" in html
    assert 'value="12.345"' in html and html.count("is-invalid") >= 3
    assert db.session.query(Partner).count() == 2


def test_edit_and_suspend_partner_is_audited(client, two_partners, login):
    login(two_partners.manager)
    r = client.post(f"/admin/partners/{two_partners.b.id}/edit", data=dict(
        FORM, name="Bravo Partners", country="FR", status="suspended", credit_limit="10000.00"))
    assert r.status_code == 302
    assert two_partners.b.status == "suspended"
    entry = db.session.query(AuditEntry).filter_by(action="partner.suspend").one()
    assert entry.before["status"] == "active" and entry.after["status"] == "suspended"
    assert entry.actor_id == two_partners.manager.id


def test_partner_list_sorts_filters_and_paginates(client, two_partners, login):
    for i in range(30):
        make_partner(name=f"Zed {i:02d}", tier="platinum" if i % 2 else "registered")
    login(two_partners.ops)
    page = client.get("/admin/partners").data.decode()
    assert "Showing 1–25 of 32" in page and "Alpha Partners" in page and "Zed 29" not in page
    page = client.get("/admin/partners?sort=-name").data.decode()
    assert page.index("Zed 29") < page.index("Zed 28")
    page = client.get("/admin/partners?tier=platinum&q=zed").data.decode()
    assert "Showing 1–15 of 15" in page and "Zed 00" not in page
    page = client.get("/admin/partners?page=2").data.decode()
    assert "Showing 26–32 of 32" in page
    assert client.get("/admin/partners?page=x").status_code == 400
    assert client.get("/admin/partners?sort=nonsense").status_code == 200


def test_manager_sees_mine_filter_and_dashboard(client, two_partners, login):
    login(two_partners.manager)
    page = client.get("/admin/partners?manager=me").data.decode()
    assert "Alpha Partners" in page and "Bravo Partners" not in page
    dash = client.get("/dashboard").data.decode()
    assert "My partners" in dash and "Alpha Partners" in dash and "Bravo Partners" not in dash


def test_sales_ops_cannot_create_partners_but_can_edit(client, two_partners, login):
    login(two_partners.ops)
    assert client.get("/admin/partners/new").status_code == 403
    assert client.get(f"/admin/partners/{two_partners.a.id}/edit").status_code == 200
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_unknown_partner_is_404(client, two_partners, login):
    login(two_partners.admin)
    assert client.get("/admin/partners/424242").status_code == 404
    assert client.get("/admin/partners/424242/edit").status_code == 404


def test_assign_a_price_book_in_the_partner_form(client, two_partners, login):
    from tests.catalog.builders import build

    book = build()["book"]
    login(two_partners.admin)
    page = client.get(f"/admin/partners/{two_partners.a.id}/edit").data.decode()
    assert f'<option value="{book.id}">' in page
    data = dict(FORM, name="Alpha Partners", country="DE", price_book_id=str(book.id))
    assert client.post(f"/admin/partners/{two_partners.a.id}/edit", data=data).status_code == 302
    assert two_partners.a.price_book_id == book.id
    r = client.post(f"/admin/partners/{two_partners.a.id}/edit", data=dict(data, price_book_id="999999"))
    assert r.status_code == 422 and b"no such price book" in r.data
