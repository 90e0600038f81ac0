"""Quotes API (CONTRACT.md "Quotes"): shapes, every illegal transition is a 409, bad input,
another partner's quote is a 404, a manager of another partner is a 403."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from io import BytesIO

from orders.quotes import services
from orders.quotes.models import Quote
from portal.extensions import db
from tests.crosspartner import covers
from tests.orders.quotes.conftest import approved_quote, make_quote, pending_quote

BODY = {"lines": [{"sku": "SRV", "quantity": 2, "options": ["CPU-8", "RAM-32"]}, {"sku": "LIC", "quantity": 10}],
        "requested_discount_percent": "10", "justification": "Competing offer."}
TODAY = date.today()


def test_create_submit_approve_read(world, api):
    partner = api(world.p.a_user)
    r = partner.post("/quotes", BODY)
    assert r.status_code == 201, r.json
    body = r.json
    assert {k: body[k] for k in ("number", "status", "revision", "currency", "total")} == {
        "number": f"Q-{TODAY.year}-00001", "status": "draft", "revision": 1, "currency": "EUR", "total": "3122.90"}
    assert body["requested_discount_percent"] == "10" and body["approved_discount_percent"] is None
    srv = body["lines"][0]
    assert {k: srv[k] for k in ("sku", "quantity", "options", "unit_list", "unit_net", "line_total")} == {
        "sku": "SRV", "quantity": 2, "options": ["CPU-8", "RAM-32"], "unit_list": "1300.00",
        "unit_net": "1111.50", "line_total": "2223.00"}
    assert srv["waterfall"] == [
        {"step": "list", "label": "List price (SRV + 2 options)", "amount": "1300.00"},
        {"step": "tier_discount", "label": "Silver tier discount 5% (hardware)", "amount": "-65.00"},
        {"step": "quote_discount", "label": "Quote discount 10%", "amount": "-123.50"},
        {"step": "net", "label": "Net price", "amount": "1111.50"}]
    assert body["actions"] == ["edit", "submit", "decline"]
    quote_id = body["id"]

    r = partner.post(f"/quotes/{quote_id}/submit")
    assert r.status_code == 200 and r.json["status"] == "pending_approval" and r.json["valid_until"] is None

    r = api(world.p.manager).post(f"/quotes/{quote_id}/approve", {"discount_percent": "5", "comment": "5% max."})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "approved" and r.json["approved_discount_percent"] == "5"
    assert r.json["valid_until"] == (TODAY + timedelta(days=30)).isoformat() and r.json["total"] == "3296.40"

    got = partner.get(f"/quotes/{quote_id}").json
    assert got["status"] == "approved" and got["decision_comment"] == "5% max."
    assert [h["action"] for h in got["history"]] == ["created", "submitted", "approved"]
    assert got["revisions"][0]["decision"] == "approved"


def test_submit_within_the_limit_returns_valid_until(world, api):
    partner = api(world.p.a_user)
    quote_id = partner.post("/quotes", dict(BODY, requested_discount_percent="1.5")).json["id"]
    r = partner.post(f"/quotes/{quote_id}/submit")
    assert r.json["status"] == "approved" and r.json["valid_until"] == (TODAY + timedelta(days=30)).isoformat()


@pytest.mark.parametrize("value, status, message", [
    ("-1", 422, "cannot be negative"), ("150", 422, "cannot be more than 100%"), ("lots", 422, "must be a number"),
    (-3, 422, "cannot be negative"), ([10], 400, "must be a number"), (True, 400, "must be a number"),
])
def test_bad_discount_requests(world, api, value, status, message):
    r = api(world.p.a_user).post("/quotes", dict(BODY, requested_discount_percent=value))
    assert r.status_code == status, r.json
    assert message in r.json["error"]["fields"]["requested_discount_percent"]
    assert db.session.query(Quote).count() == 0


def test_bad_lines_and_bodies(world, api):
    partner = api(world.p.a_user)
    r = partner.post("/quotes", {"lines": [{"sku": "SRV", "quantity": 1}, {"sku": "LIC", "quantity": "many"}]})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"lines.0.options", "lines.1.quantity"}
    assert partner.post("/quotes", {"requested_discount_percent": "5"}).status_code == 400
    assert partner.post("/quotes", {"lines": "SRV"}).status_code == 400
    assert partner.post("/quotes", {"lines": [], "opportunity_id": "abc"}).status_code == 400
    r = partner.post("/quotes", dict(BODY, opportunity_id=424242))
    assert r.status_code == 422 and "opportunity_id" in r.json["error"]["fields"]
    assert db.session.query(Quote).count() == 0


def _quote_in(world, status: str) -> Quote:
    """A quote of Alpha in the given status."""
    p = world.p
    if status == "draft":
        return make_quote(p.a, p.a_user, "10")
    if status == "pending_approval":
        return pending_quote(world)
    if status == "approved":
        return approved_quote(world)
    if status == "rejected":
        return services.reject_quote(p.manager, pending_quote(world).id, "No.")
    if status == "declined":
        return services.decline_quote(p.a, p.a_user, approved_quote(world).id, "Lost the deal.")
    if status == "accepted":
        return services.accept_quote(p.a, p.a_user, approved_quote(world).id)
    quote = approved_quote(world)
    services.expire_quotes(quote.valid_until + timedelta(days=1))
    return quote


ACTIONS = {  # action -> (who, body, the statuses it is legal from)
    "submit": ("a_user", None, {"draft"}),
    "approve": ("manager", {}, {"pending_approval"}),
    "reject": ("manager", {"reason": "No."}, {"pending_approval"}),
    "decline": ("a_user", {"reason": "Lost."}, {"draft", "pending_approval", "approved"}),
    "accept": ("a_user", {}, {"approved"}),
}
STATUSES = ("draft", "pending_approval", "approved", "rejected", "declined", "accepted", "expired")
RESULT = {"submit": "pending_approval", "approve": "approved", "reject": "rejected", "decline": "declined",
          "accept": "accepted"}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", STATUSES)
def test_every_transition_through_the_api(world, api, action, status):
    quote = _quote_in(world, status)
    assert quote.status == status
    who, body, legal = ACTIONS[action]
    r = api(getattr(world.p, who)).post(f"/quotes/{quote.id}/{action}", body)
    if status in legal:
        assert r.status_code == 200, r.json
        assert r.json["status"] == RESULT[action]
    else:
        assert r.status_code == 409, r.json
        assert r.json["error"]["code"] in ("quote_state_conflict", "quote_expired")
        assert quote.number in r.json["error"]["message"]
        assert db.session.get(Quote, quote.id).status == status  # nothing changed


@pytest.mark.parametrize("status, legal", [
    ("draft", True), ("pending_approval", True), ("approved", True), ("rejected", True),
    ("declined", False), ("accepted", False), ("expired", True)])
def test_revising_through_the_api(world, api, status, legal):
    quote = _quote_in(world, status)
    r = api(world.p.a_user).patch(f"/quotes/{quote.id}", {"lines": [{"sku": "LIC", "quantity": 4}],
                                                           "change_note": "Licences only."})
    if not legal:
        assert r.status_code == 409 and r.json["error"]["code"] == "quote_state_conflict"
        return
    assert r.status_code == 200, r.json
    assert r.json["status"] == "draft" and r.json["lines"][0]["quantity"] == 4
    assert r.json["revision"] == (1 if status == "draft" else 2)
    if status != "draft":
        detail = api(world.p.a_user).get(f"/quotes/{quote.id}/revisions/2").json
        assert detail["revision"]["change_note"] == "Licences only."
        assert {c["change"] for c in detail["diff"]["lines"]} >= {"removed"}
        assert api(world.p.a_user).get(f"/quotes/{quote.id}/revisions/1").json["diff"] is None


def test_approval_input_and_roles(world, api):
    quote = pending_quote(world, "10")
    url = f"/quotes/{quote.id}/approve"
    r = api(world.p.manager).post(url, {"discount_percent": "11"})
    assert r.status_code == 422 and "10% requested" in r.json["error"]["fields"]["discount_percent"]
    assert api(world.p.a_admin).post(url, {}).status_code == 403
    assert api(world.p.ops).post(url, {}).status_code == 403
    r = api(world.other_manager).post(url, {})
    assert r.status_code == 403 and r.json["error"]["code"] == "quote_forbidden"
    r = api(world.other_manager).post(f"/quotes/{quote.id}/reject", {"reason": "x"})
    assert r.status_code == 403
    assert api(world.p.manager).post(f"/quotes/{quote.id}/reject", {}).status_code == 400
    r = api(world.p.manager).post(f"/quotes/{quote.id}/reject", {"reason": " "})
    assert r.status_code == 422 and r.json["error"]["fields"] == {"reason": "A reason is required."}
    assert api(world.p.manager).post("/quotes/999999/approve", {}).status_code == 404
    assert db.session.get(Quote, quote.id).status == "pending_approval"
    assert api(world.p.admin).post(url, {"discount_percent": 7.5}).json["approved_discount_percent"] == "7.5"


@covers("quotes_api.get_quote", "quotes_api.update_quote", "quotes_api.submit_quote", "quotes_api.decline_quote",
        "quotes_api.accept_quote", "quotes_api.quote_pdf_download", "quotes_api.get_revision",
        "quotes_api.approve_quote", "quotes_api.reject_quote")
def test_another_partners_quote_is_a_404(world, api):
    theirs = pending_quote(world)  # Alpha's
    bravo = api(world.p.b_user)
    assert bravo.get(f"/quotes/{theirs.id}").status_code == 404
    assert bravo.patch(f"/quotes/{theirs.id}", {"title": "x"}).status_code == 404
    assert bravo.post(f"/quotes/{theirs.id}/submit").status_code == 404
    assert bravo.post(f"/quotes/{theirs.id}/decline", {"reason": "x"}).status_code == 404
    assert bravo.post(f"/quotes/{theirs.id}/accept", {}).status_code == 404
    assert bravo.get(f"/quotes/{theirs.id}/pdf").status_code == 404
    assert bravo.get(f"/quotes/{theirs.id}/revisions/1").status_code == 404
    assert bravo.post(f"/quotes/{theirs.id}/approve", {}).status_code == 403  # a partner never approves
    assert bravo.post(f"/quotes/{theirs.id}/reject", {"reason": "x"}).status_code == 403
    assert [q["id"] for q in bravo.get("/quotes").json["items"]] == []
    assert db.session.get(Quote, theirs.id).status == "pending_approval"


def test_lists_for_partners_and_staff(world, api):
    a = [make_quote(world.p.a, world.p.a_user) for _ in range(3)]
    pending_quote(world)
    b = make_quote(world.p.b, world.p.b_user)
    page = api(world.p.a_admin).get("/quotes?per_page=2").json
    assert page["total"] == 4 and page["per_page"] == 2 and page["page"] == 1 and len(page["items"]) == 2
    assert "lines" not in page["items"][0] and page["items"][0]["partner_id"] == world.p.a.id
    assert api(world.p.a_admin).get("/quotes?status=pending_approval").json["total"] == 1
    assert api(world.p.a_admin).get("/quotes?status=open").json["total"] == 4
    assert api(world.p.a_admin).get("/quotes?status=nonsense").status_code == 400
    assert api(world.p.a_admin).get(f"/quotes?q={a[0].number}").json["total"] == 1
    staff = api(world.p.admin).get("/quotes").json
    assert staff["total"] == 5
    assert api(world.p.ops).get(f"/quotes/{b.id}").status_code == 200
    assert api(world.p.admin).get(f"/quotes?partner_id={world.p.b.id}").json["total"] == 1
    assert api(world.p.manager).get("/quotes?mine=true").json["total"] == 4
    assert api(world.p.manager).get("/quotes?mine=true&status=pending_approval").json["total"] == 1
    assert api(world.p.admin).get("/quotes?status=open").json["total"] == 5


def test_the_pdf_is_a_real_pdf_with_the_quote(world, api):
    quote = approved_quote(world)
    r = api(world.p.a_user).get(f"/quotes/{quote.id}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert f'filename="{quote.number}-rev1.pdf"' in r.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(r.data)).pages)
    assert quote.number in text and "Alpha Partners" in text and "3,400.50" in text
    assert api(world.p.manager).get(f"/quotes/{quote.id}/pdf").status_code == 200


def test_openapi_describes_the_quote_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/quotes", "/quotes/{quote_id}", "/quotes/{quote_id}/submit", "/quotes/{quote_id}/approve",
            "/quotes/{quote_id}/reject", "/quotes/{quote_id}/decline", "/quotes/{quote_id}/pdf"} <= set(spec["paths"])
    assert "requestBody" in spec["paths"]["/quotes"]["post"]
