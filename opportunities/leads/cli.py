"""`flask leads ...`: the periodic fall-back check by hand (with a chosen clock) and statistics."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import Blueprint

from portal.extensions import db


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-05-01T09:00:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def register_commands(bp: Blueprint) -> None:
    """Add the lead commands to the leads blueprint's command group."""

    @bp.cli.command("fall-back")
    @click.option("--now", "now_text", default=None,
                  help="Run as if it were this time (ISO 8601, UTC when no zone); default: now.")
    def fall_back(now_text: str | None) -> None:
        """Return neglected leads and lapsed assignments to the pool; warn owners a day before."""
        from opportunities.leads.services.lapses import run_lapses

        report = run_lapses(_parse_now(now_text))
        db.session.commit()
        click.echo(str(report))

    @bp.cli.command("stats")
    @click.option("--region", default=None, help="Only this region.")
    def stats(region: str | None) -> None:
        """Print the pool statistics per region and partner."""
        from opportunities.leads.services.stats import pool_stats

        result = pool_stats(region=region)
        click.echo(f"{'':<32}{'claimed':>8}{'accepted':>9}{'converted':>10}{'fell back':>10}"
                   f"{'median 1st activity':>21}")
        for title, rows in (("Regions", result.by_region), ("Partners", result.by_partner)):
            click.echo(title)
            for row in rows + ([result.total] if title == "Partners" else []):
                wait = row.median_first_activity
                click.echo(f"  {row.key[:30]:<30}{row.claimed:>8}{row.accepted:>9}{row.converted:>10}"
                           f"{row.fell_back:>10}{(str(wait).split('.')[0] if wait else '-'):>21}")
