"""Tenancy: the safety net, and the rule that every id-taking route has a cross-partner test."""
from __future__ import annotations

import importlib
import pkgutil
import re

from flask import g
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

import tests
from portal.db import TenantMixin, get_for_partner_or_404
from portal.extensions import db
from portal.staff import is_staff_endpoint
from portal.tenancy import activate_tenant_scope, unscoped
from tests.crosspartner import COVERED, covers

ID_ARG = re.compile(r"<(?:int|id):\w+>")
# Endpoints outside the partner portal and API; staff blueprints (`portal.staff.staff_blueprint`,
# every feature's staff pages and admin/) are staff-only as a whole: tested below for every one of
# their id routes.
EXEMPT_PREFIXES = ("static", "bootstrap.")


def _import_all_tests() -> None:
    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        importlib.import_module(info.name)


def test_every_id_taking_route_has_a_cross_partner_test(app):
    _import_all_tests()
    missing = sorted({
        rule.endpoint for rule in app.url_map.iter_rules()
        if ID_ARG.search(rule.rule) and not rule.endpoint.startswith(EXEMPT_PREFIXES)
        and not is_staff_endpoint(app, rule.endpoint) and rule.endpoint not in COVERED
    })
    assert not missing, f"id-taking endpoints without a cross-partner test: {missing}"


def test_every_staff_route_refuses_partner_users(app, client, two_partners, login):
    login(two_partners.a_admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not is_staff_endpoint(app, rule.endpoint):
            continue
        assert rule.rule.startswith("/admin/"), rule.rule  # every staff page lives under /admin
        values = {arg: two_partners.a.id for arg in rule.arguments}
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            checked += 1
    assert checked >= 100  # every staff page and action of every feature


def test_admin_area_redirects_anonymous_to_login(client):
    response = client.get("/admin/partners")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


class _Note(TenantMixin, db.Model):
    """A throwaway partner-owned table, to test the safety net on a real TenantMixin model."""

    __tablename__ = "test_tenant_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(50))


def _notes_table():
    _Note.__table__.create(db.session.connection(), checkfirst=True)


def test_safety_net_scopes_tenant_queries_to_the_current_partner(app, two_partners):
    _notes_table()
    db.session.add_all([_Note(partner_id=two_partners.a.id, body="a"),
                        _Note(partner_id=two_partners.b.id, body="b")])
    db.session.flush()
    with app.test_request_context():
        activate_tenant_scope(two_partners.a.id)
        assert [n.body for n in db.session.scalars(select(_Note))] == ["a"]
        with unscoped():
            assert sorted(n.body for n in db.session.scalars(select(_Note))) == ["a", "b"]
        assert [n.body for n in db.session.scalars(_Note.for_partner(two_partners.a))] == ["a"]
        activate_tenant_scope(None)
        assert len(db.session.scalars(select(_Note)).all()) == 2
        g.pop("tenant_partner_id")


def test_get_for_partner_or_404_hides_other_partners_rows(app, two_partners):
    import pytest
    from werkzeug.exceptions import NotFound

    _notes_table()
    note = _Note(partner_id=two_partners.b.id, body="b")
    db.session.add(note)
    db.session.flush()
    assert get_for_partner_or_404(_Note, note.id, two_partners.b) is note
    with pytest.raises(NotFound):
        get_for_partner_or_404(_Note, note.id, two_partners.a)


@covers("team.edit_user", "team.resend_invitation")
def test_partner_admin_cannot_reach_another_partners_users(client, two_partners, login):
    login(two_partners.a_admin)
    other = two_partners.b_user
    assert client.get(f"/team/users/{other.id}/edit").status_code == 404
    assert client.post(f"/team/users/{other.id}/edit", data={"name": "x"}).status_code == 404
    assert client.post(f"/team/users/{other.id}/invite").status_code == 404
    staff = two_partners.admin
    assert client.get(f"/team/users/{staff.id}/edit").status_code == 404
    own = two_partners.a_user
    assert client.get(f"/team/users/{own.id}/edit").status_code == 200
