"""Passkeys (WebAuthn) as the second step: registration, sign-in, forged and replayed assertions."""
from __future__ import annotations


from sqlalchemy import select

from portal.extensions import db
from portal.models.mfa import Passkey
from portal.services import mfa
from tests.crosspartner import covers
from tests.factories import PASSWORD, make_user
from tests.security.soft_authenticator import SoftAuthenticator
from tests.security.mfa_support import ORIGIN, audit_actions, enrol, logged_in, password_step, required  # noqa: F401 - fixture


# --- passkeys --------------------------------------------------------------------------------

def register_passkey(client, authenticator, name="Laptop"):
    options = client.post("/account/second-factor/passkeys/options").get_json()
    return client.post("/account/second-factor/passkeys",
                       json={"credential": authenticator.create(options), "name": name})


def test_register_a_passkey_and_use_it_as_the_second_step(client, login):
    user = make_user(role="admin")
    login(user)
    key = SoftAuthenticator("portal.test", ORIGIN)
    options = client.post("/account/second-factor/passkeys/options").get_json()
    assert options["rp"]["id"] == "portal.test" and options["attestation"] == "none"
    response = client.post("/account/second-factor/passkeys",
                           json={"credential": key.create(options), "name": "Laptop"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["redirect"].endswith("/account/second-factor/recovery-codes")
    assert client.get("/account/second-factor/recovery-codes").get_data(as_text=True).count('<li class="col py-1">') == 10
    assert mfa.has_second_factor(user) and "mfa.passkey_added" in audit_actions(user)
    client.post("/logout")

    assert password_step(client, user, next_url="/account/").headers["Location"].endswith("/login/verify")
    assert "Use a passkey" in client.get("/login/verify").get_data(as_text=True)
    request_options = client.post("/login/verify/passkey/options").get_json()
    assert [c["id"] for c in request_options["allowCredentials"]] == [db.session.scalar(select(Passkey.credential_id))]
    done = client.post("/login/verify/passkey", json={"credential": key.get(request_options)})
    assert done.status_code == 200 and done.get_json()["redirect"] == "/account/"
    assert logged_in(client)
    assert db.session.scalar(select(Passkey.sign_count)) == 1


def test_a_forged_or_replayed_passkey_assertion_is_refused(client, login):
    user = make_user(role="admin")
    login(user)
    key = SoftAuthenticator("portal.test", ORIGIN)
    assert register_passkey(client, key).status_code == 201
    client.post("/logout")
    password_step(client, user)
    options = client.post("/login/verify/passkey/options").get_json()
    wrong_origin = client.post("/login/verify/passkey", json={"credential": key.get(options, origin="http://evil.test")})
    assert wrong_origin.status_code == 401 and not logged_in(client)
    # the challenge was used up by that attempt
    assert client.post("/login/verify/passkey", json={"credential": key.get(options)}).status_code == 409
    options = client.post("/login/verify/passkey/options").get_json()
    assert client.post("/login/verify/passkey", json={"credential": key.get(options, count=5)}).status_code == 200
    client.post("/logout")
    password_step(client, user)
    options = client.post("/login/verify/passkey/options").get_json()
    cloned = client.post("/login/verify/passkey", json={"credential": key.get(options, count=3)})  # counter went back
    assert cloned.status_code == 401 and not logged_in(client)
    other = SoftAuthenticator("portal.test", ORIGIN)
    options = client.post("/login/verify/passkey/options").get_json()
    assert client.post("/login/verify/passkey", json={"credential": other.get(options)}).status_code == 401
    assert client.post("/login/verify/passkey", data="not json").status_code == 400


def test_passkey_registration_refuses_bad_input(client, login):
    login(make_user(role="admin"))
    assert client.post("/account/second-factor/passkeys", json={"credential": {}}).status_code == 409  # no challenge
    options = client.post("/account/second-factor/passkeys/options").get_json()
    key = SoftAuthenticator("portal.test", ORIGIN)
    bad = client.post("/account/second-factor/passkeys", json={"credential": key.create(options, origin="http://evil.test")})
    assert bad.status_code == 422 and "could not be registered" in bad.get_json()["error"]["message"]
    assert client.post("/account/second-factor/passkeys", data="[1, 2").status_code == 400
    options = client.post("/account/second-factor/passkeys/options").get_json()
    long_name = client.post("/account/second-factor/passkeys", json={"credential": key.create(options), "name": "x" * 101})
    assert long_name.status_code == 422
    assert db.session.scalar(select(Passkey.id)) is None


@covers("mfa.passkey_remove")
def test_removing_a_passkey_needs_the_password_and_only_works_on_ones_own(client, login, two_partners):
    owner, other = two_partners.a_user, two_partners.b_user
    login(owner)
    assert register_passkey(client, SoftAuthenticator("portal.test", ORIGIN)).status_code == 201
    passkey_id = db.session.scalar(select(Passkey.id).where(Passkey.user_id == owner.id))
    login(other)
    assert client.post(f"/account/second-factor/passkeys/{passkey_id}/remove", data={"password": PASSWORD}).status_code == 404
    login(owner)
    assert client.post(f"/account/second-factor/passkeys/{passkey_id}/remove", data={"password": "nope"}).status_code == 403
    assert client.post(f"/account/second-factor/passkeys/{passkey_id}/remove", data={"password": PASSWORD}).status_code == 302
    assert db.session.get(Passkey, passkey_id) is None and not mfa.has_second_factor(owner)


def test_at_an_ip_address_the_page_says_why_passkeys_cannot_work(app, client, login, monkeypatch):
    user = make_user(role="admin")
    login(user)
    page = client.get("/account/second-factor").data.decode()
    assert 'id="passkey-add"' in page and "passkeys-unavailable" not in page
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "http://127.0.0.1:5000")
    page = client.get("/account/second-factor").data.decode()
    assert 'data-testid="passkeys-unavailable"' in page and 'id="passkey-add"' not in page
    assert "Set PORTAL_BASE_URL to a name (for the demo: http://localhost:5000)" in page
