"""Concurrent MDF approvals on PostgreSQL: the campaign row lock keeps the budget from going negative."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, select

from opportunities.campaigns.models import (
    Campaign, CampaignEnrolment, MdfClaim, MdfEvent, MdfProofFile, MdfRequest,
)
from opportunities.campaigns.services import campaigns, mdf
from portal.extensions import db
from portal.models import AuditEntry, Notification, OutboxEmail, Partner, User
from tests.opportunities.campaigns.builders import TODAY, request_data

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(not PG_URL.startswith("postgresql"),
                                 reason="row locks need PostgreSQL: set TEST_DATABASE_URL")]
REQUESTS = 6


@pytest.fixture
def committed(app) -> Iterator[dict]:
    """Partners, users, a campaign and requests committed for real (threads need to see them),
    removed again afterwards."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    saved = db.engines[None]
    db.engines[None] = engine
    made: dict = {}
    try:
        with app.app_context():
            manager = User(email="race-manager@example.com", name="Race Manager", role="partner_manager")
            db.session.add(manager)
            db.session.flush()
            partner = Partner(name="Race Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                              currency="EUR", manager_id=manager.id)
            db.session.add(partner)
            db.session.flush()
            rep = User(email="race-rep@example.com", name="Race Rep", role="partner_admin", partner_id=partner.id)
            db.session.add(rep)
            db.session.flush()
            campaign = campaigns.create_campaign(manager, {
                "name": "Race", "description": "", "starts_on": TODAY, "ends_on": TODAY + timedelta(days=9),
                "mdf_budget": "1000.00", "status": "published"})
            campaigns.enrol(partner, rep, campaign)
            ids = [mdf.request_funds(partner, rep, campaign, request_data(amount="300.00")).id
                   for _ in range(REQUESTS)]
            db.session.commit()
            made = {"campaign_id": campaign.id, "request_ids": ids, "manager_id": manager.id,
                    "partner_id": partner.id, "user_ids": [manager.id, rep.id]}
        yield made
    finally:
        with engine.begin() as conn:
            if made:
                conn.execute(delete(MdfProofFile).where(MdfProofFile.partner_id == made["partner_id"]))
                conn.execute(delete(MdfClaim).where(MdfClaim.partner_id == made["partner_id"]))
                conn.execute(delete(MdfEvent).where(MdfEvent.partner_id == made["partner_id"]))
                conn.execute(delete(MdfRequest).where(MdfRequest.partner_id == made["partner_id"]))
                conn.execute(delete(CampaignEnrolment).where(CampaignEnrolment.partner_id == made["partner_id"]))
                conn.execute(delete(Campaign).where(Campaign.id == made["campaign_id"]))
                conn.execute(delete(Notification).where(Notification.user_id.in_(made["user_ids"])))
                conn.execute(delete(OutboxEmail).where(OutboxEmail.recipient.like("race-%")))
                conn.execute(delete(AuditEntry).where(AuditEntry.actor_id.in_(made["user_ids"])))
                conn.execute(delete(AuditEntry).where(AuditEntry.partner_id == made["partner_id"]))
                conn.execute(User.__table__.update().where(User.id.in_(made["user_ids"])).values(partner_id=None))
                conn.execute(delete(Partner).where(Partner.id == made["partner_id"]))
                conn.execute(delete(User).where(User.id.in_(made["user_ids"])))
        db.engines[None] = saved
        engine.dispose()


def test_concurrent_approvals_never_overspend_the_budget(app, committed):
    barrier = threading.Barrier(REQUESTS)
    outcomes: dict[int, str] = {}

    def approve(request_id: int) -> None:
        with app.app_context():
            manager = db.session.get(User, committed["manager_id"])
            req = db.session.get(MdfRequest, request_id)
            partner = req.partner
            barrier.wait(timeout=10)
            try:
                mdf.approve_request(partner, manager, req)
                db.session.commit()
                outcomes[request_id] = "approved"
            except mdf.OverBudget:
                db.session.rollback()
                outcomes[request_id] = "over budget"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in committed["request_ids"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()) == ["approved"] * 3 + ["over budget"] * 3
    with app.app_context():
        campaign = db.session.get(Campaign, committed["campaign_id"])
        assert campaign.mdf_reserved_minor == 90000 and campaign.mdf_remaining.amount_minor == 10000
        approved = db.session.scalars(select(MdfRequest.approved_minor).where(
            MdfRequest.campaign_id == campaign.id, MdfRequest.status == "approved")).all()
        assert sum(approved) == campaign.mdf_reserved_minor
        db.session.remove()
