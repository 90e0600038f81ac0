"""Browser journeys: the README's demo command serves the portal; headless Chromium drives it."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`flask --app wsgi demo` on a fresh SQLite database, in its own process."""
    port = _free_port()
    instance = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{instance / 'demo.sqlite3'}", SECRET_KEY="browser-tests",
               # the journeys log in far more often than a person: the limits have their own tests
               RATELIMIT_ENABLED="false")
    env.pop("CELERY_BROKER_URL", None)
    log = open(instance / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    else:
        proc.kill()
    if proc.poll() is not None:
        pytest.fail("the demo server did not start:\n" + (instance / "server.log").read_text()[-3000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI ({CHROMIUM} not found)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser journeys skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str = "portal-demo-1") -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


def nav_entry(label: str) -> re.Pattern[str]:
    """A navigation link's name (its icon font may add a character in front)."""
    return re.compile(rf"(^|\W){re.escape(label)}$")


def open_nav(page, label: str) -> None:
    """Follow a navigation entry, opening its menu first when it sits in one."""
    nav = page.get_by_role("navigation", name="Main navigation")
    link = nav.get_by_role("link", name=nav_entry(label))
    if not link.is_visible():
        menu = nav.locator("li.dropdown", has=page.locator("a.dropdown-item", has_text=nav_entry(label)))
        menu.locator(".dropdown-toggle").click()
    link.click()
