"""The orders benchmark's clients (bench/orders.py): a browser just good enough for the portal's
pages, the HTML flow a partner uses to order, and the API order."""
from __future__ import annotations

import json
import re
import statistics
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bench.common import Session
from bench.orders_data import LINES, PASSWORD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Form:
    action: str
    method: str
    id: str | None
    fields: list[list[str]] = field(default_factory=list)

    def data(self, **changes: str) -> str:
        """The form as a browser submits it, with some fields typed in."""
        pairs = [(k, changes.pop(k) if k in changes else v) for k, v in self.fields]
        return urllib.parse.urlencode(pairs + list(changes.items()))


class _FormParser(HTMLParser):
    """Forms with their successful controls: inputs (checked boxes and radios only), selects
    (the selected option, else the first), textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower(), a.get("id"))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if not a.get("name") or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append([a["name"], a.get("value") or ("on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select":
            self._select = [a.get("name"), None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, chosen = self._select
            if name:
                self._form.fields.append([name, chosen if chosen is not None else (first or "")])
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            if self._textarea[0]:
                self._form.fields.append([self._textarea[0], self._textarea[1].removeprefix("\n")])
            self._textarea = None


def forms_of(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


class FlowError(Exception):
    """A page or answer was not what a successful order gives (counted as an error)."""


def form_to(page: str, action: str | None = None, form_id: str | None = None) -> Form:
    for form in forms_of(page):
        if (action is not None and form.action == action) or (form_id is not None and form.id == form_id):
            return form
    raise FlowError(f"no form {action or form_id} on the page")


class HttpBrowser(Session):
    """bench.common.Session (keep-alive connection, cookie jar), answering (status, body, the
    redirect's path)."""

    def call(self, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        status, data, location = self.send(method, path, body, headers)
        return status, data, urllib.parse.urlsplit(location).path if location else ""


class TestClientBrowser:
    """The same interface on a Flask test client (in-process, for counting and profiling)."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def call(self, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        resp = self.client.open(path, method=method, data=body, headers=headers or {})
        location = resp.headers.get("Location") or ""
        return resp.status_code, resp.get_data(as_text=True), urllib.parse.urlsplit(location).path


def step_name(method: str, path: str) -> str:
    return method + " " + re.sub(r"/\d+", "/<id>", path)


class Steps:
    """Times (or counts, through `around`) each request of a flow by its step name."""

    def __init__(self, browser, around=None) -> None:
        self.browser = browser
        self.around = around
        self.times: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)  # this thread's CPU (in-process: the app's)

    def call(self, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        name = step_name(method, path)
        started, cpu = time.perf_counter(), time.thread_time()
        if self.around is not None:
            with self.around(name):
                result = self.browser.call(method, path, body, headers)
        else:
            result = self.browser.call(method, path, body, headers)
        self.times[name].append(time.perf_counter() - started)
        self.cpu[name].append(time.thread_time() - cpu)
        return result


def log_in(steps: Steps, email: str) -> Form:
    """Log in through the form, open the cart; returns the cart's quick-add form (its CSRF token
    is valid for the whole session, as in a cart tab kept open)."""
    _, page, _ = steps.call("GET", "/login")
    form = form_to(page, action="")
    status, _, _ = steps.call("POST", "/login", form.data(email=email, password=PASSWORD), FORM)
    if status != 302:
        raise FlowError(f"log-in failed: {status}")
    status, page, _ = steps.call("GET", "/cart")
    if status != 200:
        raise FlowError(f"cart: {status}")
    return form_to(page, action="/cart/add")


def median_ms(values: list[float]) -> float:
    """The median of step times (seconds) in milliseconds; 0 without any."""
    return 1000 * statistics.median(values) if values else 0.0


# How the HTML flow adds its 20 lines (`adds`): "single" posts the cart's add-by-SKU form once per
# line; "quick" pastes the 20 lines into the quick order page and adds the checked lines (2 requests).
ADD_MODES = ("single", "quick")


def add_lines(steps: Steps, add: Form, lines: list[tuple[str, int]], adds: str = "single") -> None:
    if adds == "quick":
        token = next(value for name, value in add.fields if name == "csrf_token")
        text = "\n".join(f"{sku} {quantity}" for sku, quantity in lines)
        body = urllib.parse.urlencode([("csrf_token", token), ("lines", text)])
        status, page, _ = steps.call("POST", "/orders/quick", body, FORM)
        if status != 200:
            raise FlowError(f"quick order check: {status}")
        checked = form_to(page, action="/orders/quick/add")
        status, _, location = steps.call("POST", checked.action, checked.data(), FORM)
        if status != 302 or location != "/cart":
            raise FlowError(f"quick order add: {status}")
        return
    for sku, quantity in lines:
        status, _, location = steps.call("POST", "/cart/add", add.data(sku=sku, quantity=str(quantity)), FORM)
        if status != 302 or location != "/cart":
            raise FlowError(f"add {sku}: {status}")


def html_order(steps: Steps, add: Form, lines: list[tuple[str, int]], po: str, adds: str = "single") -> int:
    """One order through the pages, the lines added with the cart's quick-add form `add` (or the
    quick order page, see ADD_MODES); returns the order id."""
    add_lines(steps, add, lines, adds)
    status, page, _ = steps.call("GET", "/cart")
    if status != 200 or page.count('name="quantity"') < LINES:
        raise FlowError(f"cart: {status}")
    status, page, _ = steps.call("GET", "/checkout")
    if status != 200:
        raise FlowError(f"checkout: {status}")
    details = form_to(page, action="/checkout/review")
    status, page, _ = steps.call("POST", "/checkout/review", details.data(po_number=po), FORM)
    if status != 200 or 'id="place-form"' not in page:
        raise FlowError(f"review: {status}")
    place = form_to(page, form_id="place-form")
    status, _, location = steps.call("POST", place.action, place.data(), FORM)
    match = re.fullmatch(r"/orders/(\d+)", location)
    if status != 302 or not match:
        raise FlowError(f"place: {status}")
    status, page, _ = steps.call("GET", location)
    if status != 200 or "is placed and submitted" not in page:
        raise FlowError(f"order page: {status}")
    return int(match.group(1))


def api_body(lines: list[tuple[str, int]], po: str) -> dict:
    return {"lines": [{"sku": sku, "quantity": q} for sku, q in lines], "po_number": po,
            "payment_method": "on_account"}


def api_order(steps: Steps, token: str, lines: list[tuple[str, int]], po: str) -> int:
    status, body, _ = steps.call("POST", "/api/v1/orders", json.dumps(api_body(lines, po)), {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4())})
    if status != 201:
        raise FlowError(f"api: {status} {body[:200]}")
    return json.loads(body)["id"]
