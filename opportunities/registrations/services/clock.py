"""The date the registration rules run on: one function, so tests (and a demo) can move the clock."""
from __future__ import annotations

from datetime import date


def today() -> date:
    """The server's date."""
    return date.today()
