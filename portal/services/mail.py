"""E-mail through the outbox: queued in the request's transaction, sent by a job after commit.

If the broker is down when the request commits, the row stays unsent and `portal.outbox.drain`
(a periodic job, also `flask --app wsgi mail drain`) sends it later. The sending jobs, which
commit each e-mail in its own transaction, are `portal/outbox.py`; this service only queues.

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

from portal.db import after_commit
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


def send(email: OutboxEmail) -> None:
    """Hand one e-mail to SMTP (or the log without `MAIL_SERVER`); raises when SMTP fails."""
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
