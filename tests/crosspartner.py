"""Registry of cross-partner tests: every id-taking portal or API endpoint must name one.

Decorate the test that proves another partner's object is a 404 (or, for staff-only endpoints,
that a partner user is refused) with `@covers("blueprint.endpoint", ...)`. The meta-test in
tests/test_tenancy.py walks the URL map and fails on any id-taking endpoint nobody covers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)
COVERED: dict[str, list[str]] = {}


def covers(*endpoints: str) -> Callable[[F], F]:
    def mark(test: F) -> F:
        for endpoint in endpoints:
            COVERED.setdefault(endpoint, []).append(f"{test.__module__}.{test.__name__}")
        return test

    return mark
