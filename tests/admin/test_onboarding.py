"""Partner onboarding: the public form and its spam guard, the staff queue, approval (partner and
invited first admin in one transaction), rejection, duplicates, and the staff API."""
from __future__ import annotations

import os
import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import (
    ApplicationAttempt, AuditEntry, Notification, OutboxEmail, Partner, PartnerApplication, User,
)
from portal.services import onboarding
from portal.services import onboarding_guard as guard
from portal.services.onboarding_duplicates import name_key
from tests.crosspartner import covers
from tests.factories import make_partner, make_user


def _form(**overrides: str) -> dict[str, str]:
    data = {"company_name": "Acme Networks GmbH", "kind": "reseller", "country": "DE", "region": "EMEA",
            "currency": "EUR", "website": "https://www.Acme-Net.example/about", "contact_name": "Anna Acme",
            "contact_email": "Anna@Acme-Net.example", "message": "We sell networks to hospitals.",
            "company_fax": "", "form_token": guard.issue_form_token(utcnow() - timedelta(seconds=30))}
    data.update(overrides)
    return data


def _application(**overrides: str) -> PartnerApplication:
    values = {k: v for k, v in _form().items() if k in onboarding.FIELDS}
    values.update(overrides)
    return onboarding.record_application(values, ip="192.0.2.1")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _outbox(recipient: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == recipient)))


# --- the public form ---------------------------------------------------------------------------

def test_login_page_links_to_the_public_application_form(client):
    assert b'href="/apply"' in client.get("/login").data
    page = client.get("/apply")
    assert page.status_code == 200
    html = page.data.decode()
    assert "Become a partner" in html and 'name="company_fax"' in html and 'aria-hidden="true"' in html
    assert re.search(r'name="form_token"[^>]*value="[\w.-]{10,}"', html)


def test_an_application_is_stored_staff_are_notified_and_it_is_audited(client, two_partners):
    r = client.post("/apply", data=_form())
    assert r.status_code == 302 and r.headers["Location"].endswith("/apply/thanks")
    assert b"Thank you" in client.get("/apply/thanks").data
    application = db.session.scalars(select(PartnerApplication)).one()
    assert (application.status, application.domain, application.contact_email) == (
        "pending", "acme-net.example", "anna@acme-net.example")
    assert application.name_key == "acme networks" and application.submitted_ip == "127.0.0.1"
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "partner_application")))
    assert told == {two_partners.admin.id, two_partners.manager.id}  # not sales ops, not partners
    mail = _outbox(two_partners.manager.email)
    assert len(mail) == 1 and "Acme Networks GmbH" in mail[0].subject
    assert f"/admin/applications/{application.id}" in mail[0].body_text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "application.submit")).one()
    assert entry.actor_id is None and "anna@acme-net.example" in entry.actor_label and entry.ip == "127.0.0.1"
    assert db.session.scalars(select(ApplicationAttempt.outcome)).all() == ["accepted"]


def test_invalid_answers_are_shown_next_to_their_fields_and_input_is_kept(client, two_partners):
    r = client.post("/apply", data=_form(company_name="", country="ZZ", currency="XYZ", region="MARS",
                                         kind="franchise", website="not a website", contact_email="anna@",
                                         contact_name="Anna Acme"))
    assert r.status_code == 422
    html = r.data.decode()
    assert html.count("is-invalid") >= 7
    for message in ("This field is required.", "not an ISO 3166 alpha-2", "is not a supported ISO 4217 currency code",
                    "Choose one of: APAC, EMEA, LATAM, NA", "Choose one of: distributor",
                    "Give a web address such as www.example.com."):
        assert message in html, message
    assert 'value="Anna Acme"' in html and "We sell networks to hospitals." in html
    assert _count(PartnerApplication) == 0 and _count(ApplicationAttempt) == 0


def test_the_honeypot_catches_a_bot_and_nothing_is_stored(client, two_partners):
    r = client.post("/apply", data=_form(company_fax="+1 555 0100"))
    assert r.status_code == 400 and b"could not be accepted" in r.data
    assert _count(PartnerApplication) == 0 and _count(Notification) == 0
    assert db.session.scalars(select(ApplicationAttempt.outcome)).all() == ["spam"]


def test_a_form_sent_too_fast_is_refused_with_the_input_kept(client, two_partners):
    r = client.post("/apply", data=_form(form_token=guard.issue_form_token(utcnow())))
    assert r.status_code == 422 and b"very quick" in r.data and b'value="Acme Networks GmbH"' in r.data
    assert _count(PartnerApplication) == 0


def test_a_missing_or_forged_token_is_refused(client, two_partners):
    assert client.post("/apply", data=_form(form_token="")).status_code == 400
    forged = guard.issue_form_token(utcnow() - timedelta(minutes=5))[:-3] + "abc"
    assert client.post("/apply", data=_form(form_token=forged)).status_code == 400
    assert _count(PartnerApplication) == 0 and _count(ApplicationAttempt) == 2


def test_a_form_left_open_too_long_must_be_sent_again(client, two_partners):
    old = guard.issue_form_token(utcnow() - timedelta(hours=13))
    r = client.post("/apply", data=_form(form_token=old))
    assert r.status_code == 422 and b"open for too long" in r.data
    assert client.post("/apply", data=_form()).status_code == 302  # a fresh form goes through


def test_submissions_are_rate_limited_per_ip_in_the_database(client, two_partners, app):
    limit = app.config["APPLICATION_RATE_LIMIT"]
    now = utcnow()
    db.session.add(ApplicationAttempt(ip="127.0.0.1", outcome="spam", created_at=now - timedelta(hours=3)))
    for minutes in range(limit):
        db.session.add(ApplicationAttempt(ip="127.0.0.1", outcome="accepted",
                                          created_at=now - timedelta(minutes=50 - minutes)))
    r = client.post("/apply", data=_form())
    assert r.status_code == 429 and b"Too many applications" in r.data and b"about 10 minutes" in r.data
    assert _count(PartnerApplication) == 0
    other = client.post("/apply", data=_form(), environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 302


def test_name_and_domain_normalisation():
    assert name_key("The Acme Co., Ltd.") == name_key("ACME") == "acme"
    assert name_key("Müller & Söhne GmbH") == "muller and sohne"
    assert name_key("北京科技有限公司") == "北京科技"
    assert name_key("Delta Air Lines") != name_key("Delta Dental")
    assert onboarding.website_domain("https://WWW.Example.com/path?q=1") == "example.com"
    assert onboarding.website_domain("shop.example.co.uk") == "shop.example.co.uk"
    assert onboarding.website_domain("bücher.example") == "xn--bcher-kva.example"
    for bad in ("example", "ftp://example.com", "http://", "exa mple.com", "http://1.2.3.4"):
        with pytest.raises(ValueError):
            onboarding.website_domain(bad)


# --- the queue ---------------------------------------------------------------------------------

def test_duplicates_of_partners_and_open_applications_are_flagged(client, login, two_partners):
    acme = make_partner(name="ACME Networks")
    make_user(acme, "partner_admin", email="boss@acme-net.example")
    first = _application()
    second = _application(company_name="Beta Systems", website="beta.example", contact_email="b@beta.example")
    third = _application(company_name="Other name", website="http://acme-net.example",
                         contact_email="c@acme-net.example")
    flags = onboarding.find_duplicates([first, second, third])
    assert {(f.what, f.reason, f.object_id) for f in flags[first.id]} == {
        ("partner", "name", acme.id), ("partner", "domain", acme.id), ("application", "domain", third.id)}
    assert second.id not in flags
    login(two_partners.manager)
    html = client.get("/admin/applications").data.decode()
    assert "same name as partner ACME Networks" in html and "same web domain as partner ACME Networks" in html
    assert f"same web domain as open application #{first.id}" in html
    flagged = client.get("/admin/applications?flagged=1").data.decode()
    assert "Beta Systems" not in flagged and "Other name" in flagged
    detail = client.get(f"/admin/applications/{first.id}").data.decode()
    assert 'data-testid="duplicate-flags"' in detail and f"/admin/partners/{acme.id}" in detail
    note = db.session.scalars(select(Notification).where(Notification.user_id == two_partners.manager.id)
                              .order_by(Notification.id.desc())).first()
    assert "Possible duplicate" in note.body  # the reviewers' notification says so too


def test_queue_shows_age_filters_and_sorts(client, login, two_partners):
    now = utcnow()
    old = _application(company_name="Zeta Old", website="zeta.example")
    old.created_at = now - timedelta(days=3, hours=1)
    new = _application(company_name="Alpha New", website="alpha-new.example", kind="agent", region="APAC")
    new.created_at = now - timedelta(hours=5)
    done = _application(company_name="Done Co", website="done.example")
    onboarding.reject_application(two_partners.admin, done, "Not a fit.")
    login(two_partners.manager)
    html = client.get("/admin/applications").data.decode()
    assert "3 days" in html and "5 hours" in html and "Done Co" not in html
    assert html.index("Zeta Old") < html.index("Alpha New")  # oldest first
    by_name = client.get("/admin/applications?sort=company").data.decode()
    assert by_name.index("Alpha New") < by_name.index("Zeta Old")
    assert "Zeta Old" not in client.get("/admin/applications?kind=agent").data.decode()
    assert "Zeta Old" not in client.get("/admin/applications?region=APAC").data.decode()
    assert "Alpha New" not in client.get("/admin/applications?q=zeta").data.decode()
    assert "Done Co" in client.get("/admin/applications?status=rejected").data.decode()
    assert "Done Co" in client.get("/admin/applications?status=all").data.decode()


@covers("admin.application_detail", "admin.approve_application", "admin.reject_application")
def test_only_admins_and_partner_managers_review_applications(client, login, two_partners):
    application = _application()
    urls = [("get", "/admin/applications"), ("get", f"/admin/applications/{application.id}"),
            ("post", f"/admin/applications/{application.id}/approve"),
            ("post", f"/admin/applications/{application.id}/reject")]
    for user in (two_partners.a_admin, two_partners.a_user, two_partners.ops):
        login(user)
        for method, url in urls:
            assert getattr(client, method)(url, data={"reason": "x"}).status_code == 403, (user.role, url)
    assert application.status == "pending"
    client.post("/logout")
    assert client.get("/admin/applications").status_code == 302
    for user in (two_partners.manager, two_partners.admin):
        login(user)
        assert client.get(f"/admin/applications/{application.id}").status_code == 200


# --- approval and rejection -------------------------------------------------------------------

APPROVE = {"name": "Acme Networks GmbH", "kind": "reseller", "tier": "silver", "country": "DE", "region": "EMEA",
           "currency": "EUR", "credit_limit": "25000.00", "payment_terms_days": "45", "manager_id": "",
           "admin_name": "Anna Acme", "admin_email": "anna@acme-net.example"}


def test_approval_creates_the_partner_and_invites_its_first_admin(client, login, two_partners):
    application = _application()
    login(two_partners.manager)
    page = client.get(f"/admin/applications/{application.id}").data.decode()
    assert 'value="Acme Networks GmbH"' in page and 'value="anna@acme-net.example"' in page
    r = client.post(f"/admin/applications/{application.id}/approve",
                    data=dict(APPROVE, manager_id=str(two_partners.manager.id)))
    partner = db.session.scalars(select(Partner).where(Partner.name == "Acme Networks GmbH")).one()
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/partners/{partner.id}")
    assert (partner.tier, partner.credit_limit_minor, partner.payment_terms_days, partner.manager_id) == (
        "silver", 2_500_000, 45, two_partners.manager.id)
    admin = db.session.scalars(select(User).where(User.email == "anna@acme-net.example")).one()
    assert admin.role == "partner_admin" and admin.partner_id == partner.id and admin.password_hash is None
    assert (application.status, application.partner_id, application.invited_user_id,
            application.decided_by_id) == ("approved", partner.id, admin.id, two_partners.manager.id)
    invitation, = _outbox("anna@acme-net.example")
    link = re.search(r"http://portal\.test(/invitation/\S+)", invitation.body_text).group(1)
    assert "Acme Networks GmbH" in invitation.body_text
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.partner_id == partner.id)))
    assert {"partner.create", "user.create", "application.approve"} <= actions
    client.post("/logout")
    r = client.post(link, data={"password": "a-long-password", "confirm": "a-long-password"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    assert b"Acme Networks GmbH" in client.get("/dashboard").data


def test_approval_errors_show_next_to_fields_and_create_nothing(client, login, two_partners):
    application = _application()
    make_user(role="partner_manager", email="taken@example.com")
    login(two_partners.admin)
    r = client.post(f"/admin/applications/{application.id}/approve",
                    data=dict(APPROVE, name="Alpha Partners", credit_limit="12.345", admin_email="taken@example.com"))
    assert r.status_code == 422
    html = r.data.decode()
    assert "A partner with this name already exists." in html and "at most 2 decimal places" in html
    assert "A user with this e-mail already exists" in html and html.count("is-invalid") >= 3
    assert 'value="12.345"' in html
    assert application.status == "pending" and _count(Partner) == 2
    assert not db.session.scalar(select(User.id).where(User.email == "anna@acme-net.example"))


def test_a_failing_invitation_leaves_no_partner_behind(client, login, two_partners, monkeypatch):
    from portal.services import auth

    def broken(*args, **kwargs):
        raise RuntimeError("mail template exploded")

    monkeypatch.setattr(auth, "send_invitation", broken)
    application = _application()
    login(two_partners.admin)
    r = client.post(f"/admin/applications/{application.id}/approve", data=APPROVE)
    assert r.status_code == 500
    assert not db.session.scalar(select(Partner.id).where(Partner.name == "Acme Networks GmbH"))
    assert not db.session.scalar(select(User.id).where(User.email == "anna@acme-net.example"))
    db.session.refresh(application)
    assert application.status == "pending" and application.partner_id is None


def test_an_application_is_decided_once(client, login, two_partners):
    application = _application()
    login(two_partners.admin)
    assert client.post(f"/admin/applications/{application.id}/approve", data=APPROVE).status_code == 302
    again = client.post(f"/admin/applications/{application.id}/reject", data={"reason": "late"},
                        follow_redirects=True)
    assert b"already approved" in again.data
    assert application.status == "approved" and application.rejection_reason is None


def test_rejection_needs_a_reason_and_tells_the_applicant(client, login, two_partners):
    application = _application()
    login(two_partners.manager)
    r = client.post(f"/admin/applications/{application.id}/reject", data={"reason": "  "})
    assert r.status_code == 400 and b"Give the reason" in r.data and application.status == "pending"
    r = client.post(f"/admin/applications/{application.id}/reject",
                    data={"reason": "We already have three resellers in your area."})
    assert r.status_code == 302 and application.status == "rejected"
    mail, = _outbox("anna@acme-net.example")
    assert "We already have three resellers in your area." in mail.body_text
    assert "Acme Networks GmbH" in mail.body_text and "/apply" in mail.body_text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "application.reject")).one()
    assert entry.actor_id == two_partners.manager.id
    assert "We already have three" in client.get(f"/admin/applications/{application.id}").data.decode()


def test_the_manager_of_the_new_partner_is_notified(client, login, two_partners):
    application = _application()
    login(two_partners.admin)
    client.post(f"/admin/applications/{application.id}/approve",
                data=dict(APPROVE, manager_id=str(two_partners.manager.id)))
    note = db.session.scalars(select(Notification).where(Notification.kind == "partner_onboarded")).one()
    assert note.user_id == two_partners.manager.id and "Acme Networks GmbH" in note.title


# --- the staff API -----------------------------------------------------------------------------

def test_api_lists_applications_with_flags_for_reviewers(api, two_partners):
    first = _application()
    _application(company_name="Acme Networks", website="acme-other.example", contact_email="x@acme-other.example")
    body = api(two_partners.manager).get("/partner-applications").get_json()
    assert body["total"] == 2 and body["page"] == 1
    item = body["items"][0]
    assert item["id"] == first.id and item["contact"] == {"name": "Anna Acme", "email": "anna@acme-net.example"}
    assert item["duplicates"][0]["what"] == "application" and item["duplicates"][0]["reason"] == "name"
    assert item["submitted_at"].endswith("Z") or "+00:00" in item["submitted_at"]
    admin_api = api(two_partners.admin)
    assert admin_api.get("/partner-applications?status=rejected").get_json()["total"] == 0
    bad = admin_api.get("/partner-applications?status=maybe")
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"]["status"]
    for user in (two_partners.ops, two_partners.a_admin):
        assert api(user).get("/partner-applications").status_code == 403
    assert "/partner-applications/{application_id}/approve" in admin_api.get("/openapi.json").get_json()["paths"]


@covers("applications_api.get_application", "applications_api.approve_application",
        "applications_api.reject_application")
def test_api_approve_and_reject(api, two_partners):
    application = _application()
    other = _application(company_name="Beta Systems", website="beta.example", contact_email="b@beta.example")
    for user in (two_partners.a_admin, two_partners.b_user, two_partners.ops):
        client = api(user)
        assert client.get(f"/partner-applications/{application.id}").status_code == 403
        assert client.post(f"/partner-applications/{application.id}/approve", json={}).status_code == 403
        assert client.post(f"/partner-applications/{application.id}/reject", json={"reason": "x"}).status_code == 403
    manager = api(two_partners.manager)
    assert manager.get("/partner-applications/999999").status_code == 404
    r = manager.post(f"/partner-applications/{application.id}/approve", json={"tier": "gold", "credit_limit": "x"})
    assert r.status_code == 422 and "credit_limit" in r.get_json()["error"]["fields"]
    r = manager.post(f"/partner-applications/{application.id}/approve", json={"tier": "gold"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    partner = db.session.get(Partner, body["partner_id"])
    assert body["status"] == "approved" and partner.tier == "gold" and partner.credit_limit_minor == 0
    assert partner.payment_terms_days == 30 and db.session.get(User, body["invited_user_id"]).role == "partner_admin"
    assert manager.post(f"/partner-applications/{application.id}/approve", json={}).status_code == 409
    assert manager.post(f"/partner-applications/{other.id}/reject", json={}).status_code == 400
    assert manager.post(f"/partner-applications/{other.id}/reject", json={"reason": " "}).status_code == 422
    r = manager.post(f"/partner-applications/{other.id}/reject", json={"reason": "Outside our markets."})
    assert r.status_code == 200 and r.get_json()["rejection_reason"] == "Outside our markets."
    assert _outbox("b@beta.example")


def test_there_is_no_public_json_submission(client):
    r = client.post("/api/v1/partner-applications", json=_form())
    assert r.status_code in (401, 405)
    assert _count(PartnerApplication) == 0


# --- concurrency (PostgreSQL, real commits) ----------------------------------------------------

IS_PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture(scope="module")
def committed_app(app):
    """A second app on the same database whose requests really commit (`app` migrated it)."""
    from portal import create_app

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": os.environ["TEST_DATABASE_URL"],
                        "SECRET_KEY": "committed", "WTF_CSRF_ENABLED": False, "CELERY_BROKER_URL": None,
                        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    yield other
    celery = app.extensions["celery"]  # creating `other` made its Celery app default and current
    celery.set_default()
    celery.set_current()
    with other.app_context():
        db.engine.dispose()


def _together(count: int, call) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _cleanup(tag: str, user_ids: list[int]) -> None:
    from portal.models import ApiToken

    apps = select(PartnerApplication).where(PartnerApplication.domain.like(f"%{tag}.example"))
    partner_ids = [a.partner_id for a in db.session.scalars(apps) if a.partner_id]
    app_ids = [a.id for a in db.session.scalars(apps)]
    invited = list(db.session.scalars(select(User.id).where(User.partner_id.in_(partner_ids))))
    everyone = user_ids + invited
    emails = list(db.session.scalars(select(User.email).where(User.id.in_(everyone))))
    db.session.execute(delete(PartnerApplication).where(PartnerApplication.id.in_(app_ids)))
    db.session.execute(delete(ApplicationAttempt).where(ApplicationAttempt.ip == f"10.{len(tag)}.0.1"))
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.recipient.in_(emails)
                                                 | OutboxEmail.recipient.like(f"%{tag}.example")))
    db.session.execute(delete(Notification).where(Notification.user_id.in_(everyone)))
    token_ids = list(db.session.scalars(select(ApiToken.id).where(ApiToken.user_id.in_(everyone))))
    db.session.execute(delete(AuditEntry).where(
        AuditEntry.actor_id.in_(everyone) | AuditEntry.partner_id.in_(partner_ids)
        | (AuditEntry.object_type == "partner_applications") & AuditEntry.object_id.in_(app_ids)
        | (AuditEntry.object_type == "api_tokens") & AuditEntry.object_id.in_(token_ids)))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id.in_(everyone)))
    db.session.execute(delete(User).where(User.id.in_(everyone)))
    db.session.execute(delete(Partner).where(Partner.id.in_(partner_ids)))
    db.session.commit()


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_PG, reason="concurrency needs PostgreSQL: set TEST_DATABASE_URL")
def test_concurrent_reviews_decide_an_application_once(committed_app):
    from portal.services import tokens

    tag = uuid.uuid4().hex[:10]
    with committed_app.app_context():
        managers = [User(email=f"m{n}-{tag}@example.com", name=f"M{n}", role="partner_manager") for n in range(6)]
        db.session.add_all(managers)
        db.session.flush()
        raws = [tokens.issue_token(None, m, "race")[1] for m in managers]
        application = _application(company_name=f"Race {tag}", website=f"{tag}.example",
                                   contact_email=f"c@{tag}.example")
        db.session.commit()
        app_id, user_ids = application.id, [m.id for m in managers]
    try:
        def decide(i: int) -> int:
            action, body = ("approve", {"tier": "silver"}) if i % 2 else ("reject", {"reason": "No."})
            return committed_app.test_client().post(
                f"/api/v1/partner-applications/{app_id}/{action}", json=body,
                headers={"Authorization": f"Bearer {raws[i]}"}).status_code

        codes = sorted(_together(6, decide))
        assert codes.count(200) == 1 and codes.count(409) == 5, codes
        with committed_app.app_context():
            decided = db.session.get(PartnerApplication, app_id)
            partners = db.session.scalar(select(func.count(Partner.id)).where(Partner.name == f"Race {tag}"))
            assert partners == (1 if decided.status == "approved" else 0)
    finally:
        with committed_app.app_context():
            _cleanup(tag, user_ids)


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_PG, reason="concurrency needs PostgreSQL: set TEST_DATABASE_URL")
def test_parallel_submissions_cannot_slip_under_the_rate_limit(committed_app):
    tag = uuid.uuid4().hex[:10]
    ip = f"10.{len(tag)}.0.1"
    limit = committed_app.config["APPLICATION_RATE_LIMIT"]
    with committed_app.app_context():
        forms = [_form(company_name=f"Flood {i} {tag}", website=f"f{i}.{tag}.example",
                       contact_email=f"x{i}@{tag}.example") for i in range(limit + 4)]
    try:
        def submit(i: int) -> int:
            return committed_app.test_client().post("/apply", data=forms[i],
                                                    environ_base={"REMOTE_ADDR": ip}).status_code

        codes = sorted(_together(limit + 4, submit))
        assert codes.count(302) == limit and codes.count(429) == 4, codes
    finally:
        with committed_app.app_context():
            _cleanup(tag, [])
