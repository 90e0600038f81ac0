"""Onboarding and read-only impersonation in headless Chromium, with screenshots to look at."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, nav_entry as entry, open_nav, shot

pytestmark = pytest.mark.browser


def test_apply_then_a_partner_manager_reviews_and_approves(page):
    page.goto("/login")
    page.get_by_role("link", name="Not a partner yet? Apply").click()
    page.wait_for_url("**/apply")
    page.get_by_label("Company name").fill("Fjord Networks AS")
    page.get_by_label("Website").fill("not a website")
    page.get_by_label("Kind of partner").select_option("reseller")
    page.get_by_label("Currency").select_option("NOK")
    page.get_by_label("Country").select_option("NO")
    page.get_by_label("Sales region").select_option("EMEA")
    page.get_by_label("Your name").fill("Ingrid Fjord")
    page.get_by_label("Your e-mail").fill("ingrid@fjordnet.example")
    page.get_by_label("About your business (optional)").fill("Network integrator in Bergen and Oslo.")
    shot(page, "apply-form")
    page.wait_for_timeout(4500)  # people take a few seconds: the form's timer wants that too
    page.get_by_role("button", name="Send my application").click()
    assert page.get_by_text("Give a web address such as www.example.com.").is_visible()
    assert page.get_by_label("Company name").input_value() == "Fjord Networks AS"
    shot(page, "apply-form-errors")
    page.get_by_label("Website").fill("www.fjordnet.example")
    page.wait_for_timeout(4500)
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url("**/apply/thanks")
    assert page.get_by_role("heading", name="Thank you: your application is on its way").is_visible()

    log_in(page, "manager@example.com")
    open_nav(page, "Applications")
    page.wait_for_url("**/admin/applications")
    assert page.get_by_role("link", name="Helvetia Netzwerke AG").is_visible()
    assert page.get_by_text("same name as partner Northwind Distribution").is_visible()
    assert page.get_by_role("link", name="Fjord Networks AS").is_visible()
    shot(page, "admin-applications-queue")
    page.get_by_role("link", name="Northwind Distribution Ltd").click()
    assert page.get_by_test_id("duplicate-flags").is_visible()
    shot(page, "admin-application-duplicate")
    page.goto("/admin/applications")
    page.get_by_role("link", name="Fjord Networks AS").click()
    page.get_by_label("Tier").select_option("silver")
    page.get_by_label("Credit limit").fill("150000.00")
    shot(page, "admin-application-approve")
    page.get_by_role("button", name="Approve and invite").click()
    page.wait_for_url("**/admin/partners/*")
    assert page.get_by_text("Fjord Networks AS is a partner now").is_visible()
    assert page.get_by_role("cell", name="ingrid@fjordnet.example").is_visible()
    shot(page, "admin-application-approved-partner")


def test_admin_views_the_portal_as_a_partner_user_read_only(page):
    log_in(page, "admin@example.com")
    page.goto("/admin/partners")
    page.get_by_role("link", name="Northwind Distribution").click()
    page.get_by_role("row", name="Nora Northwind").get_by_role("button", name="View as").click()
    page.wait_for_url("**/dashboard")
    banner = page.get_by_test_id("impersonation-banner")
    assert banner.is_visible()
    assert "Nora Northwind" in banner.inner_text() and "admin@example.com" in banner.inner_text()
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name=entry("Team")).count() == 1
    assert nav.get_by_role("link", name=entry("Partners")).count() == 0
    shot(page, "impersonation-banner")
    open_nav(page, "Team")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail").fill("sneaky@northwind.example")
    page.get_by_label("Name").fill("Not Allowed")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Read-only: you are viewing the portal as Nora Northwind").is_visible()
    shot(page, "impersonation-refused")
    page.get_by_role("button", name="Stop viewing as Nora Northwind").click()
    page.wait_for_url("**/admin/partners/*")
    assert page.get_by_test_id("impersonation-banner").count() == 0
    assert page.get_by_text("You stopped viewing the portal as Nora Northwind.").is_visible()
    page.goto("/admin/audit?action=user.impersonate")
    assert page.get_by_text("user.impersonate_start").first.is_visible()
    assert page.get_by_text("user.impersonate_stop").first.is_visible()
