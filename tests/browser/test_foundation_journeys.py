"""Journeys through the foundation in headless Chromium, with screenshots to look at."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, open_nav, shot

pytestmark = pytest.mark.browser


def test_login_page_and_a_failed_login(page):
    page.goto("/login")
    shot(page, "login")
    page.get_by_label("E-mail").fill("admin@northwind.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Invalid e-mail or password.").is_visible()
    assert page.get_by_label("E-mail").input_value() == "admin@northwind.example"


def test_partner_admin_dashboard_team_and_token(page):
    log_in(page, "admin@northwind.example")
    assert page.get_by_role("heading", name="Northwind Distribution").is_visible()
    assert page.get_by_text("Max Manager").is_visible()
    shot(page, "partner-dashboard")
    open_nav(page, "Team")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail").fill("new.rep@northwind.example")
    page.get_by_label("Name").fill("Nina New")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("new.rep@northwind.example is invited").is_visible()
    assert page.get_by_role("cell", name="Nina New").is_visible()
    page.goto("/account/")
    page.get_by_placeholder("Token name").fill("ERP sync")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").inner_text()
    assert re.fullmatch(r"prm_[\w-]+", token)
    shot(page, "account-tokens")
    response = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["partner"]["name"] == "Northwind Distribution"


def test_admin_partner_list_sort_filter_and_form_errors(page):
    log_in(page, "admin@example.com")
    open_nav(page, "Partners")
    assert page.get_by_role("link", name="Sakura Systems").is_visible()
    shot(page, "admin-partners")
    page.get_by_role("link", name="Tier").click()
    page.wait_for_url("**sort=tier**")
    page.get_by_label("Status").select_option("suspended")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("link", name="Fabrikam Solutions").is_visible()
    assert page.get_by_role("link", name="Sakura Systems").count() == 0
    page.goto("/admin/partners/new")
    page.get_by_label("Name", exact=True).fill("Northwind Distribution")
    page.get_by_label("Region").select_option("EMEA")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Credit limit").fill("12.345")
    page.get_by_role("button", name="Create partner").click()
    assert page.get_by_text("A partner with this name already exists.").is_visible()
    assert page.get_by_text("EUR amounts have at most 2 decimal places").is_visible()
    shot(page, "admin-partner-form-errors")
    page.goto("/admin/audit")
    assert page.get_by_text("user.create").first.is_visible()
    shot(page, "admin-audit-log")
