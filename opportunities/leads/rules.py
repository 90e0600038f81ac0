"""Pure lead rules: settings, pool eligibility and the clocks shown on every held lead."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from portal.models import PARTNER_TIERS


@dataclass(frozen=True)
class LeadSettings:
    """The lead clocks (settings LEADS_*)."""

    follow_up: timedelta  # no activity for this long: the lead falls back to the pool
    warning: timedelta  # the owner is warned this long before the fall-back
    cooldown: timedelta  # a lapsing partner may not claim the lead again for this long
    assignment: timedelta  # default time a partner has to accept or decline an assignment


def settings(config: Any = None) -> LeadSettings:
    """The lead settings from the app config (or a mapping)."""
    cfg = config if config is not None else current_app.config
    return LeadSettings(
        follow_up=timedelta(days=float(cfg["LEADS_FOLLOW_UP_DAYS"])),
        warning=timedelta(hours=float(cfg["LEADS_WARNING_HOURS"])),
        cooldown=timedelta(days=float(cfg["LEADS_COOLDOWN_DAYS"])),
        assignment=timedelta(days=float(cfg["LEADS_ASSIGNMENT_DAYS"])),
    )


def tiers_text(tiers: Iterable[str]) -> str:
    """Eligible tiers as stored: ",silver,gold," ("" means every tier)."""
    chosen = [t for t in PARTNER_TIERS if t in set(tiers)]
    return f",{','.join(chosen)}," if chosen else ""


def tiers_list(text: str | None) -> list[str]:
    return [t for t in (text or "").split(",") if t]


def eligible(lead_region: str, lead_tiers: str, partner_region: str, partner_tier: str) -> bool:
    """A pool lead is for the partners of its region and (when set) of its tiers."""
    same_region = lead_region.strip().lower() == (partner_region or "").strip().lower()
    return same_region and (not lead_tiers or f",{partner_tier}," in lead_tiers)


@dataclass(frozen=True)
class Clock:
    """What a lead's owner (or offered partner) must do by when."""

    kind: str  # "follow_up" (owner must record activity) | "answer" (accept or decline)
    due_at: datetime
    remaining: timedelta
    state: str  # "ok" | "warning" | "overdue"

    @property
    def label(self) -> str:
        if self.state == "overdue":
            return "Overdue: falls back at the next check" if self.kind == "follow_up" else \
                "Overdue: goes to the pool at the next check"
        verb = "Falls back in" if self.kind == "follow_up" else "Answer within"
        return f"{verb} {duration_text(self.remaining)}"


def lead_clock(status: str, due_at: datetime | None, now: datetime, cfg: LeadSettings) -> Clock | None:
    """The running clock of a held lead, or None (pool, converted, closed)."""
    if status not in ("claimed", "assigned") or due_at is None:
        return None
    remaining = due_at - now
    state = "overdue" if remaining <= timedelta(0) else "warning" if remaining <= cfg.warning else "ok"
    return Clock("follow_up" if status == "claimed" else "answer", due_at,
                 max(remaining, timedelta(0)), state)


def duration_text(delta: timedelta) -> str:
    """A short human duration: "6 days 4 h", "5 h 12 min", "3 min"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 24 * 60:  # a day or more: to the nearest hour ("7 days" just after an activity)
        days, hours = divmod(round(minutes / 60), 24)
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    hours, mins = divmod(minutes, 60)
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{max(mins, 1)} min"
