"""Schemathesis over every operation of `/api/v1/openapi.json`, as a partner admin and as an admin,
against a throwaway PostgreSQL database built by the migrations and loaded with the demo data:
no server error, and every response matches the status codes, content type and schema described.

A bounded run with a fixed seed (CI); `SCHEMATHESIS_EXAMPLES=30` runs the audit's bigger one
(docs/security.md, "The JSON API").
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from portal import demo
from portal.extensions import db
from portal.models import User
from portal.services import tokens
from tests.orders.committed import make_app, restore_celery

TEST_DB_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_PG = TEST_DB_URL.startswith("postgresql")
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261207"))
USERS = {"partner": "admin@northwind.example", "admin": "admin@example.com"}
# Every check schemathesis has that fits a single request and response; the stateful ones
# (use_after_free, ensure_resource_availability) need links the description does not declare.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "missing_required_header",
          "ignored_auth", "unsupported_method", "allow_header_conformance",
          "negative_data_rejection", "positive_data_acceptance")
# negative_data_rejection: a request the description forbids is refused (4xx);
# positive_data_acceptance: a request it allows is not refused as malformed (a 422 for a business
# rule, a 404 for an id that is not there, are answers, see the expected statuses below).
OFF = ("use_after_free", "ensure_resource_availability", "object_level_authorization")

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(not IS_PG, reason="schemathesis mutates data through real commits: "
                                                   "it runs on a throwaway PostgreSQL database; set TEST_DATABASE_URL")]


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def _recreate(name: str, url: str) -> None:
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _drop(name: str, url: str) -> None:
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def fuzz_app(app: Flask) -> Iterator[tuple[Flask, dict[str, str]]]:
    """A second app on its own database: migrated, the demo data loaded, a token per user."""
    from flask_migrate import upgrade

    base = make_url(TEST_DB_URL)
    name = f"{base.database}_schemathesis"
    url = base.set(database=name).render_as_string(hide_password=False)
    _recreate(name, url)
    # Request limits are off here: thousands of requests from one address are the point of the
    # run (the limits have their own tests); PROPAGATE_EXCEPTIONS off so a crash is a 500 the
    # checks see and report with a curl command, as a client would.
    other = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={}, RATELIMIT_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    with other.app_context():
        upgrade()
        demo.load()
        raw = {}
        for who, email in USERS.items():
            user = db.session.scalars(select(User).where(User.email == email)).one()
            raw[who] = tokens.issue_token(None, user, "schemathesis")[1]
        db.session.commit()
    try:
        yield other, raw
    finally:
        restore_celery(app)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        _drop(name, url)


def _load_schema(other: Flask):
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        # The API refuses NUL in any text with a 400 (PostgreSQL cannot store it; see
        # docs/security.md, "Hostile input"); generating it would only test that one guard.
        "generation": {"allow-x00": False,
                       # Unknown query parameters are ignored, as most APIs do (clients may send
                       # newer filters); the token is sent by the test, not generated.
                       "allow-extra-parameters": False, "with-security-parameters": False},
        "checks": {
            **{name: {"enabled": name in CHECKS} for name in (*CHECKS, *OFF)},
            # 422 is the contract's answer to a well-formed body that breaks a business rule
            # (an unknown SKU, a credit limit): no schema can say which SKUs exist.
            "positive_data_acceptance": {"enabled": "positive_data_acceptance" in CHECKS, "expected-statuses": [
                "2xx", "3xx", "401", "403", "404", "409", "422"]},
        },
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", other, config=config)


def _run_operation(operation, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    """`EXAMPLES` cases of one operation (fixed seed, no shrinking); the failures found."""
    failures: list[str] = []

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        try:
            case.call_and_validate(headers=headers)
        except FailureGroup as exc:  # the checks that failed, with a curl command to reproduce
            failures.append(f"[{mode.value}] {case.method} {case.formatted_path}: {str(exc).strip()[:1500]}")
        except Exception as exc:  # an exception in the app (TESTING propagates it): a 500 in production
            failures.append(f"[{mode.value}] {case.method} {case.formatted_path} query={case.query!r} "
                            f"body={case.body!r}: {type(exc).__name__}: {str(exc)[:600]}")

    try:
        run()
    except Unsatisfiable:
        # No invalid request can be built for an operation without parameters or body.
        if mode is not GenerationMode.NEGATIVE:
            raise
    return failures


@pytest.mark.parametrize("who", sorted(USERS))
def test_every_operation_answers_without_error_and_as_described(fuzz_app, who: str):
    other, raw = fuzz_app
    api_schema = _load_schema(other)
    headers = {"Authorization": f"Bearer {raw[who]}"}
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            found = _run_operation(operation, mode, headers)
            failures.extend(found[:2])  # two per operation and mode are enough to read
    assert operations >= 60
    assert not failures, f"{len(failures)} failing cases as {who}:\n" + "\n\n".join(failures)
