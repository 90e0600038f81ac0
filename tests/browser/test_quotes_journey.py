"""Quoting in headless Chromium: a partner quotes its cart with an extra discount, the manager
approves a lower one from the queue, the partner gets the PDF, then revises the quote."""
from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS, log_in, open_nav, shot

pytestmark = pytest.mark.browser


def pdf_to_png(pdf: bytes, name: str) -> None:
    """Write the PDF and, when poppler's pdftoppm is there, its first page as a PNG to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-singlefile", str(path), str(SCREENSHOTS / name)],
                       check=True, timeout=60)


def test_quote_from_cart_approval_pdf_and_revision(page):
    log_in(page, "rep@northwind.example")
    open_nav(page, "Quotes")
    assert page.get_by_role("heading", name="Quotes").is_visible()
    assert page.get_by_text("Bayer Logistics: analytics cluster").is_visible()  # demo data
    shot(page, "quotes-partner-list")

    page.goto("/cart")
    page.get_by_placeholder("Product SKU").fill("HW-AP-6")
    page.get_by_label("Quantity", exact=True).fill("25")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url("**/cart")
    page.goto("/quotes/new")
    page.get_by_label("Reference").fill("Hotel Rhein: Wi-Fi upgrade")
    page.get_by_label("Requested extra discount (%)").fill("-3")
    page.get_by_role("button", name="Create the quote (draft)").click()
    assert page.get_by_text("The requested discount cannot be negative.").is_visible()
    assert page.get_by_label("Reference").input_value() == "Hotel Rhein: Wi-Fi upgrade"
    page.get_by_label("Requested extra discount (%)").fill("12")
    page.get_by_label("Justification").fill("A competitor offers 10% less; the hotel group has 6 more sites.")
    page.get_by_role("button", name="Create the quote (draft)").click()
    assert page.get_by_text("is created as a draft").is_visible()
    number = page.get_by_role("heading", level=1).inner_text().split()[1]
    page.get_by_role("button", name="Price details").first.click()
    assert page.get_by_text("Quote discount 12%").is_visible()
    shot(page, "quotes-partner-draft")
    page.get_by_role("button", name="Submit for approval").click()
    assert page.get_by_text("waits for your partner manager's approval").is_visible()

    page.context.clear_cookies()
    log_in(page, "manager@example.com")
    assert page.get_by_text("Quotes waiting for you").is_visible()
    page.get_by_role("link", name="Approval queue").click()  # from the dashboard panel
    assert page.get_by_role("link", name=number).is_visible()
    assert page.get_by_text("Bayer Logistics: analytics cluster").is_visible()  # demo data, waiting 30 h
    shot(page, "quotes-approval-queue")
    page.get_by_role("link", name=number).click()
    assert page.get_by_text("A competitor offers 10% less").is_visible()
    assert page.get_by_role("heading", name="Margin effect").is_visible()
    assert page.get_by_role("heading", name="Northwind Distribution's quotes").is_visible()
    page.get_by_label("Approved extra discount (%)").fill("15")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("cannot be more than the 12% requested").is_visible()
    shot(page, "quotes-manager-decision")
    page.get_by_label("Approved extra discount (%)").fill("8")
    page.get_by_label("Comment to the partner").fill("8% now; more with the other sites.")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text(f"{number} is approved at 8%").is_visible()

    page.context.clear_cookies()
    log_in(page, "rep@northwind.example")
    page.goto("/quotes?status=approved")
    page.get_by_role("link", name=number).click()
    assert page.get_by_text("Approved at 8% extra discount").is_visible()
    assert page.get_by_text("Comment from Max Manager: “8% now; more with the other sites.”").is_visible()
    shot(page, "quotes-partner-approved")
    response = page.request.get(page.get_by_role("link", name="PDF").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    assert number in text and "Extra discount 8%" in text and "Northwind Distribution" in text
    pdf_to_png(response.body(), "quotes-pdf")

    page.get_by_role("link", name="Revise").click()
    page.get_by_label("Quantity of HW-AP-6").fill("30")
    page.get_by_label("What changed and why").fill("Five more access points for the lobby.")
    page.get_by_role("button", name="Save revision 2").click()
    assert page.get_by_text("revision 2 is saved as a draft").is_visible()
    assert page.get_by_text("Changes in revision 2").is_visible()
    assert page.get_by_text("25 → 30").is_visible()
    shot(page, "quotes-revision-diff")
