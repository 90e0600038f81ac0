"""Each role lands on its own dashboard with navigation for its work only."""
from __future__ import annotations

import pytest


def _nav(html: str) -> str:
    return html.split("<main")[0]


@pytest.mark.parametrize("who,present,absent", [
    ("admin", ["Partners", "Users", "Audit log"], ["Team"]),
    ("manager", ["Partners"], ["Users", "Audit log", "Team"]),
    ("ops", ["Partners"], ["Users", "Audit log", "Team"]),
    ("a_admin", ["Team"], ["Partners", "Users", "Audit log"]),
    ("a_user", [], ["Team", "Partners", "Users", "Audit log"]),
])
def test_navigation_per_role(client, two_partners, login, who, present, absent):
    login(getattr(two_partners, who))
    html = client.get("/dashboard").data.decode()
    nav = _nav(html)
    for label in present:
        assert f"</i> {label}</a>" in nav, label
    for label in absent:
        assert f"</i> {label}</a>" not in nav, label


def test_partner_dashboard_shows_its_own_partner_only(client, two_partners, login):
    login(two_partners.a_user)
    html = client.get("/dashboard").data.decode()
    assert "Alpha Partners" in html and "Bravo Partners" not in html
    assert "10,000.00" in html and two_partners.manager.email in html


def test_staff_dashboard_counts(client, two_partners, login):
    import re

    two_partners.b.status = "suspended"
    login(two_partners.admin)
    html = client.get("/dashboard").data.decode()
    active = re.search(r"Active partners</div><div class=\"display-6\">(\d+)<", html).group(1)
    suspended = re.search(r"Suspended partners</div><div class=\"display-6\">(\d+)<", html).group(1)
    assert (active, suspended) == ("1", "1")


def test_home_redirects(client, two_partners, login):
    assert client.get("/").headers["Location"].endswith("/login")
    login(two_partners.a_user)
    assert client.get("/").headers["Location"].endswith("/dashboard")
    assert client.get("/login").headers["Location"].endswith("/dashboard")


def test_pages_need_login(client):
    for path in ("/dashboard", "/account/", "/team/users", "/admin/partners"):
        r = client.get(path)
        assert r.status_code == 302 and "/login?next=" in r.headers["Location"], path
