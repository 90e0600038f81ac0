"""A staff user sets up an authenticator app from the account page (QR code, a wrong code, then a
right one, recovery codes), logs out, and logs in again through the second step. Screenshots."""
from __future__ import annotations

import time

import pyotp
import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser
USER = "ops@example.com"  # no other journey logs in as Olga Ops: enrolling her changes nothing else


def test_enrol_an_authenticator_app_and_log_in_with_a_code(page):
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page, USER)
    page.goto("/account/")
    card = page.locator("#second-factor")
    assert card.get_by_test_id("mfa-status").inner_text() == "Off"
    card.get_by_role("link", name="Set up a second factor").click()
    page.wait_for_url("**/account/second-factor")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url("**/account/second-factor/totp")
    assert page.get_by_test_id("totp-qr").locator("svg").is_visible()
    shot(page, "mfa-enrol")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")

    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Confirm and turn on").click()
    assert page.get_by_text("That code is not valid").is_visible()
    assert page.get_by_label("Code from the app").input_value() == "000000"
    assert page.get_by_test_id("totp-qr").locator("svg").is_visible()  # still on the set-up page

    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and turn on").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    assert codes.count() == 10
    shot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    assert page.get_by_test_id("totp-status").inner_text() == "On"
    assert secret not in page.content()

    # the user menu's log-out form (its dropdown depends on the width; the form is the same)
    page.locator("form[action$='/logout']").first.evaluate("form => form.requestSubmit()")
    page.wait_for_url("**/login")

    page.get_by_label("E-mail").fill(USER)
    page.get_by_label("Password").fill("portal-demo-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/verify")
    assert page.get_by_text(f"Logging in as {USER}").is_visible()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill("123456")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("That code is not valid").is_visible()
    shot(page, "mfa-verify")
    # the code of the next 30-second step (one step of drift is accepted; the current one was used)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard")
    assert refused == [], refused
