"""The follow-up clock with a controllable clock: warning a day before, fall-back to the pool,
cool-down, lapsed assignments; the Celery task and the CLI command."""
from __future__ import annotations

from datetime import timedelta

import pytest

from opportunities.leads.models import Lead, LeadCooldown, LeadEvent, LeadOwnership
from opportunities.leads.services import CooldownActive, LeadNotFound, distribution, ownership
from opportunities.leads.services.lapses import run_lapses
from portal.extensions import db
from portal.models import Notification
from tests.opportunities.leads.helpers import T0, make_lead

DAY = timedelta(days=1)


def _notes(user, kind):
    return db.session.query(Notification).filter_by(user_id=user.id, kind=kind).all()


def test_a_neglected_lead_warns_then_falls_back_with_a_cool_down(two_partners):
    p = two_partners
    lead = make_lead(p.manager, now=T0)
    ownership.claim_lead(p.a, p.a_user, lead, now=T0)
    assert lead.due_at == T0 + 7 * DAY

    report = run_lapses(T0 + 5 * DAY)
    assert (report.warned, report.fell_back) == (0, 0) and not _notes(p.a_user, "lead_fall_back_warning")

    report = run_lapses(T0 + 6 * DAY + timedelta(minutes=1))  # less than a day left
    assert report.warned == 1 and report.fell_back == 0
    [warning] = _notes(p.a_user, "lead_fall_back_warning")
    assert "falls back" in warning.title and warning.link == f"/leads/{lead.id}"
    assert _notes(p.a_admin, "lead_fall_back_warning")  # the partner admin hears too
    assert run_lapses(T0 + 6 * DAY + timedelta(hours=2)).warned == 0  # warned once

    report = run_lapses(T0 + 7 * DAY - timedelta(seconds=1))
    assert report.fell_back == 0 and db.session.get(Lead, lead.id).status == "claimed"

    lapse = T0 + 7 * DAY + timedelta(minutes=15)
    report = run_lapses(lapse)
    assert report.fell_back == 1 and "1 lead(s) fell back" in str(report)
    lead = db.session.get(Lead, lead.id)
    assert (lead.status, lead.owner_partner_id, lead.owner_user_id, lead.due_at) == ("pool", None, None, None)
    period = db.session.query(LeadOwnership).filter_by(lead_id=lead.id).one()
    assert (period.outcome, period.ended_at) == ("fell_back", lapse)
    event = db.session.query(LeadEvent).filter_by(lead_id=lead.id, action="fell_back").one()
    assert event.from_partner_id == p.a.id and event.actor_id is None and "7 days" in event.reason
    assert _notes(p.a_user, "lead_fell_back")
    cooldown = db.session.query(LeadCooldown).filter_by(lead_id=lead.id, partner_id=p.a.id).one()
    assert cooldown.until == lapse + 14 * DAY

    with pytest.raises(CooldownActive) as caught:  # the lapsing partner: 422 with when
        ownership.claim_lead(p.a, p.a_admin, lead, now=lapse + DAY)
    assert caught.value.status == 422 and caught.value.until == lapse + 14 * DAY
    assert "2026-03-23" in caught.value.message
    with pytest.raises(LeadNotFound):  # and no activity on a lead it no longer owns
        ownership.record_activity(p.a, p.a_user, lead, "note", "still here", now=lapse + DAY)
    ownership.claim_lead(p.b, p.b_user, lead, now=lapse + DAY)  # other partners may claim it
    ownership.release_lead(p.b, p.b_user, lead, now=lapse + 2 * DAY)
    ownership.claim_lead(p.a, p.a_user, lead, now=lapse + 14 * DAY + timedelta(seconds=1))
    assert db.session.get(Lead, lead.id).owner_partner_id == p.a.id


def test_activity_restarts_the_clock_and_clears_the_warning(two_partners):
    p = two_partners
    lead = make_lead(p.manager, now=T0)
    ownership.claim_lead(p.a, p.a_user, lead, now=T0)
    run_lapses(T0 + 6 * DAY + timedelta(hours=1))
    assert lead.warned_at is not None
    ownership.record_activity(p.a, p.a_user, lead, "meeting", "Demo done", now=T0 + 6 * DAY + timedelta(hours=2))
    assert lead.warned_at is None and lead.due_at == T0 + 13 * DAY + timedelta(hours=2)
    assert run_lapses(T0 + 8 * DAY).fell_back == 0
    assert run_lapses(T0 + 12 * DAY + timedelta(hours=3)).warned == 1  # warned again for the new clock
    assert run_lapses(T0 + 13 * DAY + timedelta(hours=2)).fell_back == 1
    period = db.session.query(LeadOwnership).filter_by(lead_id=lead.id).one()
    assert period.first_activity_at == T0 + 6 * DAY + timedelta(hours=2)


def test_the_follow_up_days_are_a_setting(app, two_partners):
    p = two_partners
    app.config["LEADS_FOLLOW_UP_DAYS"] = 3
    try:
        lead = make_lead(p.manager, now=T0)
        ownership.claim_lead(p.a, p.a_user, lead, now=T0)
        assert lead.due_at == T0 + 3 * DAY
        assert run_lapses(T0 + 3 * DAY).fell_back == 1
    finally:
        app.config["LEADS_FOLLOW_UP_DAYS"] = 7


def test_an_unanswered_assignment_goes_to_the_pool_with_a_cool_down(two_partners):
    p = two_partners
    lead = make_lead(p.manager, now=T0)
    distribution.assign_lead(p.a, p.manager, lead, now=T0)
    assert lead.status == "assigned" and lead.due_at == T0 + 3 * DAY
    assert run_lapses(T0 + 2 * DAY).assignments_lapsed == 0
    report = run_lapses(T0 + 3 * DAY)
    assert report.assignments_lapsed == 1 and lead.status == "pool" and lead.owner_partner_id is None
    assert db.session.query(LeadEvent).filter_by(lead_id=lead.id, action="assignment_lapsed").one()
    with pytest.raises(CooldownActive):
        ownership.claim_lead(p.a, p.a_user, lead, now=T0 + 4 * DAY)


def test_an_assignment_accepted_in_time_does_not_lapse(two_partners):
    p = two_partners
    lead = make_lead(p.manager, now=T0)
    distribution.assign_lead(p.a, p.manager, lead, deadline="2026-03-04", now=T0)
    ownership.accept_assignment(p.a, p.a_user, lead, now=T0 + DAY)
    assert lead.status == "claimed" and lead.due_at == T0 + 8 * DAY
    assert run_lapses(T0 + 3 * DAY).assignments_lapsed == 0 and lead.status == "claimed"


def test_converted_closed_and_pool_leads_never_fall_back(two_partners):
    p = two_partners
    pool = make_lead(p.manager, now=T0)
    closed = make_lead(p.manager, now=T0)
    ownership.claim_lead(p.a, p.a_user, closed, now=T0)
    distribution.close_lead(p.manager, closed, "Duplicate in CRM", now=T0 + DAY)
    report = run_lapses(T0 + 60 * DAY)
    assert (report.fell_back, report.warned) == (0, 0)
    assert (pool.status, closed.status) == ("pool", "closed")


def test_the_celery_task_and_the_cli_command(app, two_partners):
    from opportunities.leads.tasks import fall_back

    p = two_partners
    lead = make_lead(p.manager, now=T0)
    ownership.claim_lead(p.a, p.a_user, lead, now=T0)
    db.session.flush()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["leads", "fall-back", "--now", "2026-03-08T09:30:00"])
    assert result.exit_code == 0, result.output
    assert "0 lead(s) fell back" in result.output and "1 owner(s) warned" in result.output
    result = runner.invoke(args=["leads", "fall-back", "--now", "2026-03-09T09:00:00Z"])
    assert "1 lead(s) fell back" in result.output
    assert db.session.get(Lead, lead.id).status == "pool"
    assert runner.invoke(args=["leads", "fall-back", "--now", "yesterday"]).exit_code != 0
    assert "fell back" in fall_back.apply().get()  # the beat job: nothing left to do, still runs
    assert app.config["CELERY_BEAT_SCHEDULE"]["leads-fall-back"]["task"] == "leads.fall_back"
    result = runner.invoke(args=["leads", "stats"])
    assert result.exit_code == 0 and p.a.name in result.output and "EMEA" in result.output
