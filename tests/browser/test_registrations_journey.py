"""Deal registration journeys in headless Chromium on the demo data, with screenshots to look at."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_partner_registers_a_customer_already_registered_elsewhere(page):
    log_in(page, "rep@contoso.example")
    page.goto("/opportunities/new")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("This field is required.").first.is_visible()
    page.get_by_label("Company name").fill("Siemens AG")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Website or e-mail domain").fill("not a domain")
    page.get_by_label("Hardware").check()
    page.get_by_label("Estimated amount").fill("-5")
    page.get_by_label("Expected close date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("Give a web domain").is_visible()
    assert page.get_by_text("The estimated amount must be more than zero.").is_visible()
    assert page.get_by_label("Company name").input_value() == "Siemens AG"
    shot(page, "registration-form-errors")
    page.get_by_label("Website or e-mail domain").fill("procurement@siemens.com")
    page.get_by_label("Estimated amount").fill("75000")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/opportunities/*")
    assert page.get_by_text("your partner manager reviews it").first.is_visible()
    assert page.get_by_text("Northwind").count() == 0  # never who holds the other registration
    shot(page, "registration-result-in-review")
    page.goto("/opportunities")
    assert page.get_by_role("link", name="Siemens AG", exact=True).is_visible()
    shot(page, "registration-list")


def test_partner_asks_whether_a_customer_is_available(page):
    log_in(page, "admin@sakura.example")
    page.goto("/opportunities/check")
    page.get_by_label("Company name").fill("Delta Air Lines")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Software").check()
    page.get_by_role("button", name="Check").click()
    assert page.get_by_test_id("availability").inner_text().strip().startswith("No")
    shot(page, "registration-availability")


def test_manager_reviews_conflicts_side_by_side_and_decides(page):
    log_in(page, "manager@example.com")
    page.goto("/admin/registrations")
    assert page.get_by_role("heading", name="Registration review queue").is_visible()
    shot(page, "registration-review-queue")
    page.get_by_role("link", name="SIEMENS AG (Germany)").click()
    comparison = page.get_by_test_id("comparison")
    assert comparison.get_by_text("Northwind Distribution").is_visible()
    assert comparison.get_by_text("Contoso Resellers").first.is_visible()
    assert page.get_by_test_id("first").is_visible()
    shot(page, "registration-review-detail")
    page.get_by_label("Reason", exact=True).fill("Northwind registered this customer first and is protected.")
    page.get_by_role("button", name="Reject").click()
    assert page.get_by_text("is rejected").is_visible()


def test_manager_approves_one_and_rejects_its_conflicts(page):
    log_in(page, "manager2@example.com")
    page.goto("/admin/registrations")
    page.get_by_role("link", name="BMW").click()
    page.get_by_label("Deal discount (%)").fill("4")
    boxes = page.locator("input[name=reject_ids]")
    assert boxes.count() >= 1
    for i in range(boxes.count()):
        boxes.nth(i).check()
    shot(page, "registration-approve-with-rejections")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("is approved until").is_visible()


def test_house_accounts_page(page):
    log_in(page, "admin@example.com")
    page.goto("/admin/house-accounts")
    assert page.get_by_role("link", name="Globex Corporation").is_visible()
    shot(page, "registration-house-accounts")
