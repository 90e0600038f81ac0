"""The command line: create-admin, tokens issue / revoke, mail drain, demo data."""
from __future__ import annotations

from portal import demo
from portal.extensions import db
from portal.models import Partner, User


def test_create_admin_and_issue_a_token(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "boss@example.com", "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="boss@example.com").one()
    assert user.role == "admin" and user.password_hash
    result = runner.invoke(args=["tokens", "issue", "boss@example.com"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["role"] == "admin"


def test_cli_errors_are_clear(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "bad", "--password", "a-strong-password"])
    assert result.exit_code != 0 and "email" in result.output
    result = runner.invoke(args=["users", "create-admin", "x@example.com", "--password", "short"])
    assert result.exit_code != 0 and "10 characters" in result.output
    result = runner.invoke(args=["tokens", "issue", "nobody@example.com"])
    assert result.exit_code != 0 and "No user" in result.output


def test_tokens_revoke(app, client, two_partners):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["tokens", "issue", two_partners.a_user.email]).output.strip().splitlines()[-1]
    token_id = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"}).json["items"][0]["id"]
    result = runner.invoke(args=["tokens", "revoke", two_partners.a_user.email, str(token_id)])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_demo_data_covers_every_role_and_logs_in(app, client):
    assert demo.load() is True
    assert demo.load() is False  # idempotent
    roles = {u.role for u in db.session.query(User)}
    assert roles == {"admin", "partner_manager", "sales_ops", "partner_admin", "partner_user"}
    assert {p.tier for p in db.session.query(Partner)} == {"registered", "silver", "gold", "platinum"}
    assert db.session.query(Partner).filter_by(status="suspended").count() == 1
    text = demo.logins_text()
    for email, _, _ in demo.STAFF:
        assert email in text
    r = client.post("/login", data={"email": "rep@northwind.example", "password": demo.PASSWORD})
    assert r.status_code == 302
    client.post("/logout")
    r = client.post("/login", data={"email": "admin@fabrikam.example", "password": demo.PASSWORD})
    assert r.status_code == 403 and b"suspended" in r.data


def test_mail_drain_command(app):
    result = app.test_cli_runner().invoke(args=["mail", "drain"])
    assert result.exit_code == 0 and "Sent 0" in result.output
