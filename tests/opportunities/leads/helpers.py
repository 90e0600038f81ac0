"""Building leads for tests."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from opportunities.leads.models import Lead
from opportunities.leads.services import distribution

_seq = itertools.count(1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def lead_data(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    data: dict[str, Any] = {
        "company": {"name": f"Prospect {n} GmbH", "domain": f"prospect{n}.example", "country": "DE",
                    "city": "Berlin"},
        "contact": {"name": "Erika Muster", "email": f"erika@prospect{n}.example"},
        "families": ["hardware"], "region": "EMEA",
    }
    data.update(overrides)
    return data


def make_lead(actor: Any, now: datetime | None = None, **overrides: Any) -> Lead:
    return distribution.create_lead(actor, lead_data(**overrides), now=now)
