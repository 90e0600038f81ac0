"""`flask --app wsgi quotes ...`: the periodic job by hand."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from orders.quotes.services import expire_quotes, warn_expiring
from portal.extensions import db

quotes_cli = AppGroup("quotes", help="Quotes: expiry.")


@quotes_cli.command("expire")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
def expire_command(on: object) -> None:
    """Expire approved quotes past their validity; warn about quotes expiring within 3 days."""
    day: date | None = on.date() if on is not None else None  # type: ignore[attr-defined]
    expired = expire_quotes(day)
    warned = warn_expiring(day)
    db.session.commit()
    click.echo(f"{len(expired)} quote(s) expired: {', '.join(q.number for q in expired) or 'none'}.")
    click.echo(f"{len(warned)} expiry warning(s) sent: {', '.join(q.number for q in warned) or 'none'}.")
