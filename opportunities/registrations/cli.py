"""`flask registrations ...`: legacy import, matching a file of companies, the log check, the daily expiry."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from flask.cli import AppGroup

from portal.errors import DomainError
from portal.extensions import db

if TYPE_CHECKING:
    from opportunities.registrations.services.legacy import FileReport

registrations_cli = AppGroup("registrations", help="Deal registrations: import, match, verify-log, expire.")
MAX_LISTED_ERRORS = 200


def _open(path: str):
    """The file as binary lines: the service decodes them, so that a line that is not UTF-8 is named exactly."""
    try:
        return open(path, "rb")
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror}.") from exc


def _report_errors(errors: list[tuple[int, str]]) -> None:
    for line, message in errors[:MAX_LISTED_ERRORS]:
        click.echo(f"line {line}: {message}", err=True)
    if len(errors) > MAX_LISTED_ERRORS:
        click.echo(f"... and {len(errors) - MAX_LISTED_ERRORS} more bad rows", err=True)


def _fail(exc: DomainError) -> NoReturn:
    db.session.rollback()
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


def _nothing_usable(report: FileReport) -> bool:
    """Every row of the file was bad: the whole file is unusable (exit status 1), nothing is written."""
    return report.done == 0 and bool(report.errors)


@registrations_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--partner-id", type=int, help="Partner of rows without a partner_id column value.")
@click.option("--families", default="", help="Product families of rows without a families value (F,...).")
def import_command(file: str, partner_id: int | None, families: str) -> None:
    """Load legacy registrations from FILE.csv (ref,company_name,domain,country,city[,partner_id,families,status,
    submitted_on]); bad rows are reported by line and skipped. Exit status 1 only when the file is unusable
    (unreadable, not CSV text, a required column missing, an unknown --partner-id, or no usable row)."""
    from opportunities.registrations.services.legacy import decoded_lines, import_registrations, tidy_after_import

    start = time.perf_counter()
    with _open(file) as stream:
        try:
            report = import_registrations(decoded_lines(stream), None, partner_id,
                                          [f for f in families.split(",") if f.strip()],
                                          filename=Path(file).name)
        except DomainError as exc:
            _fail(exc)
    _report_errors(report.errors)
    if _nothing_usable(report):
        db.session.rollback()
        raise click.ClickException(f"Nothing imported: none of the {len(report.errors)} row(s) of {file} is usable.")
    db.session.commit()
    tidy_after_import(report.done)
    click.echo(f"Imported {report.done} registration(s) in {time.perf_counter() - start:.1f} s; "
               f"{len(report.errors)} bad row(s) skipped.")


@registrations_cli.command("match")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="CSV to write: ref,matched_ref,opportunity_id,score,reasons (- for standard output).")
def match_command(file: str, out_path: str) -> None:
    """Check the companies of FILE.csv (ref,company_name,domain,country,city[,families]) against every active
    registration and house account; one output row per match. Bad rows are reported by line and skipped; exit
    status 1 only when the file is unusable."""
    from opportunities.registrations.services.legacy import decoded_lines, match_companies

    start = time.perf_counter()
    with _open(file) as stream:
        try:
            handle = sys.stdout if out_path == "-" else open(Path(out_path), "w", newline="", encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"Cannot write {out_path}: {exc.strerror}.") from exc
        try:
            report = match_companies(decoded_lines(stream), handle)
        except DomainError as exc:
            _discard(handle, out_path)
            _fail(exc)
        finally:
            if handle is not sys.stdout:
                handle.close()
    db.session.rollback()  # read only
    _report_errors(report.errors)
    if _nothing_usable(report):
        _discard(None, out_path)
        raise click.ClickException(f"Nothing checked: none of the {len(report.errors)} row(s) of {file} is usable.")
    click.echo(f"Checked {report.done} compan{'y' if report.done == 1 else 'ies'} in "
               f"{time.perf_counter() - start:.1f} s: {report.matches} match(es); "
               f"{len(report.errors)} bad row(s) skipped.", err=out_path == "-")


def _discard(handle: Any, out_path: str) -> None:
    """Remove a half-written output file (an unusable input must not leave a plausible-looking result)."""
    if out_path == "-":
        return
    if handle is not None:
        handle.close()
    Path(out_path).unlink(missing_ok=True)


@registrations_cli.command("verify-log")
def verify_log() -> None:
    """Check the hash chain of the registration event log; report the first broken entry."""
    from opportunities.registrations.services.events import verify_chain

    report = verify_chain()
    if not report.ok:
        raise click.ClickException(
            f"The registration log is broken at entry {report.broken_seq}: {report.problem} "
            f"({report.checked} entries before it check out).")
    click.echo(f"The registration log checks out: {report.checked} entries; head hash {report.head}.")


@registrations_cli.command("expire")
def expire() -> None:
    """Run the daily job now: expire registrations past protection, remind those ending soon."""
    from opportunities.registrations.services.lifecycle import expire_registrations

    run = expire_registrations()
    db.session.commit()
    click.echo(f"Expired {run.expired} registration(s); reminded {run.reminded}.")
