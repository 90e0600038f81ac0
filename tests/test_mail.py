"""E-mail goes through the outbox and is sent only after the transaction commits."""
from __future__ import annotations

import logging

from portal import outbox
from portal.extensions import db
from portal.models import OutboxEmail
from portal.services import mail


def test_email_is_delivered_after_commit_only(app, two_partners, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    mail.queue_email("x@example.com", "Hello", "invitation", user=two_partners.a_user, inviter=None,
                     link="http://portal.test/invitation/abc", days=7)
    email = db.session.query(OutboxEmail).one()
    assert email.sent_at is None and "Hello" not in caplog.text
    db.session.commit()
    db.session.refresh(email)
    assert email.sent_at is not None and email.attempts == 1
    assert "E-mail to x@example.com: Hello" in caplog.text


def test_rolled_back_email_is_never_sent(app, two_partners, caplog):
    caplog.set_level(logging.INFO, logger="portal.mail")
    mail.queue_email("y@example.com", "Never", "invitation", user=two_partners.a_user, inviter=None,
                     link="x", days=7)
    db.session.rollback()
    db.session.commit()
    assert "Never" not in caplog.text
    assert db.session.query(OutboxEmail).filter_by(recipient="y@example.com").count() == 0


def test_broker_down_leaves_email_in_outbox_and_drain_sends_it(app, two_partners, monkeypatch, caplog):
    from portal import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver_email, "delay", broker_down)
    mail.queue_email("z@example.com", "Later", "invitation", user=two_partners.a_user, inviter=None,
                     link="x", days=7)
    db.session.commit()
    email = db.session.query(OutboxEmail).filter_by(recipient="z@example.com").one()
    assert email.sent_at is None
    monkeypatch.undo()
    assert outbox.drain() == 1
    db.session.refresh(email)
    assert email.sent_at is not None
    assert outbox.drain() == 0


def test_smtp_failure_is_kept_for_retry(app, two_partners):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 1  # nothing listens there
    try:
        mail.queue_email("w@example.com", "Retry", "invitation", user=two_partners.a_user, inviter=None,
                         link="x", days=7)
        db.session.commit()
        email = db.session.query(OutboxEmail).filter_by(recipient="w@example.com").one()
        assert email.sent_at is None and email.last_error and email.attempts == 1
    finally:
        app.config.pop("MAIL_SERVER")
        app.config["MAIL_PORT"] = 25
    assert outbox.drain() == 1
