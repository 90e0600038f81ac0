"""Migrations: an empty database upgrades to head, and the models match the migrations."""
from __future__ import annotations

import os
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal.extensions import db

TEST_ONLY_TABLES = ("test_",)  # tables that tests declare for themselves


def _fresh_database(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        name = f"portal_mig_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return create_engine(make_url(base).set(drivername="postgresql+psycopg", database=name)), admin, name
    return create_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}"), None, None


def _diffs(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, db.metadata)
    flat = []
    for diff in diffs:
        for item in diff if isinstance(diff, list) else [diff]:
            obj = item[1] if len(item) > 1 else None
            table = getattr(obj, "name", "") if item[0].endswith("_table") else getattr(
                getattr(obj, "table", None), "name", "")
            if not str(table).startswith(TEST_ONLY_TABLES):
                flat.append(item)
    return flat


def test_upgrade_from_empty_to_head_matches_the_models(app, tmp_path):
    engine, admin, name = _fresh_database(tmp_path)
    engines = db.engines
    saved = engines[None]
    engines[None] = engine
    try:
        upgrade(revision="heads")
        tables = set(inspect(engine).get_table_names())
        assert {"partners", "users", "api_tokens", "auth_links", "audit_log", "outbox_emails",
                "alembic_version"} <= tables
        assert _diffs(engine) == []
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engines[None] = saved
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def test_the_migrations_form_one_line(app):
    """`flask --app wsgi db upgrade` (to "head") needs exactly one head."""
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
