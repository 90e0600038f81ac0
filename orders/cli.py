"""`flask --app wsgi orders ...`: the periodic jobs of ordering, by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from orders import payments

orders_cli = AppGroup("orders", help="Orders and card payments.")


@orders_cli.command("retry-refunds")
def retry_refunds() -> None:
    """Send refunds still pending at Stripe (the periodic job does this every 10 minutes)."""
    if not payments.card_enabled():
        raise click.ClickException("STRIPE_SECRET_KEY is not set: card payments are off.")
    done = payments.process_refunds()
    click.echo(f"Sent {done} refund(s); {payments.pending_refunds()} still pending.")
