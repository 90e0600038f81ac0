"""The navigation fits the window: no sideways scrolling at common desktop widths, for each role's menu."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1280, 1366, 1400, 1920)


@pytest.mark.parametrize("email", ["admin@northwind.example", "manager@example.com", "admin@example.com"])
def test_no_sideways_scrolling(page, email):
    log_in(page, email)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/dashboard", "/notifications/"):
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{email} at {width} px on {path}: {overflow} px wider than the window"
    shot(page, f"layout-{email.split('@')[0]}-{email.split('@')[1].split('.')[0]}-1920")


def test_the_user_menu_names_role_and_partner(page):
    log_in(page, "admin@northwind.example")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.locator(".dropdown-toggle", has=page.locator(".bi-person-circle")).click()
    summary = page.get_by_test_id("user-summary")
    assert "Partner administrator" in summary.inner_text() and "Northwind Distribution" in summary.inner_text()
