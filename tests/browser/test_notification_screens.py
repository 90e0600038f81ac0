"""The notifications centre and the navigation's live counts in headless Chromium on the demo data,
with screenshots to look at: a partner admin reads and filters its notifications, a partner
manager sees the approvals count and the unread bell."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def _unread(page) -> int:
    badge = page.get_by_role("navigation", name="Main navigation").get_by_test_id("unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_a_partner_admin_reads_and_filters_its_notifications(page):
    log_in(page, "admin@northwind.example")
    unread = _unread(page)
    assert unread > 5
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/notifications/")
    shot(page, "notifications-centre")
    page.goto("/notifications/?state=unread")
    items = page.get_by_test_id("notification")
    assert items.count() == min(unread, 25)
    kind_label = items.nth(1).locator(".badge").inner_text()  # a kind with an unread notification left

    first_title = items.first.locator("div.flex-grow-1 > div").first.inner_text()
    items.first.click()  # opens what it is about, and counts as read
    page.wait_for_load_state()
    assert "/notifications" not in page.url
    assert _unread(page) == unread - 1

    page.goto("/notifications/?state=read")  # the newest read one comes first
    assert page.get_by_test_id("notification").first.get_by_text(first_title).is_visible()
    page.goto("/notifications/")
    kind_select = page.get_by_label("Kind", exact=True)
    kind = kind_select.locator("option", has_text=kind_label).first.get_attribute("value")
    kind_select.select_option(value=kind)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**kind={kind}**")
    kinds = page.get_by_test_id("notification").locator(".badge")
    assert kinds.count() > 0 and set(kinds.all_inner_texts()) == {kind_label}
    shot(page, "notifications-filtered-kind")
    button = page.get_by_test_id("mark-all-read")
    marked = int(re.search(r"\((\d+)\)", button.inner_text()).group(1))
    assert marked >= 1
    button.click()
    page.wait_for_url(f"**kind={kind}**")
    assert page.get_by_text(re.compile(rf"\b{marked} notifications? marked as read")).is_visible()
    assert _unread(page) == unread - 1 - marked
    assert page.get_by_test_id("mark-all-read").is_disabled()


def test_the_navigation_shows_the_approvals_count_and_the_unread_bell(page):
    log_in(page, "manager2@example.com")
    nav = page.get_by_role("navigation", name="Main navigation")
    approvals = nav.get_by_role("link", name=re.compile(r"Approvals\s+\d+$"))
    assert int(approvals.get_by_test_id("approvals-count").inner_text()) > 0
    assert approvals.get_by_test_id("approvals-count").get_attribute("title").endswith("waiting for a decision")
    assert _unread(page) > 0
    nav.screenshot(path=str(shot(page, "notifications-nav-badges").with_name("notifications-nav-only.png")))
