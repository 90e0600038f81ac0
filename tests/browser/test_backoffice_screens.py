"""The back office in headless Chromium on the demo data: the approvals page (deciding a quote inline),
a partner's 360 and the end-customer 360, with screenshots to look at."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, open_nav, shot

pytestmark = pytest.mark.browser


def test_a_partner_manager_works_through_the_approvals_page(page):
    # Decides only Q-2026-00009: the other journeys rely on the rest of the demo's waiting items.
    log_in(page, "manager@example.com")
    assert page.get_by_test_id("approvals-panel").is_visible()
    shot(page, "backoffice-manager-dashboard")
    nav = page.get_by_role("navigation", name="Main navigation")
    link = nav.get_by_role("link", name=re.compile(r"Approvals\s+\d+$"))
    waiting = int(link.get_by_test_id("approvals-count").inner_text())
    assert waiting > 0
    link.click()
    page.wait_for_url("**/admin/approvals")
    table = page.get_by_test_id("approvals")
    assert table.is_visible() and page.get_by_text("Review side by side").first.is_visible()
    assert page.get_by_role("link", name="Q-2026-00009").is_visible()
    shot(page, "backoffice-approvals")

    row = page.locator("tr", has=page.get_by_role("link", name="Q-2026-00009"))
    row.get_by_role("button", name="Decide").click()
    form = page.locator("tr.collapse.show")
    form.get_by_label("Approved %").fill("10")
    form.get_by_role("button", name="Approve").click()
    assert page.get_by_test_id("decision-error").is_visible()
    assert page.get_by_text("cannot be more than the 6% requested").is_visible()
    assert page.locator("tr.collapse.show").get_by_label("Approved %").input_value() == "10"
    shot(page, "backoffice-approvals-error")
    page.locator("tr.collapse.show").get_by_label("Approved %").fill("4")
    page.locator("tr.collapse.show").get_by_label("Comment (optional)").fill("4% now; more with a framework.")
    page.locator("tr.collapse.show").get_by_role("button", name="Approve").click()
    page.wait_for_url("**/admin/approvals")
    assert page.get_by_text("Q-2026-00009 is approved at 4%").is_visible()
    assert page.get_by_role("link", name="Q-2026-00009").count() == 0
    badge = page.get_by_role("navigation", name="Main navigation").get_by_test_id("approvals-count")
    assert int(badge.inner_text()) == waiting - 1
    page.get_by_role("link", name="All partners").click()
    assert page.get_by_role("link", name="Sakura Systems").first.is_visible()
    shot(page, "backoffice-approvals-all")


def test_a_partner_360_and_an_end_customer_360(page):
    log_in(page, "manager@example.com")
    page.goto("/admin/approvals")
    page.get_by_role("link", name="Northwind Distribution").first.click()
    page.wait_for_url("**/admin/partners/*/360")
    assert page.get_by_role("heading", name=re.compile("Northwind Distribution")).is_visible()
    for section in ("kpis", "users", "orders", "quotes", "registrations", "leads", "mdf", "campaigns", "timeline"):
        assert page.get_by_test_id(section).is_visible(), section
    assert page.get_by_test_id("users").get_by_text("admin@northwind.example").is_visible()
    shot(page, "backoffice-partner-360")
    page.get_by_role("link", name="Older").click()
    page.wait_for_url("**tpage=2*")
    assert page.get_by_text("Page 2 of").is_visible()

    open_nav(page, "Customers")
    page.wait_for_url("**/admin/customers")
    page.get_by_label("Company name or web domain").fill("Siemens")
    page.get_by_role("button", name="Search").click()
    company = page.get_by_test_id("company")
    assert company.count() == 1
    assert company.get_by_text("SIEMENS AG (Germany)").is_visible()
    assert company.get_by_role("link", name="Contoso Resellers").is_visible() or \
        company.get_by_text("Contoso Resellers").is_visible()
    shot(page, "backoffice-customer-360")
    page.get_by_label("Company name or web domain").fill("Delta")
    page.get_by_role("button", name="Search").click()
    others = page.get_by_test_id("others")
    assert others.get_by_text("Delta Air Lines, Inc.").is_visible()
    assert others.get_by_text("Delta Dental of California").is_visible()
    shot(page, "backoffice-customer-similar")
    others.get_by_text("Delta Air Lines, Inc.").click()
    assert page.get_by_test_id("company").count() == 1
    shot(page, "backoffice-customer-delta")


def test_an_admin_sees_every_partner_and_the_partner_page_links_to_the_360(page):
    log_in(page, "admin@example.com")
    assert page.get_by_test_id("approvals-panel").is_visible()
    page.get_by_role("link", name="Open approvals").click()
    page.wait_for_url("**/admin/approvals")
    assert page.get_by_role("link", name="Helvetia Netzwerke AG").is_visible()
    page.goto("/admin/partners")
    page.get_by_role("link", name="Sakura Systems").click()
    page.get_by_role("link", name="360° view").click()
    page.wait_for_url("**/360")
    assert page.get_by_role("heading", name=re.compile("Sakura Systems")).is_visible()
    shot(page, "backoffice-partner-360-sakura")
