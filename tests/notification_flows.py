"""Every notification of the portal, driven through its real flow, for the notification matrix.

A `Flow` prepares the state a notification needs (through the features' services), then `act`
runs the service or job that sends it, exactly as the view, API or periodic job calls it; the
optional `route` does the same through the HTTP route (or the CLI command of a job), which
commits by itself. All flows act on partner A (managed by `manager`); partner B (managed by
`other_manager`, in another region and tier) is the outsider that must see nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app

from catalog.services.pricing import LineInput
from opportunities.campaigns.services import campaigns, claims, mdf
from opportunities.leads.services import distribution, ownership
from opportunities.leads.services.lapses import run_lapses
from opportunities.registrations.services import decisions, lifecycle
from orders.models import Payment
from orders.quotes import services as quotes
from orders.services import addresses, events, placing, status
from orders.services.placing import OrderInput
from portal import storage
from portal.extensions import db
from portal.models import User
from portal.services import onboarding
from tests import factories
from tests.catalog.builders import build
from tests.opportunities.campaigns.builders import PDF, make_campaign, request_data
from tests.opportunities.leads.helpers import T0, lead_data, make_lead
from tests.opportunities.registrations.helpers import payload, register

DAY = timedelta(days=1)
SERVER = {"sku": "SRV", "quantity": 2, "options": ["CPU-8", "RAM-32"]}


@dataclass
class World:
    p: factories.TwoPartners
    other_manager: User


def build_world() -> World:
    p = factories.two_partners()
    other = factories.make_user(role="partner_manager", name="Olivia Other")
    p.b.manager_id, p.b.region = other.id, "APAC"  # B: gold, APAC, another manager
    build()
    addresses.add_address(p.a, {"label": "Main", "recipient": "Alpha GmbH", "street": "Hauptstr. 1",
                                "postal_code": "10115", "city": "Berlin", "country": "DE"})
    db.session.flush()
    return World(p, other)


@dataclass(frozen=True)
class Flow:
    name: str  # the test id: the kind, with a variant after a slash
    kind: str
    act: Callable[[World, Any], Any]
    recipients: Callable[[World], list[User]]
    prepare: Callable[[World], Any] = lambda w: None
    route: Callable[[World, Any], Any] | None = None  # returns a response or CLI result


# --- how the routes are called -------------------------------------------------------------------

def web(user: User, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST an HTML form as `user` (CSRF is off in tests); the view commits."""
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = factories.start_session(user), True
    return client.post(path, data=data or {}, **kw)


def api(user: User, path: str, body: Any = None, **kw: Any) -> Any:
    return factories.api_for(user).post(path, json=body or {}, **kw)


def cli(*args: str) -> Any:
    return current_app.test_cli_runner().invoke(args=list(args))


def stripe_webhook(event: dict[str, Any]) -> Any:
    secret, saved = "whsec_matrix", current_app.config.get("STRIPE_WEBHOOK_SECRET")
    body = json.dumps(event).encode()
    ts = int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    current_app.config["STRIPE_WEBHOOK_SECRET"] = secret
    try:
        return current_app.test_client().post("/webhooks/stripe", data=body, headers={
            "Stripe-Signature": f"t={ts},v1={mac}", "Content-Type": "application/json"})
    finally:
        current_app.config["STRIPE_WEBHOOK_SECRET"] = saved


# --- building blocks -----------------------------------------------------------------------------

def partner_side(w: World) -> list[User]:
    """Who hears on partner A's side: the user who acted (a sales rep) and A's partner admin."""
    return [w.p.a_user, w.p.a_admin]


def approved_registration(w: World, days: int = 90) -> Any:
    reg = register(w.p.a, w.p.a_user, "Lumora Analytics GmbH", domain="lumora.example")
    decisions.approve_registration(w.p.manager, reg, protection_days=days)
    return reg


def draft_quote(w: World) -> Any:
    """A draft asking for 10% extra (A is silver: 2% is its self-approval limit)."""
    return quotes.create_quote(w.p.a, w.p.a_user, quotes.QuoteInput(
        lines=[LineInput("SRV", 2, ("CPU-8", "RAM-32"))], requested_discount_percent="10",
        justification="The customer compares three offers."))


def submitted_quote(w: World) -> Any:
    return quotes.submit_quote(w.p.a, w.p.a_user, draft_quote(w).id)


def self_approved_quote(w: World) -> Any:
    quote = quotes.create_quote(w.p.a, w.p.a_user, quotes.QuoteInput(
        lines=[LineInput("LIC", 5)], requested_discount_percent="2"))
    return quotes.submit_quote(w.p.a, w.p.a_user, quote.id)


def order(w: World, method: str = "on_account") -> Any:
    return placing.place_lines(w.p.a, w.p.a_user, OrderInput("PO-4711", method),
                               [LineInput("SRV", 2, ("CPU-8", "RAM-32"))])


def card_order(w: World) -> tuple[Any, str]:
    """An order waiting for its card payment, with the payment attempt Stripe was asked for."""
    placed = order(w, "card")
    intent = f"pi_matrix_{placed.id}"
    db.session.add(Payment(partner_id=placed.partner_id, order_id=placed.id, amount_minor=placed.total_minor,
                           currency=placed.currency, status="open", intent_id=intent,
                           idempotency_key=f"matrix-{placed.id}"))
    db.session.flush()
    return placed, intent


def intent_event(kind: str, intent: str) -> dict[str, Any]:
    payment = db.session.query(Payment).filter_by(intent_id=intent).one()  # Stripe sends what was asked for
    obj: dict[str, Any] = {"object": "payment_intent", "id": intent, "amount": payment.amount_minor,
                           "currency": payment.currency.lower()}
    if kind.endswith("failed"):
        obj["last_payment_error"] = {"message": "Your card was declined."}
    return {"id": f"evt_{kind}_{intent}", "type": kind, "data": {"object": obj}}


def claimed_lead(w: World) -> Any:
    lead = make_lead(w.p.manager, now=T0)
    return ownership.claim_lead(w.p.a, w.p.a_user, lead, now=T0)


def enrolled(w: World, **campaign: Any) -> Any:
    found = make_campaign(w.p.admin, **campaign)
    campaigns.enrol(w.p.a, w.p.a_admin, found)
    return found


def mdf_request(w: World, past: bool = False) -> Any:
    found = enrolled(w)
    when = {"starts_on": found.starts_on.isoformat(), "ends_on": found.starts_on.isoformat()} if past else {}
    return mdf.request_funds(w.p.a, w.p.a_user, found, request_data(**when))


def approved_mdf(w: World) -> Any:
    return mdf.approve_request(w.p.a, w.p.manager, mdf_request(w, past=True))


def proof() -> storage.CheckedUpload:
    return storage.check_upload("invoice.pdf", io.BytesIO(PDF), allowed=("pdf",), max_bytes=10_000)


def claimed_mdf(w: World) -> Any:
    req = approved_mdf(w)
    claims.submit_claim(w.p.a, w.p.a_user, req, "1500.00", "Roadshow done.", [proof()])
    return req


def paid_ready_mdf(w: World) -> Any:
    req = claimed_mdf(w)
    claims.approve_claim(w.p.a, w.p.manager, req)
    return req


def application(w: World) -> Any:
    return onboarding.record_application({
        "company_name": "Fjord Networks AS", "kind": "reseller", "country": "NO", "region": "EMEA",
        "currency": "NOK", "website": "https://www.fjordnet.example", "contact_name": "Ingrid Fjord",
        "contact_email": "ingrid@fjordnet.example", "message": ""}, ip="192.0.2.9")


def approve_application(w: World, app_row: Any) -> Any:
    return onboarding.approve_application(w.p.admin, app_row, {"manager_id": w.p.manager.id, "tier": "silver"})


def unmanaged(w: World) -> None:
    w.p.a.manager_id = None


def deciders(w: World) -> list[User]:
    return [w.p.manager]


def reviewers_of_applications(w: World) -> list[User]:
    return [w.p.admin, w.p.manager, w.other_manager]


def a_admin(w: World) -> list[User]:
    return [w.p.a_admin]


# --- the matrix: one flow per notification (and per way it is sent) -------------------------------

FLOWS: list[Flow] = [
    # deal registrations
    Flow("registration_submitted", "registration_submitted", lambda w, c: register(
        w.p.a, w.p.a_user, "Lumora Analytics GmbH", domain="lumora.example"), deciders,
         route=lambda w, c: api(w.p.a_user, "/opportunities", payload("Lumora Analytics GmbH",
                                                                       customer_domain="lumora.example"))),
    Flow("registration_submitted/no_manager", "registration_submitted",
         lambda w, c: register(w.p.a, w.p.a_user, "Lumora Analytics GmbH"), lambda w: [w.p.admin],
         prepare=unmanaged),  # nobody manages A: the administrators decide
    Flow("registration_in_review", "registration_in_review",
         lambda w, c: register(w.p.a, w.p.a_user, "Quavendra Robotics GmbH", domain="quavendra.example"),
         deciders, prepare=lambda w: register(w.p.b, w.p.b_user, "QUAVENDRA ROBOTICS", domain="quavendra.example"),
         route=lambda w, c: api(w.p.a_user, "/opportunities", payload("Quavendra Robotics GmbH",
                                                                       customer_domain="quavendra.example"))),
    Flow("registration_approved", "registration_approved",
         lambda w, reg: decisions.approve_registration(w.p.manager, reg), partner_side,
         prepare=lambda w: register(w.p.a, w.p.a_user, "Lumora Analytics GmbH"),
         route=lambda w, reg: web(w.p.manager, f"/admin/registrations/{reg.id}/approve",
                                  {"protection_days": "60"})),
    Flow("registration_rejected", "registration_rejected",
         lambda w, reg: decisions.reject_registration(w.p.manager, reg, "Outside your territory."),
         partner_side, prepare=lambda w: register(w.p.a, w.p.a_user, "Lumora Analytics GmbH"),
         route=lambda w, reg: web(w.p.manager, f"/admin/registrations/{reg.id}/reject",
                                  {"reason": "Outside your territory."})),
    Flow("registration_expiring", "registration_expiring",
         lambda w, reg: lifecycle.expire_registrations(reg.protected_until - 5 * DAY), partner_side,
         prepare=lambda w: approved_registration(w, days=10),
         route=lambda w, reg: cli("registrations", "expire")),  # 10 days left: within the 14-day reminder
    Flow("registration_expired", "registration_expired",
         lambda w, reg: lifecycle.expire_registrations(reg.protected_until + DAY), partner_side,
         prepare=approved_registration),
    Flow("registration_extended", "registration_extended",
         lambda w, reg: lifecycle.request_extension(w.p.a, w.p.a_user, reg), deciders,
         prepare=approved_registration,
         route=lambda w, reg: web(w.p.a_user, f"/opportunities/{reg.id}/extend")),
    # quotes
    Flow("quote_pending_approval", "quote_pending_approval",
         lambda w, q: quotes.submit_quote(w.p.a, w.p.a_user, q.id), deciders, prepare=draft_quote,
         route=lambda w, q: web(w.p.a_user, f"/quotes/{q.id}/submit")),
    Flow("quote_approved", "quote_approved", lambda w, q: quotes.approve_quote(w.p.manager, q.id, "8", "Fine."),
         partner_side, prepare=submitted_quote,
         route=lambda w, q: web(w.p.manager, f"/admin/quotes/{q.id}/approve",
                                {"discount_percent": "8", "comment": "Fine."})),
    Flow("quote_rejected", "quote_rejected",
         lambda w, q: quotes.reject_quote(w.p.manager, q.id, "5% at most."), partner_side,
         prepare=submitted_quote,
         route=lambda w, q: web(w.p.manager, f"/admin/quotes/{q.id}/reject", {"reason": "5% at most."})),
    Flow("quote_expiring", "quote_expiring",
         lambda w, q: quotes.warn_expiring(q.valid_until - 2 * DAY), partner_side, prepare=self_approved_quote,
         route=lambda w, q: cli("quotes", "expire", "--date", (q.valid_until - 2 * DAY).isoformat())),
    # orders
    Flow("order_received", "order_received", lambda w, c: order(w), lambda w: [*partner_side(w), w.p.manager],
         route=lambda w, c: api(w.p.a_user, "/orders", {"lines": [SERVER], "po_number": "PO-4711",
                                                          "payment_method": "on_account"},
                                headers={"Idempotency-Key": "matrix-1"})),
    Flow("order_received/card_paid", "order_received",
         lambda w, c: events.process(intent_event("payment_intent.succeeded", c[1])), deciders,
         prepare=card_order, route=lambda w, c: stripe_webhook(intent_event("payment_intent.succeeded", c[1]))),
    Flow("order_status", "order_status", lambda w, o: status.change_status(w.p.manager, o.id, "confirmed"),
         partner_side, prepare=order,
         route=lambda w, o: web(w.p.manager, f"/admin/orders/{o.id}/status", {"status": "confirmed"})),
    Flow("order_status/card_paid", "order_status",
         lambda w, c: events.process(intent_event("payment_intent.succeeded", c[1])), partner_side,
         prepare=card_order, route=lambda w, c: stripe_webhook(intent_event("payment_intent.succeeded", c[1]))),
    Flow("order_status/cancelled_by_partner", "order_status",
         lambda w, o: status.cancel_for_partner(w.p.a, w.p.a_admin, o.id, "Ordered twice."), partner_side,
         prepare=order, route=lambda w, o: web(w.p.a_admin, f"/orders/{o.id}/cancel", {"reason": "Ordered twice."})),
    Flow("order_payment_failed", "order_payment_failed",
         lambda w, c: events.process(intent_event("payment_intent.payment_failed", c[1])), partner_side,
         prepare=card_order,
         route=lambda w, c: stripe_webhook(intent_event("payment_intent.payment_failed", c[1]))),
    # leads
    Flow("lead_assigned", "lead_assigned",
         lambda w, c: make_lead(w.p.manager, partner_id=w.p.a.id), a_admin,
         route=lambda w, c: api(w.p.manager, "/leads", {**lead_data(), "partner_id": w.p.a.id})),
    Flow("lead_assigned/from_the_pool", "lead_assigned",
         lambda w, lead: distribution.assign_lead(w.p.a, w.p.manager, lead), a_admin,
         prepare=lambda w: make_lead(w.p.manager),
         route=lambda w, lead: web(w.p.manager, f"/admin/leads/{lead.id}/assign", {"partner_id": str(w.p.a.id)})),
    Flow("lead_fall_back_warning", "lead_fall_back_warning",
         lambda w, lead: run_lapses(T0 + 6 * DAY + timedelta(minutes=1)), lambda w: [w.p.a_admin, w.p.a_user],
         prepare=claimed_lead,
         route=lambda w, lead: cli("leads", "fall-back", "--now", (T0 + 6 * DAY + timedelta(minutes=1)).isoformat())),
    Flow("lead_fell_back", "lead_fell_back",
         lambda w, lead: run_lapses(T0 + 7 * DAY + timedelta(minutes=15)), lambda w: [w.p.a_admin, w.p.a_user],
         prepare=claimed_lead,
         route=lambda w, lead: cli("leads", "fall-back", "--now", (T0 + 7 * DAY + timedelta(minutes=15)).isoformat())),
    # campaigns and MDF
    Flow("campaign_published", "campaign_published",
         lambda w, c: campaigns.publish_campaign(w.p.admin, c), a_admin,
         prepare=lambda w: make_campaign(w.p.admin, status="draft", tiers=["silver"]),
         route=lambda w, c: web(w.p.admin, f"/admin/campaigns/{c.id}/publish")),
    Flow("mdf_submitted", "mdf_submitted",
         lambda w, c: mdf.request_funds(w.p.a, w.p.a_user, c, request_data()), deciders, prepare=enrolled,
         route=lambda w, c: api(w.p.a_user, f"/campaigns/{c.id}/mdf-requests", request_data())),
    Flow("mdf_approved", "mdf_approved", lambda w, r: mdf.approve_request(w.p.a, w.p.manager, r),
         partner_side, prepare=mdf_request,
         route=lambda w, r: web(w.p.manager, f"/admin/mdf/{r.id}/approve", {"amount": "1800.00"})),
    Flow("mdf_rejected", "mdf_rejected", lambda w, r: mdf.reject_request(w.p.a, w.p.manager, r, "No fairs."),
         partner_side, prepare=mdf_request,
         route=lambda w, r: web(w.p.manager, f"/admin/mdf/{r.id}/reject", {"reason": "No fairs."})),
    Flow("mdf_cancelled", "mdf_cancelled", lambda w, r: mdf.cancel_request(w.p.a, w.p.a_user, r), deciders,
         prepare=mdf_request, route=lambda w, r: web(w.p.a_user, f"/campaigns/mdf/{r.id}/cancel")),
    Flow("mdf_claimed", "mdf_claimed",
         lambda w, r: claims.submit_claim(w.p.a, w.p.a_user, r, "1500.00", "Done.", [proof()]), deciders,
         prepare=approved_mdf,
         route=lambda w, r: web(w.p.a_user, f"/campaigns/mdf/{r.id}/claim", {
             "amount": "1500.00", "note": "Done.", "files": (io.BytesIO(PDF), "invoice.pdf")},
             content_type="multipart/form-data")),
    Flow("mdf_claim_approved", "mdf_claim_approved", lambda w, r: claims.approve_claim(w.p.a, w.p.manager, r),
         partner_side, prepare=claimed_mdf,
         route=lambda w, r: web(w.p.manager, f"/admin/mdf/{r.id}/claim/approve", {"amount": "1500.00"})),
    Flow("mdf_claim_rejected", "mdf_claim_rejected",
         lambda w, r: claims.reject_claim(w.p.a, w.p.manager, r, "Invoice unreadable."), partner_side,
         prepare=claimed_mdf,
         route=lambda w, r: web(w.p.manager, f"/admin/mdf/{r.id}/claim/reject", {"reason": "Invoice unreadable."})),
    Flow("mdf_paid", "mdf_paid", lambda w, r: claims.mark_paid(w.p.a, w.p.manager, r, "PAY-77"), partner_side,
         prepare=paid_ready_mdf,
         route=lambda w, r: web(w.p.manager, f"/admin/mdf/{r.id}/paid", {"reference": "PAY-77"})),
    # onboarding (staff only)
    Flow("partner_application", "partner_application", lambda w, c: application(w), reviewers_of_applications),
    Flow("partner_onboarded", "partner_onboarded", approve_application, deciders, prepare=application),
]
