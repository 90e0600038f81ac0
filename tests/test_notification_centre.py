"""The notifications centre with many notifications: pages, read/unread and kind filters, marking
read (all, or one kind), the badge, other users' rows, and a fixed number of queries; the
navigation's live counts (NavBadge)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.models import Notification
from portal.services import notifications
from portal.templating import NavBadge, NavEntry
from tests.queries import count_queries

KINDS = ("order_status", "quote_approved", "registration_approved", "mdf_paid")


def _fill(user, count: int, read_every: int = 4) -> None:
    """`count` notifications, newest last, of four kinds; every `read_every`-th one read."""
    start = utcnow() - timedelta(days=count)
    db.session.add_all(Notification(
        user_id=user.id, kind=KINDS[n % len(KINDS)], title=f"Event number {n:03d}", body="Details.",
        link="/dashboard", created_at=start + timedelta(hours=n),
        read_at=start + timedelta(hours=n + 1) if n % read_every == 0 else None) for n in range(count))
    db.session.flush()


def _titles(html: str) -> list[str]:
    return re.findall(r"Event number (\d{3})", html)


def _page(client, url: str = "/notifications/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def busy(two_partners, client, login):
    """Partner A's sales rep with 200 notifications (50 read), B's with 3."""
    _fill(two_partners.a_user, 200)
    _fill(two_partners.b_user, 3)
    login(two_partners.a_user)
    return two_partners


def test_two_hundred_notifications_are_paged_newest_first(client, busy):
    html = _page(client)
    assert _titles(html) == [f"{n:03d}" for n in range(199, 174, -1)]
    assert "Showing 1–25 of 200" in html and 'data-testid="unread-count">150<' in html
    last = _page(client, "/notifications/?page=8")
    assert _titles(last) == [f"{n:03d}" for n in range(24, -1, -1)]
    assert "Showing 176–200 of 200" in last
    assert "There is no page 9" in _page(client, "/notifications/?page=9")
    assert len(_titles(_page(client, "/notifications/?per_page=100"))) == 100
    assert len(_titles(_page(client, "/notifications/?per_page=1000"))) == 100  # capped
    assert client.get("/notifications/?page=x").status_code == 400


def test_filters_by_read_state_and_kind(client, busy):
    html = _page(client, "/notifications/?state=unread")
    assert "Showing 1–25 of 150" in html and "199" in _titles(html) and "196" not in _titles(html)
    assert re.search(r'data-testid="state-read">Read\s*<span class="badge[^"]*">50<', html)
    read = _page(client, "/notifications/?state=read")
    assert "Showing 1–25 of 50" in read and _titles(read)[:2] == ["196", "192"]
    kind = _page(client, "/notifications/?kind=quote_approved")
    assert "Showing 1–25 of 50" in kind and set(int(t) % 4 for t in _titles(kind)) == {1}
    assert "Quote approved (50)" in kind and 'value="quote_approved" selected' in kind
    both = _page(client, "/notifications/?kind=order_status&state=unread")
    assert "Nothing to show" in both and "No unread notifications." in both  # order_status ones are all read
    assert "Showing 1–25 of 150" in _page(client, "/notifications/?unread=1")  # the older link still works
    assert "Showing 1–25 of 200" in _page(client, "/notifications/?state=bogus")
    assert "No notifications of this kind." in _page(client, "/notifications/?kind=no_such_kind")
    assert "page=2" in html and "state=unread" in html.split('aria-label="Pages"')[1]  # paging keeps the filter


def test_mark_one_kind_then_all_as_read(client, busy):
    user = busy.a_user
    r = client.post("/notifications/read-all", data={"kind": "mdf_paid", "state": "unread"})
    assert r.status_code == 302 and r.headers["Location"] == "/notifications/?kind=mdf_paid&state=unread"
    counts = notifications.summary(user)
    assert counts.count("unread", "mdf_paid") == 0 and counts.unread == 100
    html = _page(client)
    assert 'data-testid="unread-count">100<' in html and "Mark all as read (100)" in html
    client.post("/notifications/read-all")
    assert notifications.unread_count(user) == 0
    html = _page(client)
    assert "unread-count" not in html and 'data-testid="mark-all-read" disabled' in html
    assert notifications.unread_count(busy.b_user) == 2  # nobody else's (1 of 3 was read)


def test_nobody_sees_another_users_notifications(client, login, busy):
    login(busy.b_user)
    html = _page(client)
    assert "Showing 1–3 of 3" in html and _titles(html) == ["002", "001", "000"]
    assert _titles(_page(client, "/notifications/?kind=order_status")) == ["000"]


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/?page=5&state=unread",
                                 "/notifications/?kind=quote_approved&state=read"])
def test_the_page_costs_the_same_queries_for_few_or_many(client, login, two_partners, url):
    login(two_partners.a_user)
    _fill(two_partners.a_user, 5)
    _page(client, url)  # warm-up
    with count_queries() as few:
        _page(client, url)
    _fill(two_partners.a_user, 195)
    with count_queries() as many:
        _page(client, url)
    assert len(many) == len(few), "\n\n".join(many)
    assert len(many) <= 3, "\n\n".join(many)  # the user, counts per kind (also the badge), the page


def test_a_staff_page_costs_one_query_per_navigation_badge(client, login, two_partners):
    login(two_partners.manager)
    _fill(two_partners.manager, 30)
    _page(client)
    with count_queries() as queries:
        _page(client)
    assert len(queries) <= 4, "\n\n".join(queries)  # + the approvals badge


def test_a_navigation_badge_is_counted_once_a_request_and_a_menu_sums_its_pages(app):
    calls: list[int] = []
    badge = NavBadge("things", lambda: calls.append(1) or 4, "{n} things to do")
    page = NavEntry("Things", "list", "dashboard.index", badge=badge)
    menu = NavEntry("Menu", "gear", children=[page, NavEntry("Other", "box", "dashboard.index")])
    for _ in range(2):
        with app.app_context(), app.test_request_context():  # a new request: counted again
            assert menu.badge_count() == 4 and page.badge_count() == 4
            assert page.badge_title() == "4 things to do" and menu.children[1].badge_count() == 0
    assert len(calls) == 2
