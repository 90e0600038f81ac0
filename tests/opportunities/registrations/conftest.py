"""Fixtures of the deal registration tests; PostgreSQL-only tests skip with a reason on SQLite."""
from __future__ import annotations

import pytest

from tests.conftest import TEST_DB_URL


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres_only") and not TEST_DB_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): concurrency is only meaningful there")
