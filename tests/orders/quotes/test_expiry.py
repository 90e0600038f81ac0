"""The daily job: approved quotes past their last valid day expire; partners are warned once,
3 days ahead; the job runs from Celery beat and from the command line."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from orders.quotes import services, tasks
from orders.quotes.models import Quote
from portal.extensions import db
from portal.models import Notification
from tests.orders.quotes.conftest import approved_quote, pending_quote


def warnings_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "quote_expiring")))


def test_quotes_expire_after_their_last_valid_day(world):
    quote = approved_quote(world)
    pending = pending_quote(world)
    last_day = quote.valid_until
    assert services.expire_quotes(last_day) == []
    assert [q.id for q in services.expire_quotes(last_day + timedelta(days=1))] == [quote.id]
    assert quote.status == "expired" and quote.events[-1].action == "expired"
    assert pending.status == "pending_approval"
    assert services.expire_quotes(last_day + timedelta(days=2)) == []  # runs twice: nothing more


def test_the_partner_is_warned_once_three_days_ahead(world):
    quote = approved_quote(world)
    last_day = quote.valid_until
    assert services.warn_expiring(last_day - timedelta(days=4)) == []
    assert [q.id for q in services.warn_expiring(last_day - timedelta(days=3))] == [quote.id]
    (note,) = warnings_for(world.p.a_user)
    assert note.title == f"Quote {quote.number} expires in 3 days" and note.link == f"/quotes/{quote.id}"
    assert last_day.isoformat() in note.body
    assert services.warn_expiring(last_day - timedelta(days=2)) == []  # once per approval
    assert len(warnings_for(world.p.a_user)) == 1


def test_a_new_approval_is_warned_again(world):
    quote = approved_quote(world)
    services.warn_expiring(quote.valid_until)
    services.update_quote(world.p.a, world.p.a_user, quote.id, services.QuoteInput(title="New"))
    later = date.today() + timedelta(days=10)
    quote = services.submit_quote(world.p.a, world.p.a_user, quote.id, on=later)
    assert quote.expiry_warned_for is None and quote.valid_until == later + timedelta(days=30)
    assert len(services.warn_expiring(quote.valid_until - timedelta(days=1))) == 1


def test_the_celery_task_and_the_cli(world, app):
    quote = approved_quote(world)
    old = approved_quote(world)
    old.valid_until = old.current.valid_until = date.today() - timedelta(days=1)
    soon = approved_quote(world)
    soon.valid_until = soon.current.valid_until = date.today() + timedelta(days=1)
    db.session.flush()
    assert tasks.expire.apply().get() == "1 expired, 1 warned"  # in its own app context and session
    db.session.expire_all()
    assert (db.session.get(Quote, old.id).status, db.session.get(Quote, quote.id).status) == ("expired", "approved")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quotes", "expire", "--date", (quote.valid_until + timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert f"2 quote(s) expired: {quote.number}, {soon.number}." in result.output
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == "expired"
    result = runner.invoke(args=["quotes", "expire", "--date", "not-a-date"])
    assert result.exit_code != 0 and "not-a-date" in result.output


def test_the_job_is_scheduled_daily(app):
    entry = app.config["CELERY_BEAT_SCHEDULE"]["quotes-expire"]
    assert entry == {"task": "quotes.expire", "schedule": 86400.0}
    assert "quotes.expire" in app.extensions["celery"].tasks
