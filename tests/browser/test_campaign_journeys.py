"""Campaign journeys in headless Chromium: a partner's campaign pages and MDF, staff results."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, open_nav, shot

pytestmark = pytest.mark.browser


def test_partner_sees_its_campaigns_downloads_assets_and_requests_mdf(page):
    log_in(page, "admin@northwind.example")
    panel = page.locator("#campaigns-panel")
    assert panel.get_by_text("Secure Edge Spring Push").is_visible()
    assert panel.get_by_text("Wi-Fi 6 Upgrade Days").count() == 0  # targets NA and LATAM
    open_nav(page, "Campaigns")
    page.wait_for_url("**/campaigns")
    assert page.get_by_role("link", name="Secure Edge Spring Push").is_visible()
    assert page.get_by_text("Ended campaigns you took part in").is_visible()
    shot(page, "campaigns-partner-list")
    page.get_by_role("link", name="Secure Edge Spring Push").click()
    assert page.get_by_role("heading", name="Marketing kit").is_visible()
    assert page.get_by_text("Campaign price: 12% off").is_visible()
    shot(page, "campaign-partner-detail")
    link = page.get_by_role("link", name="Download Customer flyer")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    page.get_by_role("link", name="Request MDF").click()
    page.get_by_label("Activity", exact=True).fill("Partner breakfast, Berlin")
    page.get_by_label("Plan").fill("Breakfast briefing for 20 customers.")
    page.get_by_label("Activity starts on").fill("2000-01-01")
    page.get_by_label("Activity ends on").fill("2000-01-02")
    page.get_by_label("Amount (EUR)").fill("999999")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_text("The activity must take place within the campaign").first.is_visible()
    assert page.get_by_label("Activity", exact=True).input_value() == "Partner breakfast, Berlin"
    shot(page, "campaign-mdf-request-errors")
    page.goto("/campaigns/mdf")
    assert page.get_by_role("link", name="Security roadshow, Munich and Hamburg").is_visible()
    page.get_by_role("link", name="Security roadshow, Munich and Hamburg").click()
    assert page.get_by_role("link", name="roadshow-invoice.pdf").is_visible()
    shot(page, "campaign-mdf-detail-partner")


def test_partner_not_targeted_gets_a_404(page):
    log_in(page, "admin@contoso.example")
    page.goto("/campaigns")
    assert page.get_by_role("link", name="Wi-Fi 6 Upgrade Days").is_visible()
    href = "/campaigns/1"
    response = page.goto(href)
    assert response.status == 404


def test_staff_results_and_mdf_review(page):
    log_in(page, "manager@example.com")
    open_nav(page, "Campaigns")
    assert page.get_by_role("link", name="Analytics Autumn Launch").is_visible()
    shot(page, "campaigns-staff-list")
    page.get_by_role("link", name="Secure Edge Spring Push").click()
    assert page.get_by_role("heading", name="Assets").is_visible()
    shot(page, "campaign-staff-detail")
    page.get_by_role("link", name="Results").click()
    assert page.locator("svg.chart").first.is_visible()
    assert page.get_by_role("cell", name="Northwind Distribution").is_visible()
    shot(page, "campaign-results")
    csv = page.request.get(page.get_by_role("link", name="CSV").get_attribute("href"))
    assert csv.status == 200 and "mdf_requested" in csv.text()
    open_nav(page, "MDF review")
    page.get_by_role("link", name="Webinar series: zero trust for SMBs").click()
    page.get_by_label("Amount").fill("5000.00")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Approved €5,000.00: reserved from the budget.").is_visible()
    shot(page, "campaign-mdf-decided")
