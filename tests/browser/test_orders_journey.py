"""Ordering in headless Chromium: quick order, checkout with review, card payment through
localstripe (its signed webhook reaches the portal), the staff desk to closed, the invoice PDF."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, SCREENSHOTS, _free_port, log_in, shot
from tests.orders.conftest import start_localstripe

pytestmark = pytest.mark.browser
WEBHOOK_SECRET = "whsec_browser"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:
    """The demo server with card payments on, talking to its own localstripe."""
    folder = tmp_path_factory.mktemp("orders-demo")
    stripe_proc, stripe_url = start_localstripe(folder / "localstripe.log")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}", SECRET_KEY="orders-browser",
               STRIPE_SECRET_KEY="sk_test_browser", STRIPE_API_BASE=stripe_url,
               STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    env.pop("CELERY_BROKER_URL", None)
    log = open(folder / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    if server.poll() is not None or time.monotonic() >= deadline:
        server.kill()
        stripe_proc.kill()
        pytest.fail("the demo server did not start:\n" + (folder / "server.log").read_text()[-3000:])
    hook = urllib.parse.urlencode({"url": f"{url}/webhooks/stripe", "secret": WEBHOOK_SECRET}).encode()
    urllib.request.urlopen(f"{stripe_url}/_config/webhooks/portal", data=hook, timeout=5)
    yield url
    server.terminate()
    server.wait(timeout=10)
    stripe_proc.terminate()
    stripe_proc.wait(timeout=10)
    log.close()


@pytest.fixture
def tab(browser, shop):
    context = browser.new_context(base_url=shop, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_partner_quick_order_checkout_and_card_payment(tab):
    page = tab
    log_in(page, "rep@northwind.example")
    page.goto("/orders/quick")
    page.get_by_label("Paste lines").fill("HW-AP-6 10\nSW-SEC;2\nNOPE-1 3\nHW-SWITCH-24 two")
    page.get_by_role("button", name="Check the lines").click()
    assert page.get_by_text("Unknown SKU NOPE-1.").is_visible()
    assert page.get_by_text("2 lines cannot be ordered").is_visible()
    shot(page, "orders-quick-order")
    page.get_by_role("button", name="Add 2 lines to the cart").click()
    page.wait_for_url("**/cart")
    page.goto("/checkout")
    page.get_by_label("Your PO number").fill("NW-BROWSER-1")
    page.get_by_label("Card (paid now, through Stripe)").check()
    shot(page, "orders-checkout")
    page.get_by_role("button", name="Review the order").click()
    assert page.get_by_role("heading", name="Review your order").is_visible()
    assert page.get_by_text("Speicherstadt 12").is_visible()  # the default saved address
    shot(page, "orders-review")
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay")
    shot(page, "orders-pay")
    page.get_by_label("Card number").fill("4000 0000 0000 0341")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay").click()
    assert page.get_by_text("Your card was declined.").first.is_visible()
    shot(page, "orders-pay-declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Pay").click()
    try:
        page.wait_for_url("**/orders/*", timeout=60_000)
    except Exception:
        shot(page, "orders-pay-failure")
        raise
    assert page.get_by_text("Payment received").is_visible()
    assert page.locator(".order-status").first.inner_text() == "submitted"
    shot(page, "orders-detail-paid")
    page.goto("/orders")
    shot(page, "orders-history")
    page.get_by_label("Status").select_option("shipped")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text("NW-4733").is_visible() and page.get_by_text("NW-BROWSER-1").count() == 0


def test_staff_move_an_order_to_closed_and_the_invoice_pdf(tab, tmp_path):
    page = tab
    log_in(page, "admin@example.com")
    page.goto("/admin/orders?q=NW-4750")
    page.get_by_role("link", name="SO-").first.click()
    assert page.get_by_test_id("next-step").inner_text() == "Mark shipped"  # the demo order is confirmed
    page.get_by_label("Tracking reference").fill("DHL 00340434999")
    page.get_by_test_id("next-step").click()
    assert page.get_by_text("is now shipped").is_visible()
    page.get_by_test_id("next-step").click()
    assert page.get_by_test_id("next-step").inner_text() == "Close"
    shot(page, "orders-desk-detail")
    page.get_by_test_id("next-step").click()
    assert page.get_by_text("No further step").is_visible()
    page.goto("/admin/orders")
    shot(page, "orders-desk")
    page.context.clear_cookies()
    log_in(page, "admin@northwind.example")
    page.goto("/orders?q=NW-4750")
    page.get_by_role("link", name="SO-").first.click()
    assert page.get_by_test_id("tracking").inner_text() == "DHL 00340434999"
    shot(page, "orders-partner-detail-closed")
    pdf = page.request.get(page.url.rstrip("/") + "/document.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf.body())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if Path("/usr/bin/pdftoppm").exists():
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path),
                        str(SCREENSHOTS / "orders-invoice-pdf")], check=True)
