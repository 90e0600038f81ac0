"""Privacy sweep: two partners register the same customer; every page and API answer one partner can reach is
scanned for the other partner's name, its registration id and the customer data only the other one entered."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask

from opportunities.registrations.models import Registration
from opportunities.registrations.services.decisions import approve_registration, pending_conflicting
from portal.extensions import db
from portal.models import Notification, OutboxEmail, Partner, User
from tests.catalog.builders import build
from tests.conftest import login_as
from tests.opportunities.registrations.helpers import CLOSE, register

SKIPPED = {"auth.login", "auth.logout", "apply.form", "apply.thanks", "auth.forgot_password", "api.openapi_json",
           "docs.api_docs"}


def _first_registers(two_partners) -> Registration:
    """Partner A (Alpha) registers first, with data partner B must never see."""
    a = two_partners.a
    a.name = "Ardentwick Channel Partners"
    for user, name in ((two_partners.a_user, "Ottoline Brackwater"), (two_partners.a_admin, "Peregrine Sallow")):
        user.name, user.email = name, f"{name.split()[0].lower()}@ardentwick.example"
    db.session.flush()
    return register(a, two_partners.a_user, "Siemens Aktiengesellschaft", "DE", ("hardware", "services"),
                    domain="siemens.com", city="Erlangen", contact_name="Hildegard Quintero",
                    contact_email="h.quintero@siemens.com", notes="ALPHA-CONFIDENTIAL-NOTE", amount="777123.00")


def _secrets(reg: Registration, partner: Partner, users: Iterable[User]) -> list[str]:
    words = [partner.name, reg.customer_name, reg.customer_city or "", reg.contact_name or "",
             reg.contact_email or "", reg.notes, reg.amount.as_str()]
    for user in users:
        words += [user.name, user.email]
    return [w for w in words if w]


def _id_patterns(reg_id: int) -> list[re.Pattern[str]]:
    """How a registration id would show in a page or a JSON answer."""
    n = rf"{reg_id}(?!\d)"
    return [re.compile(p, re.IGNORECASE) for p in (
        rf"/opportunities/{n}", rf"/registrations/{n}", rf"registration_id={n}", rf"registration\s+#?{n}",
        rf'"(?:opportunity_id|own_opportunity_id|registration_id|other_id)":\s*{n}')]


def _registration_ids(data: Any, found: set[int] | None = None) -> set[int]:
    """Every registration id in a JSON answer: ids of registration-shaped objects and *opportunity/registration ids."""
    found = set() if found is None else found
    if isinstance(data, dict):
        if "customer" in data and isinstance(data.get("id"), int):
            found.add(data["id"])
        for key, value in data.items():
            if key in ("opportunity_id", "own_opportunity_id", "registration_id", "other_id") \
                    and isinstance(value, int):
                found.add(value)
            _registration_ids(value, found)
    elif isinstance(data, list):
        for value in data:
            _registration_ids(value, found)
    return found


def _pages(app: Flask, client, api, user: User, own_ids: Iterable[int]) -> list[tuple[str, str]]:
    """Every parameterless GET page and API answer for `user`, and its own registrations' pages."""
    login_as(client, user)
    token_client = api(user)
    seen: list[tuple[str, str]] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIPPED \
                or rule.endpoint == "static" or rule.rule.startswith("/admin"):
            continue
        if rule.rule.startswith("/api/"):
            r = token_client.get(rule.rule)
        else:
            r = client.get(rule.rule)
        assert r.status_code < 500, (rule.rule, r.status_code)
        seen.append((rule.rule, r.get_data(as_text=True)))
    for rid in own_ids:
        seen.append((f"/opportunities/{rid}", client.get(f"/opportunities/{rid}").get_data(as_text=True)))
        seen.append((f"/api/v1/opportunities/{rid}",
                     token_client.get(f"/opportunities/{rid}").get_data(as_text=True)))
    for note in db.session.query(Notification).filter_by(user_id=user.id):
        r = client.get(f"/notifications/{note.id}", follow_redirects=True)
        seen.append((f"notification {note.id}", f"{note.title}\n{note.body}\n{note.link}\n{r.get_data(as_text=True)}"))
    for mail in db.session.query(OutboxEmail).filter_by(recipient=user.email):
        seen.append((f"e-mail {mail.id}", f"{mail.subject}\n{mail.body_text}\n{mail.body_html or ''}"))
    return seen


def _assert_clean(seen: list[tuple[str, str]], secrets: list[str], other_id: int, own_marker: str) -> None:
    """No secret and no id of the other side anywhere; `own_marker` (the viewer's own data) proves the sweep saw it."""
    assert len(seen) > 40 and any(own_marker in text for _, text in seen), "the sweep missed the viewer's own pages"
    for where, text in seen:
        for secret in secrets:
            assert secret not in text, f"{where} shows {secret!r}"
        for pattern in _id_patterns(other_id):
            assert not pattern.search(text), f"{where} shows the other registration id {other_id} ({pattern.pattern})"
        if where.startswith("/api/"):
            try:
                body = json.loads(text)
            except ValueError:
                continue
            assert other_id not in _registration_ids(body), f"{where} carries the id {other_id}"


def _priced_with(client, other_id: int) -> list[tuple[str, str]]:
    """Pricing and a quote with the other partner's registration id: refused without saying whose it is."""
    seen = []
    for path in ("/pricing", "/quotes"):
        refused = client.post(path, {"lines": [{"sku": "LIC", "quantity": 1}], "opportunity_id": other_id})
        assert refused.status_code == 422 and "opportunity_id" in refused.json["error"]["fields"], refused.json
        seen.append((f"POST /api/v1{path}", refused.get_data(as_text=True)))
    return seen


def _as_b(app, client, api, two_partners, b_regs):
    users = (two_partners.b_user, two_partners.b_admin)
    return [page for user in users for page in _pages(app, client, api, user, [r.id for r in b_regs])]


def test_the_second_partner_never_sees_the_first(app, client, api, two_partners):
    build()
    first = _first_registers(two_partners)
    secrets = _secrets(first, two_partners.a, (two_partners.a_user, two_partners.a_admin))
    b_api = api(two_partners.b_user)
    # the HTML form, then the API: both in review, neither names the first
    login_as(client, two_partners.b_user)
    r = client.post("/opportunities/new", data={
        "customer_name": "SIEMENS AG (Germany)", "customer_country": "DE", "families": ["hardware"],
        "amount": "5000.00", "currency": "EUR", "expected_close": CLOSE}, follow_redirects=True)
    assert r.status_code == 200 and "your partner manager reviews it" in r.get_data(as_text=True)
    html_reg = db.session.query(Registration).filter_by(partner_id=two_partners.b.id).one()
    assert html_reg.status == "in_review"
    responses = [("POST /opportunities/new", r.get_data(as_text=True))]
    api_answer = b_api.post("/opportunities", {"customer": {"name": "Siemens", "country": "DE"},
                                               "families": ["services"], "amount": "10.00", "currency": "EUR",
                                               "expected_close": CLOSE})
    assert api_answer.status_code == 201 and api_answer.json["conflict"] is True
    assert all(set(c) == {"reasons", "score"} for c in api_answer.json["conflicts"])
    responses.append(("POST /api/v1/opportunities", api_answer.get_data(as_text=True)))
    check = b_api.post("/opportunities/check", {"customer": {"name": "Siemens AG", "country": "DE",
                                                             "domain": "siemens.com"}, "families": ["hardware"]})
    # B's own registrations above cover the customer: B is told so (issue 14), the first never appears
    b_ids = {r.id for r in db.session.query(Registration).filter_by(partner_id=two_partners.b.id)}
    assert check.json["available"] is False and check.json["own_opportunity_id"] in b_ids
    responses.append(("POST /api/v1/opportunities/check", check.get_data(as_text=True)))
    page = client.post("/opportunities/check", data={"customer_name": "Siemens AG", "customer_country": "DE",
                                                     "families": ["hardware"]})
    assert b"<strong>No</strong>" in page.data
    responses.append(("POST /opportunities/check", page.get_data(as_text=True)))
    responses += _priced_with(b_api, first.id)
    b_regs = db.session.query(Registration).filter_by(partner_id=two_partners.b.id).all()
    _assert_clean(responses + _as_b(app, client, api, two_partners, b_regs), secrets, first.id,
                  "SIEMENS AG (Germany)")

    # the manager approves the first and rejects the conflicting ones in the same step
    approve_registration(two_partners.manager, first, 90, "5",
                         reject_ids=[r.id for r in pending_conflicting(first)])
    db.session.flush()
    assert {r.status for r in b_regs} == {"rejected"}
    _assert_clean(_priced_with(b_api, first.id) + _as_b(app, client, api, two_partners, b_regs), secrets, first.id,
                  "SIEMENS AG (Germany)")


def test_the_first_partner_is_not_told_of_the_later_one(app, client, api, two_partners):
    first = _first_registers(two_partners)
    b = two_partners.b
    b.name = "Brightholm Resellers"
    later = register(b, two_partners.b_user, "SIEMENS AG (Germany)", "DE", domain="einkauf@siemens.de",
                     city="Zwickau", contact_name="Waltraud Oberholzer", notes="BRAVO-CONFIDENTIAL-NOTE",
                     amount="31337.00")
    assert later.status == "in_review"
    secrets = _secrets(later, b, (two_partners.b_user, two_partners.b_admin))
    seen = [page for user in (two_partners.a_user, two_partners.a_admin)
            for page in _pages(app, client, api, user, [first.id])]
    _assert_clean(seen, secrets, later.id, "ALPHA-CONFIDENTIAL-NOTE")
    # and when the later one wins, the first partner's rejection names nobody
    approve_registration(two_partners.manager, later, reject_ids=[first.id])
    db.session.flush()
    seen = [page for user in (two_partners.a_user, two_partners.a_admin)
            for page in _pages(app, client, api, user, [first.id])]
    _assert_clean(seen, secrets, later.id, "ALPHA-CONFIDENTIAL-NOTE")


def test_own_duplicates_are_shown_as_own(app, client, api, two_partners):
    mine = register(two_partners.a, two_partners.a_admin, "Siemens Aktiengesellschaft", "DE")
    body = api(two_partners.a_admin).post("/opportunities", {
        "customer": {"name": "Siemens AG", "country": "DE"}, "families": ["hardware"], "amount": "10.00",
        "currency": "EUR", "expected_close": CLOSE}).json
    assert body["status"] == "submitted" and body["conflict"] is True
    assert body["conflicts"] == [{"reasons": ["name"], "score": 1.0, "own_opportunity_id": mine.id}]
    login_as(client, two_partners.a_admin)
    page = client.get(f"/opportunities/{body['id']}").get_data(as_text=True)
    assert f'href="/opportunities/{mine.id}"' in page and "Your own" in page
