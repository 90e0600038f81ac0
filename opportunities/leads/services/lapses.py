"""The periodic lead check: lapsed assignments and neglected leads go back to the pool (with a
cool-down for the partner that let them lapse); owners are warned a day before."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from opportunities.leads.models import Lead
from opportunities.leads.rules import LeadSettings, duration_text, settings
from opportunities.leads.services import LEAD_FELL_BACK, LEAD_WARNING, partner_link
from opportunities.leads.services.common import (
    RELEASED, compare_and_set, end_ownership, now_or, partner_contacts, record_event, set_cooldown,
)
from portal.extensions import db
from portal.services.notifications import notify


@dataclass
class LapseReport:
    assignments_lapsed: int = 0
    fell_back: int = 0
    warned: int = 0

    def __str__(self) -> str:
        return (f"{self.fell_back} lead(s) fell back to the pool, {self.assignments_lapsed} "
                f"assignment(s) lapsed, {self.warned} owner(s) warned.")


def run_lapses(now: datetime | None = None) -> LapseReport:
    """Apply the follow-up clock and the assignment deadlines as of `now` (default: the time)."""
    now = now_or(now)
    cfg = settings()
    report = LapseReport()
    lapsed = select(Lead).where(Lead.status == "assigned", Lead.due_at <= now)
    for lead in db.session.scalars(lapsed.order_by(Lead.id)).all():
        report.assignments_lapsed += _lapse_assignment(lead, now, cfg.cooldown)
    neglected = select(Lead).where(Lead.status == "claimed", Lead.due_at <= now)
    for lead in db.session.scalars(neglected.order_by(Lead.id)).all():
        report.fell_back += _fall_back(lead, now, cfg)
    warn_cutoff = now + cfg.warning
    due_soon = select(Lead).where(Lead.status == "claimed", Lead.warned_at.is_(None),
                                  Lead.due_at <= warn_cutoff)
    for lead in db.session.scalars(due_soon.order_by(Lead.id)).all():
        report.warned += _warn(lead, now, warn_cutoff)
    db.session.flush()
    return report


def _lapse_assignment(lead: Lead, now: datetime, cooldown: timedelta) -> int:
    partner_id = lead.owner_partner_id
    if partner_id is None or not compare_and_set(
            lead, {"status": "assigned", "owner_partner_id": partner_id},
            {**RELEASED, "status": "pool"}, Lead.due_at <= now, now=now):
        return 0  # accepted or reassigned meanwhile
    set_cooldown(lead, partner_id, now + cooldown, "assignment_lapsed")
    record_event(lead, "assignment_lapsed", from_partner_id=partner_id, now=now,
                 reason="Not accepted or declined before the deadline")
    return 1


def _fall_back(lead: Lead, now: datetime, cfg: LeadSettings) -> int:
    partner_id, user_id = lead.owner_partner_id, lead.owner_user_id
    if partner_id is None or not compare_and_set(
            lead, {"status": "claimed", "owner_partner_id": partner_id},
            {**RELEASED, "status": "pool"}, Lead.due_at <= now, now=now):
        return 0  # an activity, release or reassignment came first
    end_ownership(lead, "fell_back", now)
    until = now + cfg.cooldown
    set_cooldown(lead, partner_id, until, "fell_back")
    days = duration_text(cfg.follow_up)
    record_event(lead, "fell_back", from_partner_id=partner_id, now=now,
                 reason=f"No follow-up activity for {days}")
    notify(partner_contacts(partner_id, user_id), LEAD_FELL_BACK,
           f"Lead {lead.company_name} fell back to the pool",
           body=(f"No follow-up activity was recorded for {days}, so the lead went back to the "
                 f"pool. Your company can claim it again from {until.strftime('%Y-%m-%d %H:%M UTC')}."),
           link=partner_link(lead.id))
    return 1


def _warn(lead: Lead, now: datetime, warn_cutoff: datetime) -> int:
    if not compare_and_set(lead, {"status": "claimed", "warned_at": None}, {"warned_at": now},
                           Lead.due_at <= warn_cutoff, now=now):
        return 0
    due = lead.due_at
    record_event(lead, "warned", to_partner_id=lead.owner_partner_id, now=now,
                 reason=f"Owner warned: falls back at {due.strftime('%Y-%m-%d %H:%M UTC')}")
    notify(partner_contacts(lead.owner_partner_id, lead.owner_user_id), LEAD_WARNING,
           f"Lead {lead.company_name} falls back to the pool soon",
           body=(f"Record a follow-up activity (call, e-mail, meeting or note) before "
                 f"{due.strftime('%Y-%m-%d %H:%M UTC')}, or the lead goes back to the pool and your "
                 "company cannot claim it again for a while."),
           link=partner_link(lead.id))
    return 1
