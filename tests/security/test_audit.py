"""Issue 14, audit log: MDF, registration and lead decisions each write one entry (actor, object,
summary) in the same transaction; an import of N rows writes one entry; the page filters by kind
and is for administrators only."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.models import ImportJob, Product
from opportunities.leads.models import Lead
from opportunities.registrations.models import Registration
from portal.extensions import db
from portal.models import AuditEntry
from tests.opportunities.campaigns.builders import PDF, make_campaign, request_data
from tests.opportunities.leads.helpers import lead_data, make_lead
from tests.opportunities.registrations.helpers import CLOSE, register


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_DIR", str(tmp_path))
    return tmp_path


def entries(prefix: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix))
                                   .order_by(AuditEntry.id)))


def only(action: str) -> AuditEntry:
    [entry] = [e for e in entries(action) if e.action == action]
    return entry


def test_each_mdf_decision_writes_one_entry(two_partners, api):
    p = two_partners
    campaign = make_campaign(p.admin)
    partner, manager = api(p.a_user), api(p.manager)
    assert partner.post(f"/campaigns/{campaign.id}/enroll").status_code == 201
    past = {"starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.starts_on.isoformat()}
    first = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="3000.00", **past)).json["id"]
    other = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="500.00", **past)).json["id"]
    assert entries("mdf.") == []  # a partner's own request is not a decision
    assert manager.post(f"/mdf-requests/{other}/reject", {"reason": "Not in the plan."}).status_code == 200
    assert manager.post(f"/mdf-requests/{first}/approve", {"amount": "2500.00"}).status_code == 200
    assert manager.post(f"/mdf-requests/{first}/approve", {}).status_code == 409  # no second entry
    def claim():
        return partner.post(f"/mdf-requests/{first}/claim", data={
            "amount": "2400.00", "note": "", "files": [(io.BytesIO(PDF), "invoice.pdf")]},
            content_type="multipart/form-data")
    assert claim().status_code == 201
    assert manager.post(f"/mdf-requests/{first}/claim/reject", {"reason": "Blurry invoice."}).status_code == 200
    assert claim().status_code == 201
    assert manager.post(f"/mdf-requests/{first}/claim/approve", {"amount": "2300.00"}).status_code == 200
    assert manager.post(f"/mdf-requests/{first}/paid", {"reference": "PAY-7"}).status_code == 200
    logged = entries("mdf.")
    assert [e.action for e in logged] == ["mdf.request_reject", "mdf.request_approve", "mdf.claim_reject",
                                          "mdf.claim_approve", "mdf.paid"]
    for e in logged:
        assert (e.actor_id, e.actor_label, e.object_type, e.partner_id) == (
            p.manager.id, p.manager.email, "mdf_requests", p.a.id)
    assert logged[0].object_id == other and all(e.object_id == first for e in logged[1:])
    assert "rejected: Not in the plan." in logged[0].summary
    assert "€2,500.00 of €3,000.00" in logged[1].summary
    assert "€2,300.00 of €2,400.00 claimed" in logged[3].summary
    assert "reference PAY-7" in logged[4].summary


def test_an_mdf_decision_that_fails_writes_nothing(two_partners, api):
    p = two_partners
    campaign = make_campaign(p.admin)
    partner, manager = api(p.a_user), api(p.manager)
    partner.post(f"/campaigns/{campaign.id}/enroll")
    req = partner.post(f"/campaigns/{campaign.id}/mdf-requests", request_data(amount="300.00")).json["id"]
    r = manager.post(f"/mdf-requests/{req}/approve", {"amount": "900.00"})  # more than requested
    assert r.status_code == 422
    assert manager.post(f"/mdf-requests/{req}/reject", {"reason": " "}).status_code == 422
    assert entries("mdf.") == []


def test_each_registration_decision_writes_one_entry(two_partners, api):
    p = two_partners
    won = register(p.a, p.a_user, "Quavendra Robotics GmbH")
    lost = register(p.a, p.a_user, "Brivenka Solar AG", country="AT")
    refused = register(p.b, p.b_user, "Tolvanic Maritime AS", country="NO")
    manager, partner = api(p.manager), api(p.a_user)
    assert entries("registration.") == []
    r = manager.post(f"/opportunities/{won.id}/approve", {"protection_days": 60, "discount_percent": "5"})
    assert r.status_code == 200, r.json
    assert manager.post(f"/opportunities/{lost.id}/approve", {}).status_code == 200
    assert manager.post(f"/opportunities/{refused.id}/reject", {"reason": "Existing customer."}).status_code == 200
    assert manager.post(f"/opportunities/{refused.id}/reject", {"reason": "Again."}).status_code == 409
    assert partner.post(f"/opportunities/{won.id}/extend").status_code == 200
    assert partner.post(f"/opportunities/{won.id}/extend").status_code == 409
    assert partner.post(f"/opportunities/{lost.id}/outcome", {"result": "lost", "reason": "Price."}).status_code == 200
    logged = entries("registration.")
    assert [(e.action, e.object_id, e.actor_id) for e in logged] == [
        ("registration.approve", won.id, p.manager.id), ("registration.approve", lost.id, p.manager.id),
        ("registration.reject", refused.id, p.manager.id), ("registration.extend", won.id, p.a_user.id),
        ("registration.lost", lost.id, p.a_user.id)]
    assert {e.object_type for e in logged} == {"registrations"}
    assert [e.partner_id for e in logged] == [p.a.id, p.a.id, p.b.id, p.a.id, p.a.id]
    reg = db.session.get(Registration, won.id)
    assert "Quavendra Robotics GmbH" in logged[0].summary and "deal discount 5.00 %" in logged[0].summary
    assert logged[0].after["protected_until"] == (reg.protected_until - timedelta(days=30)).isoformat()
    assert "Existing customer." in logged[2].summary and "Price." in logged[4].summary


def test_approving_with_its_conflicts_logs_each_decision(two_partners, api):
    p = two_partners
    first = register(p.a, p.a_user, "Quavendra Robotics GmbH")
    second = register(p.b, p.b_user, "Quavendra Robotics GmbH")
    r = api(p.manager).post(f"/opportunities/{first.id}/approve", {"reject_conflicting": True})
    assert r.status_code == 200 and r.json["rejected_ids"] == [second.id]
    assert [(e.action, e.object_id) for e in entries("registration.")] == [
        ("registration.approve", first.id), ("registration.reject", second.id)]
    assert f"with the approval of #{first.id}" in entries("registration.")[1].summary


def test_each_lead_decision_writes_one_entry(two_partners, api):
    p = two_partners
    manager, partner = api(p.manager), api(p.a_user)
    offered = manager.post("/leads", lead_data(partner_id=p.a.id)).json["id"]
    declined = manager.post("/leads", lead_data(partner_id=p.a.id)).json["id"]
    pooled = manager.post("/leads", lead_data()).json["id"]
    assert [e.action for e in entries("lead.")] == ["lead.create", "lead.assign", "lead.create", "lead.assign",
                                                    "lead.create"]
    assert partner.post(f"/leads/{offered}/accept").status_code == 200
    assert partner.post(f"/leads/{declined}/decline", {"reason": "No capacity"}).status_code == 200
    assert partner.post(f"/leads/{pooled}/claim").status_code == 200
    assert partner.post(f"/leads/{pooled}/release", {"reason": "Not our market"}).status_code == 200
    r = partner.post(f"/leads/{offered}/convert", {"amount": "12000.00",
                                                  "expected_close": CLOSE})
    assert r.status_code == 201, r.json
    decided = [e for e in entries("lead.") if e.action not in ("lead.create", "lead.assign")]
    assert [(e.action, e.object_id) for e in decided] == [
        ("lead.accept", offered), ("lead.decline", declined), ("lead.claim", pooled), ("lead.release", pooled),
        ("lead.convert", offered)]
    assert all((e.actor_id, e.partner_id, e.object_type) == (p.a_user.id, p.a.id, "leads") for e in decided)
    assert "No capacity" in decided[1].summary and "Not our market" in decided[3].summary
    assert f"deal registration #{r.json['id']}" in decided[4].summary


def _products_csv(n: int) -> bytes:
    return ("sku,name,family\n" + "".join(f"BULK-{i:05d},Bulk item {i},hardware\n" for i in range(n))).encode()


def test_a_product_import_of_n_rows_writes_one_entry(client, login, two_partners):
    login(two_partners.ops)
    r = client.post("/admin/imports/new", data={"kind": "products", "price_book_id": "",
                                                "file": (io.BytesIO(_products_csv(1200)), "items.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.data.decode()[:500]
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    assert job.status == "ready", job.message
    job_id = job.id
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert client.post(f"/admin/imports/{job_id}/apply").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1200
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before + 1
    entry = only("product.import")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (two_partners.ops.id, "import_jobs", job_id)
    assert entry.after == {"created": 1200, "updated": 0, "skipped": 0, "file": "items.csv", "job_id": job_id}
    assert "from items.csv" in entry.summary and "1,200 created" in entry.summary


def test_a_lead_import_writes_one_entry(client, login, two_partners):
    p = two_partners
    login(p.manager)
    rows = "".join(f"Import {i} GmbH;import{i}.example;DE;Berlin;;;EMEA;hardware;;{p.a.id if i % 2 else ''}\n"
                   for i in range(40))
    content = ("Company;Domain;Country;City;Contact name;Contact e-mail;Region;Families;Tiers;Partner\n" + rows).encode()
    r = client.post("/admin/leads/import", data={"file": (io.BytesIO(content), "fair.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    job_id = int(re.search(r"/imports/(\d+)", r.headers["Location"]).group(1))
    client.post(f"/admin/leads/imports/{job_id}/apply")
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 40
    assert [e.action for e in entries("lead.")] == ["lead.import"]
    entry = only("lead.import")
    assert entry.after == {"created": 40, "updated": 0, "skipped": 0, "file": "fair.csv", "job_id": job_id,
                           "assigned": 20}
    assert entry.actor_id == p.manager.id and "Imported leads from fair.csv" in entry.summary


def test_a_legacy_registration_import_writes_one_entry(app, two_partners, tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text("ref,company_name,domain,country,city\n" + "".join(
        f"R{i},Legacy Company {i} Ltd,,DE,\n" for i in range(30)) + "R0,Repeated Ltd,,DE,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["registrations", "import", str(path), "--partner-id",
                                                str(two_partners.a.id), "--families", "hardware"])
    assert result.exit_code == 0, result.output
    [entry] = entries("registration.")
    assert entry.action == "registration.import" and entry.actor_label == "system"
    assert entry.after == {"created": 30, "updated": 0, "skipped": 1, "file": "legacy.csv", "job_id": None}


def test_the_audit_page_lists_decisions_and_filters_by_kind(client, login, two_partners, api):
    p = two_partners
    reg = register(p.a, p.a_user, "Quavendra Robotics GmbH")
    api(p.manager).post(f"/opportunities/{reg.id}/approve", {})
    make_lead(p.manager)
    login(p.admin)
    page = client.get("/admin/audit").data.decode()
    assert "registration.approve" in page and "lead.create" in page and "Deal registrations" in page
    filtered = client.get("/admin/audit?kind=registration")
    assert filtered.status_code == 200
    body = filtered.data.decode()
    assert "registration.approve" in body and "lead.create" not in body
    assert '<option value="registration" selected>' in body
    assert "lead.create" in client.get("/admin/audit?kind=lead").data.decode()
    assert "No entry matches" in client.get("/admin/audit?kind=registr").data.decode()  # whole kinds only


def test_partner_users_and_other_staff_cannot_see_the_audit_page(client, login, two_partners):
    for user in (two_partners.a_admin, two_partners.a_user, two_partners.manager):
        login(user)
        r = client.get("/admin/audit?kind=mdf")
        assert r.status_code in (302, 403, 404), user.role
        assert "Audit log" not in r.data.decode()
