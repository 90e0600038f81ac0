"""The partner portal: `create_app` builds the Flask application from `register_*` steps."""
from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
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
    register_converters(app)
    register_blueprints(app)
    register_limits(app)
    register_errors(app)
    register_templating(app)
    register_cli(app)
    register_security_headers(app)
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


def register_converters(app: Flask) -> None:
    from portal import converters

    converters.init_app(app)  # before any blueprint: its rules use `<id:...>`


# The feature packages, in the order their `init_app` runs: each registers its blueprints, CLI,
# tasks, navigation, panels, demo data and the extension points it provides
# (`portal.extension_points`). The core imports none of them: `FEATURES` names them.
FEATURES = ("catalog", "opportunities.leads", "orders", "orders.quotes", "opportunities.campaigns",
            "opportunities.registrations", "admin")


def register_blueprints(app: Flask) -> None:
    import portal.tasks  # noqa: F401 - the core's Celery tasks, for the worker
    from portal import demo_onboarding, extension_points, templating
    from portal.api import bp as api_bp
    from portal.services import onboarding
    from portal.views import (  # noqa: F401 - mfa_login: the log-in's second step on the mfa blueprint
        account,
        apply,
        auth,
        dashboard,
        docs,
        mfa,
        mfa_login,
        notifications,
        team,
    )

    extension_points.init_app(app).add_nav(*templating.CORE_NAV)
    for bp in (auth.bp, dashboard.bp, account.bp, notifications.bp, team.bp, docs.bp, api_bp, apply.bp, mfa.bp):
        app.register_blueprint(bp)  # mfa: also `flask mfa reset EMAIL`
    demo_onboarding.init_app(app)
    extension_points.registry(app).add_kinds(*onboarding.NOTIFICATION_KINDS)
    for name in app.config.get("FEATURES", FEATURES):
        import_module(name).init_app(app)


def register_limits(app: Flask) -> None:
    from portal import limits

    limits.init_app(app)  # after the blueprints: it wraps the limited endpoints


def register_errors(app: Flask) -> None:
    from portal.errors import register_error_handlers

    register_error_handlers(app)


def register_templating(app: Flask) -> None:
    from portal import templating

    templating.init_app(app)


def register_security_headers(app: Flask) -> None:
    from portal import security_headers

    security_headers.init_app(app)


def register_cli(app: Flask) -> None:
    from portal import cli

    cli.init_app(app)
