"""Security headers and the Content-Security-Policy: on every response, HSTS over HTTPS only, no
inline script or style left in the templates, and real Chromium pages of every role load with
no CSP violation while their interactive parts (menus, confirmations, charts) still work."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port, log_in, shot

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = re.compile(r"\son[a-z]+\s*=|\sstyle\s*=|<script(?![^>]*\ssrc=)|javascript:", re.I)


def test_every_response_carries_the_security_headers(client, two_partners, login):
    for response in (client.get("/login"), client.get("/api/v1/me"), client.get("/static/portal.css"),
                     client.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                          "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"):
            assert directive in csp, (response.request.path, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored or wrong


def test_hsts_only_over_https(client):
    response = client.get("/login", base_url="https://portal.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_template_served_to_a_browser_has_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" in path.relative_to(TEMPLATES).parts:
            continue  # rendered to PDF by WeasyPrint, never sent to a browser
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:100]}")
    assert found == [], "\n".join(found)


# --- real Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`flask --app wsgi demo` on a fresh SQLite database; the second factor optional for every
    role, so that these page visits log in with the demo password alone."""
    port = _free_port()
    instance = tmp_path_factory.mktemp("csp-demo")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{instance / 'demo.sqlite3'}", SECRET_KEY="csp-tests",
               MFA_REQUIRED_ROLES="")
    env.pop("CELERY_BROKER_URL", None)
    log = open(instance / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                            cwd=TEMPLATES.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the demo server did not start:\n" + (instance / "server.log").read_text()[-3000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


PAGES = {
    "admin@example.com": ["/dashboard", "/admin/partners", "/admin/partners/new", "/admin/users", "/admin/users/new",
                          "/admin/reports", "/admin/reports/pipeline", "/admin/reports/campaigns", "/admin/audit",
                          "/admin/approvals", "/admin/campaigns", "/admin/leads", "/admin/leads/stats",
                          "/admin/applications", "/admin/orders", "/admin/customers", "/docs/api"],
    "manager@example.com": ["/dashboard", "/admin/approvals", "/admin/registrations", "/admin/quotes", "/admin/mdf"],
    "ops@example.com": ["/dashboard", "/admin/products", "/admin/products/new", "/admin/price-books",
                        "/admin/price-books/tier-discounts", "/admin/imports", "/admin/imports/new"],
    "admin@northwind.example": ["/dashboard", "/catalog", "/cart", "/orders", "/orders/quick", "/quotes",
                                "/quotes/new", "/opportunities", "/opportunities/new", "/opportunities/check",
                                "/leads/", "/leads/pool", "/campaigns", "/campaigns/mdf", "/team/users",
                                "/team/users/new", "/account/", "/notifications/", "/notifications/preferences"],
    "rep@northwind.example": ["/dashboard", "/catalog", "/orders", "/opportunities"],
}
# Detail pages reached by following the first matching link of a list page.
DETAILS = {
    "admin@example.com": [("/admin/partners", r"/admin/partners/\d+$"), ("/admin/approvals", r"/admin/partners/\d+/360$"),
                          ("/admin/campaigns", r"/admin/campaigns/\d+$"), ("/admin/leads", r"/admin/leads/\d+$"),
                          ("/admin/applications", r"/admin/applications/\d+$"), ("/admin/orders", r"/admin/orders/\d+$"),
                          ("/admin/users", r"/admin/users/\d+/edit$")],
    "manager@example.com": [("/admin/registrations", r"/admin/registrations/\d+$"),
                            ("/admin/quotes", r"/admin/quotes/\d+$")],
    "ops@example.com": [("/admin/products", r"/admin/products/\d+$"), ("/admin/price-books", r"/admin/price-books/\d+$")],
    "admin@northwind.example": [("/catalog", r"/catalog/[^/?#]+$"), ("/orders", r"/orders/\d+$"),
                                ("/quotes", r"/quotes/\d+$"), ("/opportunities", r"/opportunities/\d+$"),
                                ("/campaigns", r"/campaigns/\d+$"), ("/leads/", r"/leads/\d+$")],
    "rep@northwind.example": [],
}
ANONYMOUS = ["/login", "/password/forgot", "/apply"]


def _watch(page) -> list[str]:
    """Collect CSP violations: console errors and the `securitypolicyviolation` DOM event."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and ("Content Security Policy" in m.text or "Refused to" in m.text) else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'Content Security Policy: refused ' + e.violatedDirective + ' ' + e.blockedURI));")
    return problems


def _visit(page, path: str, problems: list[str]) -> None:
    before = len(problems)
    response = page.goto(path)
    assert response is not None and response.status < 400, (path, response and response.status)
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # late violations (deferred scripts) reach the console
    assert problems[before:] == [], (path, problems[before:])


@pytest.mark.browser
@pytest.mark.parametrize("email", list(PAGES))
def test_main_pages_of_every_role_load_without_a_csp_violation(browser, live_server, email):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = _watch(page)
    try:
        for path in ANONYMOUS if email == "admin@example.com" else []:
            _visit(page, path, problems)
        log_in(page, email)
        for path in PAGES[email]:
            _visit(page, path, problems)
        for list_path, pattern in DETAILS[email]:
            _visit(page, list_path, problems)
            hrefs = page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            found = next((h for h in hrefs if re.search(pattern, h.split("?")[0])), None)
            assert found, (list_path, pattern)
            _visit(page, found, problems)
        shot(page, f"csp-{email.split('@')[0]}-{email.split('@')[1].split('.')[0]}")
    finally:
        context.close()


@pytest.mark.browser
def test_menus_confirmations_and_charts_still_work_under_the_policy(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = _watch(page)
    try:
        log_in(page, "admin@example.com")
        # a Bootstrap dropdown (external script, no inline handler)
        nav = page.get_by_role("navigation", name="Main navigation")
        nav.locator(".dropdown-toggle").last.click()
        assert page.get_by_test_id("user-summary").is_visible()
        # server-side SVG charts draw (presentation attributes, allowed)
        _visit(page, "/admin/reports/pipeline", problems)
        assert page.locator("svg.chart").first.is_visible()
        shot(page, "csp-reports-chart")
        # the approvals page's sort select submits its form from static JavaScript
        _visit(page, "/admin/approvals", problems)
        sort = page.locator("select#sort")
        if sort.count():
            values = sort.locator("option").evaluate_all("os => os.map(o => o.value)")
            with page.expect_navigation():
                sort.select_option(values[-1])
            assert f"sort={values[-1]}" in page.url
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
def test_cancel_order_confirmation_and_the_configurator(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = _watch(page)
    try:
        log_in(page, "admin@northwind.example")
        _visit(page, "/orders", problems)
        # the first order that can be cancelled: its button asks first (data-confirm in portal.js)
        links = page.locator("a[href*='/orders/']").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        target = None
        for href in [h for h in links if re.search(r"/orders/\d+$", h or "")][:15]:
            _visit(page, href, problems)
            if page.get_by_role("button", name="Cancel order").count():
                target = href
                break
        if target:
            asked: list[str] = []
            page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
            page.get_by_role("button", name="Cancel order").click()
            page.wait_for_timeout(300)
            assert asked and asked[0].startswith("Cancel order"), asked
            assert page.url.endswith(target)  # dismissed: still on the order, nothing sent
            assert page.get_by_role("button", name="Cancel order").is_visible()
            shot(page, "csp-order-cancel-dismissed")
        # the configurator (static/js/configurator.js) prices a product live
        _visit(page, "/catalog", problems)
        product = page.locator("a[href*='/catalog/']").evaluate_all(
            "as => as.map(a => a.getAttribute('href')).filter(h => /\\/catalog\\/[^/?]+$/.test(h))")
        assert product, "no product link on the catalog page"
        _visit(page, product[0], problems)
        if page.locator("#price-panel").count():
            page.wait_for_timeout(500)
            assert page.locator("#price-panel").inner_text().strip()
        shot(page, "csp-configurator")
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
def test_copy_invitation_link_in_the_browser(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    problems = _watch(page)
    try:
        log_in(page, "admin@northwind.example")
        _visit(page, "/team/users/new", problems)
        assert page.get_by_label("Role").input_value() == "partner_user"  # least privilege by default
        page.get_by_label("E-mail").fill("csp-invitee@northwind.example")
        page.get_by_label("Name").fill("Csp Invitee")
        page.get_by_role("button", name="Send invitation").click()
        page.wait_for_url("**/team/users")
        row = page.locator("tr", has_text="csp-invitee@northwind.example")
        # dismissing the confirmation sends nothing
        page.once("dialog", lambda d: d.dismiss())
        row.get_by_role("button", name="Copy invitation link").click()
        page.wait_for_timeout(300)
        assert page.get_by_test_id("invitation-link-box").count() == 0
        page.once("dialog", lambda d: d.accept())
        with page.expect_navigation():
            row.get_by_role("button", name="Copy invitation link").click()
        box = page.get_by_test_id("invitation-link-box")
        link = box.locator("#invitation-link").input_value()
        assert "/invitation/" in link
        box.get_by_role("button", name="Copy").click()
        page.wait_for_timeout(300)
        assert box.get_by_role("button", name="Copied").is_visible()
        assert page.evaluate("navigator.clipboard.readText()") == link
        shot(page, "csp-team-invitation-link")
    finally:
        context.close()
    assert problems == []
