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

    from opportunities.leads.api import bp as leads_api_bp
    from opportunities.leads.views import bp as leads_bp

    import opportunities.leads.demo  # noqa: F401 - leads in the demo data
    import opportunities.leads.tasks  # noqa: F401 - the fall-back job, for the worker

    app.register_blueprint(leads_api_bp)
    app.register_blueprint(leads_bp)  # also the `flask leads ...` commands

    from orders import quick_views  # noqa: F401 - quick order and addresses on the orders blueprint
    from orders.api import bp as orders_api_bp
    from orders.cli import orders_cli
    from orders.views import bp as orders_bp
    from orders.webhooks import bp as webhooks_bp

    import orders.demo  # noqa: F401 - orders in the demo data
    import orders.tasks  # noqa: F401 - refund retries, for the worker

    for bp in (orders_api_bp, orders_bp, webhooks_bp):
        app.register_blueprint(bp)
    app.cli.add_command(orders_cli)

    from orders.quotes.blueprint import api_bp as quotes_api_bp
    from orders.quotes.blueprint import bp as quotes_bp
    from orders.quotes.cli import quotes_cli

    import orders.quotes.demo  # noqa: F401 - quotes in the demo data
    import orders.quotes.tasks  # noqa: F401 - the daily expiry job, for the worker

    for bp in (quotes_api_bp, quotes_bp):
        app.register_blueprint(bp)
    app.cli.add_command(quotes_cli)

    from opportunities.campaigns.api import bp as campaigns_api_bp
    from opportunities.campaigns.views import bp as campaigns_bp

    import opportunities.campaigns.demo  # noqa: F401 - campaigns and MDF in the demo data (after the catalog)
    import opportunities.campaigns.services.pricing  # noqa: F401 - the campaign price rule for the pricing engine

    for bp in (campaigns_api_bp, campaigns_bp):
        app.register_blueprint(bp)

    from opportunities.api import bp as registrations_api_bp
    from opportunities.cli import registrations_cli
    from opportunities.views import bp as registrations_bp

    import opportunities.demo  # noqa: F401 - registrations with conflicts in the demo data
    import opportunities.services.deals  # noqa: F401 - approved registrations' deal discount for pricing
    import opportunities.services.attribution_results  # noqa: F401 - attributed deals in campaign results
    import opportunities.tasks  # noqa: F401 - the daily expiry job, for the worker

    for bp in (registrations_api_bp, registrations_bp):
        app.register_blueprint(bp)
    app.cli.add_command(registrations_cli)

    from admin.application_api import bp as applications_api_bp
    from admin.impersonation_views import bp as impersonation_bp
    from portal.views import apply

    import portal.demo_onboarding  # noqa: F401 - pending partner applications in the demo data

    for bp in (apply.bp, impersonation_bp, applications_api_bp):
        app.register_blueprint(bp)

    from portal.views import mfa, mfa_login  # noqa: F401 - the log-in's second step on the mfa blueprint

    app.register_blueprint(mfa.bp)  # also `flask mfa reset EMAIL`


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
