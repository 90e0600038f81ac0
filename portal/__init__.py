"""The partner portal: `create_app` builds the Flask application from `register_*` steps."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; keys in `config` override the environment and the defaults."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_templating(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    from portal.config import load_config

    app.config.update(load_config(app.instance_path, dict(config or {})))


def register_extensions(app: Flask) -> None:
    from portal import auth_setup
    from portal.celery import celery_init_app
    from portal.extensions import bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    auth_setup.configure_engine_events(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    bootstrap.init_app(app)
    auth_setup.init_login(app)
    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    from admin.views import bp as admin_bp
    from catalog.api import bp as catalog_api_bp
    from catalog.views import bp as catalog_bp
    from portal.api import bp as api_bp
    from portal.views import account, auth, dashboard, docs, notifications, team

    import catalog.demo  # noqa: F401 - adds the catalog to the demo data
    import catalog.tasks  # noqa: F401 - every feature's Celery tasks, for the worker
    import portal.tasks  # noqa: F401

    for bp in (auth.bp, dashboard.bp, account.bp, notifications.bp, team.bp, docs.bp, admin_bp, api_bp,
               catalog_api_bp,
               catalog_bp):
        app.register_blueprint(bp)


def register_errors(app: Flask) -> None:
    from portal.errors import register_error_handlers

    register_error_handlers(app)


def register_templating(app: Flask) -> None:
    from portal import templating

    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from portal import cli

    cli.init_app(app)
