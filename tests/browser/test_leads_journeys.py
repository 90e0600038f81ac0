"""Shared leads in headless Chromium: the partner's lead list with its clocks, the pool, a claim
and a follow-up; the staff list, a lead's history, an import preview and the statistics."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_partner_sees_clocks_claims_from_the_pool_and_follows_up(page):
    log_in(page, "rep@northwind.example")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Pipeline").or_(nav.get_by_role("link", name="Pipeline")).click()
    nav.get_by_role("link", name="Leads").click()
    page.wait_for_url("**/leads/")
    clocks = page.get_by_test_id("lead-clock")
    assert clocks.count() >= 2
    texts = clocks.all_inner_texts()
    assert any("Falls back in" in t for t in texts)
    assert page.get_by_role("link", name="Bavaria Logistics GmbH").is_visible()
    assert page.get_by_role("link", name="Lyon Medical SA").is_visible()
    assert page.get_by_role("link", name="Milano Retail SpA").is_visible()  # offered to Northwind
    shot(page, "leads-partner-my-leads")

    page.get_by_role("link", name="Lead pool").first.click()
    page.wait_for_url("**/leads/pool")
    assert page.get_by_test_id("cooldown").first.is_visible()  # Rotterdam fell back: cooling down
    shot(page, "leads-partner-pool")
    row = page.get_by_role("row").filter(has_text="Prague Insurance a.s.")
    row.get_by_role("button", name="Claim").click()
    assert page.get_by_text("You own Prague Insurance a.s. now").is_visible()
    page.get_by_label("Activity").select_option("call")
    page.get_by_label("What happened").fill("Called Petr: wants a quote for 12 servers.")
    page.get_by_role("button", name="Record activity").click()
    assert page.get_by_text("Activity recorded").is_visible()
    assert page.get_by_text("Called Petr: wants a quote for 12 servers.").is_visible()
    assert page.get_by_test_id("lead-clock").inner_text().strip().startswith("Falls back in 7 days")
    shot(page, "leads-partner-lead-detail")


def test_staff_follow_owners_history_imports_and_statistics(page):
    log_in(page, "manager@example.com")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Deals").or_(nav.get_by_role("link", name="Deals")).click()
    nav.get_by_role("link", name="Leads").click()
    page.wait_for_url("**/admin/leads")
    assert page.get_by_role("link", name="Northwind Distribution").first.is_visible()
    shot(page, "leads-staff-list")
    page.get_by_role("link", name="Rotterdam Port Services BV").click()
    assert page.get_by_text("No follow-up activity for 7 days").is_visible()
    assert page.get_by_text("Cool-downs:").is_visible()
    shot(page, "leads-staff-detail")

    page.goto("/admin/leads/import")
    csv = ("company;country;region;families;partner\n"
           "Harbour Cranes BV;NL;EMEA;hardware;\n"
           "Harbour Cranes B.V.;NL;EMEA;hardware;\n"
           "Kiwi Dairy Ltd;NZ;APAC;software;Sakura Systems\n").encode()
    page.get_by_label("Lead file (.csv or .xlsx)").set_input_files(
        {"name": "leads.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Upload and check").click()
    assert page.get_by_text("Duplicate row").is_visible()
    shot(page, "leads-staff-import-preview")

    page.goto("/admin/leads/stats")
    assert page.get_by_role("heading", name="By partner").is_visible()
    assert page.get_by_role("link", name="Northwind Distribution").is_visible()
    shot(page, "leads-staff-statistics")
