"""Command line: one group per feature; commands call services and commit."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.errors import DomainError
from portal.extensions import db

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters.")
@click.option("--name", default="Administrator", show_default=True)
def create_admin(email: str, password: str, name: str) -> None:
    """Create an administrator."""
    from portal.services import users

    try:
        user = users.create_user(None, {"email": email, "name": name, "role": "admin",
                                        "password": password})
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Created admin {user.email} (id {user.id}).")


@tokens_cli.command("issue")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def issue(email: str, name: str) -> None:
    """Print a new API token for EMAIL (on the last line)."""
    from portal.services import auth, tokens

    user = auth.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    _, raw = tokens.issue_token(None, user, name)
    db.session.commit()
    click.echo(f"Token for {user.email} ({user.role}); it is shown only once:")
    click.echo(raw)


@tokens_cli.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke(email: str, token_id: int) -> None:
    """Revoke one of EMAIL's tokens."""
    from portal.services import auth, tokens

    user = auth.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    try:
        tokens.revoke_token(None, user, token_id)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Revoked token {token_id} of {user.email}.")


@mail_cli.command("drain")
def drain() -> None:
    """Send e-mails still waiting in the outbox."""
    from portal import outbox

    click.echo(f"Sent {outbox.drain()} e-mail(s).")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo data and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create or migrate the database, load demo data, and serve the portal."""
    from flask import current_app
    from flask_migrate import upgrade

    from portal import demo as demo_data

    upgrade()
    created = demo_data.load()
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo(demo_data.logins_text())
    if no_serve:
        return
    app = current_app._get_current_object()
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False,
                      PORTAL_BASE_URL=f"http://{host}:{port}")
    app.config["MFA_REQUIRED_ROLES"] = ()  # the demo: a second factor is optional (README "Demo log-ins")
    click.echo(f"\nThe portal runs at http://{host}:{port}/  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


def init_app(app: Flask) -> None:
    for command in (users_cli, tokens_cli, mail_cli, demo):
        app.cli.add_command(command)
