"""API: authentication, /me, users and tokens."""
from __future__ import annotations

from portal.extensions import db
from portal.models import AuditEntry, OutboxEmail, User
from tests.crosspartner import covers


def test_no_token_bad_token_and_revoked_token_get_401(client, two_partners, api):
    assert client.get("/api/v1/me").status_code == 401
    body = client.get("/api/v1/me", headers={"Authorization": "Bearer prm_nope"}).json
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    a = api(two_partners.a_user)
    assert a.get("/me").status_code == 200
    token_id = a.get("/me/tokens").json["items"][0]["id"]
    assert a.delete(f"/me/tokens/{token_id}").status_code == 200
    assert a.get("/me").status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, two_partners, login):
    login(two_partners.admin)
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_me_for_partner_and_staff(two_partners, api):
    me = api(two_partners.a_admin).get("/me").json
    assert me == {"id": two_partners.a_admin.id, "email": two_partners.a_admin.email,
                  "name": two_partners.a_admin.name, "role": "partner_admin",
                  "partner": {"id": two_partners.a.id, "name": "Alpha Partners"}}
    assert api(two_partners.ops).get("/me").json["partner"] is None


def test_suspended_partner_token_stops_working(two_partners, api):
    a = api(two_partners.a_user)
    two_partners.a.status = "suspended"
    db.session.flush()
    assert a.get("/me").status_code == 401


def test_admin_creates_users_of_every_role(two_partners, api):
    admin = api(two_partners.admin)
    r = admin.post("/users", {"email": "New.Rep@Example.com", "name": "New Rep", "role": "partner_user",
                              "partner_id": two_partners.b.id})
    assert r.status_code == 201, r.json
    assert r.json["email"] == "new.rep@example.com" and r.json["partner_id"] == two_partners.b.id
    invite = db.session.query(OutboxEmail).filter_by(recipient="new.rep@example.com").one()
    assert "/invitation/" in invite.body_text
    r = admin.post("/users", {"email": "ops2@example.com", "name": "Ops", "role": "sales_ops",
                              "password": "long-enough-password"})
    assert r.status_code == 201 and r.json["partner_id"] is None
    assert db.session.query(AuditEntry).filter_by(action="user.create").count() == 2


def test_user_creation_errors(two_partners, api):
    admin = api(two_partners.admin)
    r = admin.post("/users", {"email": "x@example.com", "name": "X"})
    assert r.status_code == 400 and r.json["error"]["fields"]["role"] == "This field is required."
    r = admin.post("/users", {"email": "not-an-email", "name": "X", "role": "admin"})
    assert r.status_code == 422 and "email" in r.json["error"]["fields"]
    r = admin.post("/users", {"email": two_partners.a_user.email.upper(), "name": "X", "role": "admin"})
    assert r.status_code == 422 and "already exists" in r.json["error"]["fields"]["email"]
    r = admin.post("/users", {"email": "y@example.com", "name": "Y", "role": "partner_user"})
    assert r.status_code == 422 and "partner_id" in r.json["error"]["fields"]
    r = admin.post("/users", {"email": "y@example.com", "name": "Y", "role": "wizard"})
    assert r.status_code == 422 and "role" in r.json["error"]["fields"]
    r = admin.post("/users", {"email": "y@example.com", "name": "Y", "role": "admin", "password": "short"})
    assert r.status_code == 422 and "password" in r.json["error"]["fields"]
    r = admin.post("/users", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["error"]["code"] == "malformed_json"
    r = admin.post("/users", [1, 2])
    assert r.status_code == 400
    assert db.session.query(User).filter_by(email="y@example.com").count() == 0


def test_partner_admin_creates_only_its_own_partners_users(two_partners, api):
    pa = api(two_partners.a_admin)
    r = pa.post("/users", {"email": "rep2@alpha.example", "name": "Rep 2", "role": "partner_user"})
    assert r.status_code == 201 and r.json["partner_id"] == two_partners.a.id
    r = pa.post("/users", {"email": "rep3@alpha.example", "name": "Rep 3", "role": "partner_admin",
                           "partner_id": two_partners.a.id})
    assert r.status_code == 201
    r = pa.post("/users", {"email": "rep4@alpha.example", "name": "Rep 4", "role": "partner_user",
                           "partner_id": two_partners.b.id})
    assert r.status_code == 422
    r = pa.post("/users", {"email": "boss@alpha.example", "name": "Boss", "role": "admin"})
    assert r.status_code == 403
    assert db.session.query(User).filter(User.email.in_(["rep4@alpha.example", "boss@alpha.example"])).count() == 0


def test_partner_user_and_staff_roles_cannot_create_users(two_partners, api):
    for user in (two_partners.a_user, two_partners.manager, two_partners.ops):
        r = api(user).post("/users", {"email": "z@example.com", "name": "Z", "role": "partner_user"})
        assert r.status_code == 403, user.role
        assert r.json["error"]["code"] == "forbidden"


@covers("api.get_user", "api.update_user")
def test_users_of_another_partner_are_404_for_a_partner_admin(two_partners, api):
    pa = api(two_partners.a_admin)
    assert pa.get(f"/users/{two_partners.a_user.id}").status_code == 200
    assert pa.get(f"/users/{two_partners.b_user.id}").status_code == 404
    assert pa.get(f"/users/{two_partners.admin.id}").status_code == 404
    assert pa.patch(f"/users/{two_partners.b_user.id}", {"name": "Hacked"}).status_code == 404
    assert two_partners.b_user.name != "Hacked"
    listed = {u["id"] for u in pa.get("/users").json["items"]}
    assert listed == {two_partners.a_admin.id, two_partners.a_user.id}
    r = pa.patch(f"/users/{two_partners.a_user.id}", {"role": "admin"})
    assert r.status_code == 403
    r = pa.patch(f"/users/{two_partners.a_user.id}", {"active": False})
    assert r.status_code == 200 and r.json["active"] is False


@covers("api.issue_user_token", "api.list_user_tokens", "api.revoke_user_token")
def test_admin_issues_lists_and_revokes_user_tokens(client, two_partners, api):
    admin = api(two_partners.admin)
    r = admin.post(f"/users/{two_partners.b_user.id}/tokens", {"name": "ERP"})
    assert r.status_code == 201 and r.json["token"].startswith("prm_")
    token = r.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == two_partners.b_user.email
    listed = admin.get(f"/users/{two_partners.b_user.id}/tokens").json["items"]
    assert [t["name"] for t in listed] == ["ERP"] and "token" not in listed[0]
    assert admin.delete(f"/users/{two_partners.b_user.id}/tokens/{listed[0]['id']}").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Only admins; a token id under another user is not found.
    pa = api(two_partners.a_admin)
    assert pa.post(f"/users/{two_partners.a_user.id}/tokens", {}).status_code == 403
    assert pa.get(f"/users/{two_partners.a_user.id}/tokens").status_code == 403
    assert pa.delete(f"/users/{two_partners.b_user.id}/tokens/1").status_code == 403
    assert admin.delete(f"/users/{two_partners.a_user.id}/tokens/{listed[0]['id']}").status_code == 404
    assert admin.post("/users/999999/tokens", {}).status_code == 404


@covers("api.revoke_my_token")
def test_a_user_cannot_revoke_another_users_token(two_partners, api):
    b = api(two_partners.b_user)
    b_token = b.get("/me/tokens").json["items"][0]["id"]
    a = api(two_partners.a_user)
    assert a.delete(f"/me/tokens/{b_token}").status_code == 404
    assert b.get("/me").status_code == 200
