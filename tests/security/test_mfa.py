"""Second factor (issue 14, "mfa"): TOTP enrolment with a QR code, ±1 step and no replay,
recovery codes, the log-in's second step with its throttle, mandatory enrolment for staff, turning
off with the password, an administrator's reset (passkeys: test_passkeys.py; races: test_mfa_races.py)."""
from __future__ import annotations

import time
from datetime import timedelta

import pyotp
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEntry, OutboxEmail
from portal.models.mfa import RecoveryCode, SecondFactor
from portal.services import mfa
from tests.crosspartner import covers
from tests.factories import PASSWORD, make_user
from tests.security.mfa_support import ORIGIN, audit_actions, enrol, logged_in, password_step, required  # noqa: F401 - fixture


# --- enrolment -------------------------------------------------------------------------------

def test_enrolment_shows_a_qr_code_and_switches_on_only_after_a_current_code(client, login):
    user = make_user(role="sales_ops")
    login(user)
    assert client.post("/account/second-factor/totp").headers["Location"].endswith("/account/second-factor/totp")
    page = client.get("/account/second-factor/totp").get_data(as_text=True)
    assert "<svg" in page and "<script>" not in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    secret = mfa.pending_totp_secret(user)
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    stored = db.session.get(SecondFactor, user.id).totp_secret
    assert secret not in stored  # encrypted at rest
    assert not mfa.has_second_factor(user)

    wrong = client.post("/account/second-factor/totp/confirm", data={"code": "000000"})
    assert wrong.status_code == 422
    body = wrong.get_data(as_text=True)
    assert "That code is not valid" in body and 'value="000000"' in body and "is-invalid" in body
    assert not mfa.has_second_factor(user)

    done = client.post("/account/second-factor/totp/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = done.get_data(as_text=True).count('<li class="col py-1">')
    assert codes == 10 and mfa.remaining_recovery_codes(user) == 10
    assert mfa.has_totp(user) and "mfa.totp_enabled" in audit_actions(user)
    # never shown again
    assert client.get("/account/second-factor/totp").status_code == 302
    assert secret not in client.get("/account/second-factor").get_data(as_text=True)
    assert client.post("/account/second-factor/totp").status_code == 302  # refused: already on
    assert mfa.has_totp(user)


def test_account_page_has_a_second_factor_card(client, login):
    user = make_user(role="partner_manager")
    login(user)
    page = client.get("/account/").get_data(as_text=True)
    assert 'id="second-factor"' in page and "/account/second-factor" in page and "Set up a second factor" in page
    enrol(user)
    assert "Authenticator app." in client.get("/account/").get_data(as_text=True)


def test_confirm_without_a_pending_set_up_and_bad_input_are_4xx(client, login):
    user = make_user(role="admin")
    login(user)
    assert client.post("/account/second-factor/totp/confirm", data={"code": "123456"}).status_code == 302
    client.post("/account/second-factor/totp")
    assert client.post("/account/second-factor/totp/confirm", data={"code": ""}).status_code == 400
    assert client.post("/account/second-factor/totp/confirm", data={"code": "9" * 5000}).status_code == 400


# --- TOTP rules ------------------------------------------------------------------------------

def test_one_step_of_drift_is_accepted_two_are_not_and_a_code_is_never_accepted_twice():
    user = make_user(role="admin")
    secret, _ = enrol(user)
    totp, now = pyotp.TOTP(secret), utcnow()
    assert not mfa.check_totp(user, totp.at(now - timedelta(seconds=90)), now)
    assert mfa.check_totp(user, totp.at(now + timedelta(seconds=30)), now)  # next step: clock drift
    # the current code belongs to an earlier step than the one just used: refused as a replay
    assert not mfa.check_totp(user, totp.at(now), now)
    later = now + timedelta(seconds=60)
    code = totp.at(later)
    assert mfa.check_totp(user, code, later)
    assert not mfa.check_totp(user, code, later)  # replay within its window


def test_replayed_code_at_log_in_is_refused(client):
    user = make_user(role="partner_user", partner=None)
    secret, _ = enrol(user)
    code = pyotp.TOTP(secret).now()
    password_step(client, user)
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    client.post("/logout")
    password_step(client, user)
    again = client.post("/login/verify", data={"code": code})
    assert again.status_code == 401 and "That code is not valid" in again.get_data(as_text=True)
    assert not logged_in(client)


# --- the second step of log-in ----------------------------------------------------------------

def test_password_alone_does_not_log_in_a_user_with_a_second_factor(client):
    user = make_user(role="admin")
    secret, _ = enrol(user)
    first = password_step(client, user, remember=True, next_url="/account/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/verify")
    assert not logged_in(client)
    assert client.get("/dashboard").status_code == 302  # not logged in yet
    page = client.get("/login/verify")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    done = client.post("/login/verify", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done.headers["Location"] == "/account/"  # `next` kept
    assert logged_in(client)
    assert "remember_token" in done.headers.get("Set-Cookie", "")  # "remember me" kept
    assert client.get("/dashboard").status_code == 200
    assert audit_actions(user)[-1] == "mfa.verified"


def test_user_without_a_second_factor_logs_in_as_before(client):
    user = make_user(role="admin")
    response = password_step(client, user, next_url="/account/")
    assert response.headers["Location"] == "/account/" and logged_in(client)


def test_wrong_codes_fall_back_to_the_password_step(client, app):
    user = make_user(role="admin")
    enrol(user)
    password_step(client, user)
    for attempt in range(app.config["MFA_MAX_TRIES"] - 1):
        response = client.post("/login/verify", data={"code": "000000"})
        assert response.status_code == 401
        assert f"{app.config['MFA_MAX_TRIES'] - attempt - 1} tr" in response.get_data(as_text=True)
    last = client.post("/login/verify", data={"code": "000000"})
    assert last.status_code == 302 and last.headers["Location"].endswith("/login")
    assert client.get("/login/verify").headers["Location"].endswith("/login")  # pending state gone
    assert not logged_in(client)
    assert audit_actions(user).count("mfa.failed") == app.config["MFA_MAX_TRIES"]


def test_wrong_codes_lock_the_second_step_even_with_a_fresh_password_step(client, app):
    user = make_user(role="admin")
    secret, _ = enrol(user)
    for _ in range(app.config["MFA_LOCK_AFTER"]):
        password_step(client, user)
        client.post("/login/verify", data={"code": "000000"})
    password_step(client, user)
    locked = client.post("/login/verify", data={"code": pyotp.TOTP(secret).now()}, follow_redirects=True)
    assert "locked until" in locked.get_data(as_text=True)
    assert not logged_in(client)
    assert "mfa.locked" in audit_actions(user)


def test_the_pending_state_expires(client, app):
    user = make_user(role="admin")
    secret, _ = enrol(user)
    password_step(client, user)
    with client.session_transaction() as session:
        state = session["mfa_pending"]
        state["exp"] = int(time.time()) - 1
        session["mfa_pending"] = state
    response = client.post("/login/verify", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not logged_in(client)


def test_a_password_change_elsewhere_cancels_the_pending_step(client):
    user = make_user(role="admin")
    secret, _ = enrol(user)
    password_step(client, user)
    user.auth_version += 1
    db.session.flush()
    assert client.post("/login/verify", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert not logged_in(client)


def test_verify_without_a_password_step_goes_to_log_in(client):
    assert client.get("/login/verify").headers["Location"].endswith("/login")
    assert client.post("/login/verify", data={"code": "123456"}).status_code == 302
    assert client.post("/login/verify/passkey", json={}).status_code == 401


def test_an_e_mailed_reset_link_does_not_skip_the_second_factor(client):
    from portal.services import auth

    user = make_user(role="admin")
    enrol(user)
    token = auth.create_link(user, "reset")
    response = client.post(f"/password/reset/{token}", data={"password": "a-new-password-1", "confirm": "a-new-password-1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/verify")
    assert not logged_in(client)


# --- recovery codes --------------------------------------------------------------------------

def test_a_recovery_code_works_once_is_audited_and_warns_the_user(client):
    user = make_user(role="admin")
    _, codes = enrol(user)
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
    password_step(client, user)
    response = client.post("/login/verify", data={"code": codes[3].upper()})
    assert response.status_code == 302 and logged_in(client)
    assert "mfa.recovery_code_used" in audit_actions(user)
    assert mfa.remaining_recovery_codes(user) == 9
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == user.email,
                                                       OutboxEmail.subject.contains("recovery code was used")))
    assert mail is not None and "9 left" in mail.body_text and mail.sent_at is not None  # sent after the commit
    assert "recovery code; 9 left" in client.get("/dashboard").get_data(as_text=True)
    client.post("/logout")
    password_step(client, user)
    assert client.post("/login/verify", data={"code": codes[3]}).status_code == 401
    assert not logged_in(client)


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, login):
    user = make_user(role="admin")
    _, old = enrol(user)
    login(user)
    wrong = client.post("/account/second-factor/recovery-codes", data={"password": "nope"})
    assert wrong.status_code == 403 and "not your current password" in wrong.get_data(as_text=True)
    assert mfa.remaining_recovery_codes(user) == 10 and mfa.use_recovery_code(user, old[0])
    response = client.post("/account/second-factor/recovery-codes", data={"password": PASSWORD})
    assert response.status_code == 200 and "shown only once" in response.get_data(as_text=True)
    assert mfa.remaining_recovery_codes(user) == 10
    assert not mfa.use_recovery_code(user, old[1])
    assert "mfa.recovery_codes_regenerated" in audit_actions(user)


# --- switching off, mandatory enrolment, reset -----------------------------------------------

def test_turning_the_app_off_needs_the_password(client, login):
    user = make_user(role="admin")
    enrol(user)
    login(user)
    wrong = client.post("/account/second-factor/totp/disable", data={"password": "wrong-password"})
    assert wrong.status_code == 403 and "not your current password" in wrong.get_data(as_text=True)
    assert mfa.has_totp(user)
    assert client.post("/account/second-factor/totp/disable", data={"password": ""}).status_code == 400
    ok = client.post("/account/second-factor/totp/disable", data={"password": PASSWORD})
    assert ok.status_code == 302 and not mfa.has_totp(user)
    assert mfa.remaining_recovery_codes(user) == 0  # they went with the last factor
    assert "mfa.totp_disabled" in audit_actions(user)


def test_staff_without_a_second_factor_enrol_before_any_other_page(client, login, required, api):
    user = make_user(role="partner_manager")
    login(user)
    for path in ("/dashboard", "/account/", "/admin/partners"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/second-factor"), path
    assert client.get("/account/second-factor").status_code == 200
    assert "requires a second factor" in client.get("/account/second-factor").get_data(as_text=True)
    assert client.get("/dashboard", headers={"Accept": "application/json"}).status_code == 403
    assert api(user).get("/me").status_code == 200  # bearer tokens are unaffected
    client.post("/account/second-factor/totp")
    secret = mfa.pending_totp_secret(user)
    assert client.post("/account/second-factor/totp/confirm", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout").status_code == 302


def test_partner_users_and_an_empty_setting_are_not_forced(client, login, app, two_partners, required):
    login(two_partners.a_user)
    assert client.get("/dashboard").status_code == 200
    app.config["MFA_REQUIRED_ROLES"] = ()
    login(two_partners.admin)
    assert client.get("/dashboard").status_code == 200


def test_a_required_role_cannot_remove_its_last_factor(client, login, required):
    user = make_user(role="sales_ops")
    enrol(user)
    login(user)
    response = client.post("/account/second-factor/totp/disable", data={"password": PASSWORD})
    assert response.status_code == 409 and "requires a second factor" in response.get_data(as_text=True)
    assert mfa.has_totp(user)


@covers("mfa.admin_reset")
def test_an_admin_resets_a_lost_device_and_partner_users_cannot(client, login, two_partners):
    target = two_partners.manager
    enrol(target)
    login(two_partners.a_admin)
    assert client.get(f"/admin/users/{target.id}/second-factor").status_code == 403
    assert client.post(f"/admin/users/{target.id}/second-factor").status_code == 403
    login(two_partners.admin)
    assert client.get(f"/admin/users/{target.id}/second-factor").status_code == 200
    assert client.post(f"/admin/users/{target.id}/second-factor").status_code == 302
    assert not mfa.has_second_factor(target) and mfa.remaining_recovery_codes(target) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mfa.reset"))
    assert entry.actor_id == two_partners.admin.id and entry.object_id == target.id
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == target.email,
                                                       OutboxEmail.subject == "An administrator reset your second factor"))
    assert client.post(f"/admin/users/{target.id}/second-factor").status_code == 409  # nothing left
    enrol(two_partners.admin)
    assert client.post(f"/admin/users/{two_partners.admin.id}/second-factor").status_code == 409  # not oneself
    assert client.get("/admin/users/2147483647/second-factor").status_code == 404


def test_the_command_line_resets_a_second_factor(app):
    user = make_user(role="admin")
    enrol(user)
    result = app.test_cli_runner().invoke(args=["mfa", "reset", user.email])
    assert result.exit_code == 0, result.output
    assert not mfa.has_second_factor(user)
    assert app.test_cli_runner().invoke(args=["mfa", "reset", "nobody@example.com"]).exit_code != 0


def test_the_admin_user_page_links_to_the_second_factor_reset(client, login, two_partners):
    login(two_partners.admin)
    page = client.get(f"/admin/users/{two_partners.a_user.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{two_partners.a_user.id}/second-factor" in page
    own = client.get(f"/admin/users/{two_partners.admin.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{two_partners.admin.id}/second-factor" not in own
