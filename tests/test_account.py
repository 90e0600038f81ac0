"""The user's own account: password change and API tokens in the UI."""
from __future__ import annotations

import re

from portal.extensions import db
from portal.models import ApiToken
from tests.crosspartner import covers
from tests.factories import PASSWORD


def test_create_use_and_revoke_a_token_in_the_ui(client, two_partners, login):
    login(two_partners.a_user)
    r = client.post("/account/tokens", data={"tok-name": "CRM sync"})
    assert r.status_code == 201
    raw = re.search(rb'data-testid="new-token">(prm_[^<]+)<', r.data).group(1).decode()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token = db.session.query(ApiToken).filter_by(user_id=two_partners.a_user.id).one()
    assert token.token_hash != raw and raw not in client.get("/account/").data.decode()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_token_name_is_required(client, two_partners, login):
    login(two_partners.a_user)
    r = client.post("/account/tokens", data={"tok-name": ""})
    assert r.status_code == 400 and b"This field is required." in r.data


@covers("account.revoke_token")
def test_cannot_revoke_another_users_token(client, two_partners, login, api):
    b = api(two_partners.b_user)
    token_id = b.get("/me/tokens").json["items"][0]["id"]
    login(two_partners.a_admin)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert b.get("/me").status_code == 200


def test_change_password(client, two_partners, login):
    login(two_partners.a_user)
    r = client.post("/account/password", data={"pw-current": "wrong", "pw-password": "new-password-123",
                                               "pw-confirm": "new-password-123"})
    assert r.status_code == 400 and b"not your current password" in r.data
    r = client.post("/account/password", data={"pw-current": PASSWORD, "pw-password": "new-password-123",
                                               "pw-confirm": "new-password-123"})
    assert r.status_code == 302
    assert client.get("/account/").status_code == 200  # this session follows the change
    client.post("/logout")
    assert client.post("/login", data={"email": two_partners.a_user.email,
                                       "password": "new-password-123"}).status_code == 302
