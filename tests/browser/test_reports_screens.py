"""Reports in headless Chromium against the real `flask demo`: every report page with its charts,
filters and CSV export, as an admin and as a partner manager, with screenshots to look at."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, open_nav, shot

pytestmark = pytest.mark.browser

TABS = [("Pipeline", "reports-pipeline"), ("Orders", "reports-orders"), ("Approval time", "reports-approval-time"),
        ("Conversion", "reports-conversion"), ("Top products", "reports-products"),
        ("Campaign results", "reports-campaigns")]


def test_admin_walks_through_every_report_and_exports_csv(page):
    log_in(page, "admin@example.com")
    open_nav(page, "Reports")
    page.wait_for_url("**/admin/reports")
    assert page.get_by_role("heading", name="Reports", exact=True).is_visible()
    shot(page, "reports-index")
    page.get_by_role("link", name="Pipeline").first.click()
    tabs = page.get_by_role("list", name="Reports")
    for label, name in TABS:
        tabs.get_by_role("link", name=label).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name=label, exact=True).is_visible()
        assert page.locator("svg.chart").count() >= 1
        assert page.get_by_test_id("report-summary").is_visible()
        shot(page, name)
    tabs.get_by_role("link", name="Orders").click()
    assert page.get_by_role("cell", name="Northwind Distribution").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = download.value.path()
    text = open(path, encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "month,partner,region,tier,currency,orders,revenue"
    assert "Northwind Distribution" in text and ",EUR," in text


def test_filters_keep_their_input_and_a_manager_sees_only_its_partners(page):
    log_in(page, "admin@example.com")
    page.goto("/admin/reports/approval-time")
    page.get_by_label("Region").select_option("EMEA")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**region=EMEA**")
    assert page.get_by_label("Region").input_value() == "EMEA"
    assert page.get_by_role("cell", name="Contoso Resellers").count() == 0
    shot(page, "reports-approval-time-emea")
    page.goto("/admin/reports/pipeline?from=2026-13-01")
    assert page.get_by_text("Give a date as YYYY-MM-DD.").is_visible()
    shot(page, "reports-filter-error")

    page.context.clear_cookies()
    log_in(page, "manager2@example.com")  # manages Sakura Systems and Andes Agents
    open_nav(page, "Reports")
    page.get_by_role("link", name="Orders").first.click()
    assert page.get_by_text("Figures of the partners you manage.").is_visible()
    assert page.get_by_label("Partner manager").count() == 0
    assert page.get_by_role("cell", name="Sakura Systems").first.is_visible()
    assert page.get_by_role("cell", name="Northwind Distribution").count() == 0
    shot(page, "reports-orders-manager")
