"""E-mail through the outbox: queued in the request's transaction, sent by a job after commit.

If the broker is down when the request commits, the row stays unsent and `drain_outbox` (a
periodic job, also `flask --app wsgi mail drain`) sends it later.

Without `MAIL_SERVER` (the demo, a newcomer's machine) an e-mail is "sent" to the log: an INFO
line of the `portal.mail` logger, which is always at INFO and reaches the console even when
nothing configured logging (or a migration's `alembic.ini` set the root logger to WARN).
"""
from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from portal.db import after_commit, utcnow
from portal.extensions import db
from portal.models import OutboxEmail

log = logging.getLogger("portal.mail")
log.setLevel(logging.INFO)  # e-mails sent to the log are INFO lines: never hidden by a WARN root
MAX_ATTEMPTS = 8


def queue_email(recipient: str, subject: str, template: str, **context: Any) -> OutboxEmail:
    """Render `templates/email/<template>.txt` (and `.html` if present) into the outbox."""
    context.setdefault("portal_name", current_app.config["PORTAL_NAME"])
    context.setdefault("base_url", current_app.config["PORTAL_BASE_URL"].rstrip("/"))
    body_text = render_template(f"email/{template}.txt", **context)
    try:
        body_html = render_template(f"email/{template}.html", **context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        body_html = None
    email = OutboxEmail(recipient=recipient, subject=subject, body_text=body_text, body_html=body_html)
    db.session.add(email)
    db.session.flush()
    email_id = email.id
    after_commit(lambda: _dispatch(email_id))
    return email


DELIVER_TASK = "portal.deliver_email"  # portal/tasks.py, registered with the app's Celery


def _dispatch(email_id: int) -> None:
    """Queue the delivery job by name: `portal.tasks` imports this module, not the other way."""
    try:
        current_app.extensions["celery"].tasks[DELIVER_TASK].delay(email_id)
    except Exception:  # noqa: BLE001 - broker down: the outbox drain sends it later
        log.warning("broker unavailable; e-mail %s stays in the outbox", email_id)


def deliver(email_id: int) -> bool:
    """Send one outbox e-mail if it is still unsent; commits its own transaction (a job)."""
    stmt = select(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.sent_at.is_(None))
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    email = db.session.scalars(stmt).first()
    if email is None:
        db.session.rollback()
        return False
    email.attempts += 1
    try:
        _send(email)
    except Exception as exc:  # noqa: BLE001 - kept for a later retry
        email.last_error = str(exc)[:2000]
        db.session.commit()
        log.warning("sending e-mail %s failed: %s", email_id, exc)
        return False
    email.sent_at = utcnow()
    email.last_error = None
    db.session.commit()
    return True


def drain_outbox(limit: int = 500) -> int:
    """Send what is still unsent (broker was down, SMTP failed); returns how many were sent."""
    ids = db.session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.sent_at.is_(None),
                                     OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id).limit(limit)
    ).all()
    db.session.rollback()
    return sum(1 for email_id in ids if deliver(email_id))


def _send(email: OutboxEmail) -> None:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        _log_email(email)
        return
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = email.recipient
    msg["Subject"] = email.subject
    msg.set_content(email.body_text)
    if email.body_html:
        msg.add_alternative(email.body_html, subtype="html")
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=15) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def _log_email(email: OutboxEmail) -> None:
    """Write the e-mail to the log (no MAIL_SERVER): on the console if no handler would show it."""
    if not log.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s [%(name)s] %(message)s"))
        log.addHandler(handler)
    log.info("E-mail to %s: %s\n%s", email.recipient, email.subject, email.body_text)
