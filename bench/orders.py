"""Order placing benchmark on PostgreSQL (issue 5).

Prints 20-line orders placed per second on gunicorn (2 sync workers) with 4 concurrent clients,
through the API and through the HTML flow a partner uses, and the SQL queries per order:

- API: `POST /api/v1/orders` with 20 lines (today's prices), `payment_method` on_account, the
  partner's default ship-to and a fresh `Idempotency-Key` per order; bearer tokens.
- HTML: each client logs in once (its own user, so its own cart) and opens its cart, then per
  order: 20 x `POST /cart/add` (the cart's quick-add form, its CSRF token valid for the session;
  the redirect back to the cart is not followed), opens the cart, opens the checkout, posts the
  review (PO number, the default saved address, on account), posts the review page's "Place
  order" form with its one-time token, and follows the redirect to the order page, as a browser
  does. CSRF stays on: every form is read from the page and posted with its token.

Each client places one warm-up order before the clock starts. Orders counted are those found in
the database (by source) between the start and the end; client errors are listed separately.
Queries per order are counted in-process with the test client, request by request; the CPU used
per order by gunicorn, PostgreSQL and the clients is read from /proc during the load. Without
--celery-broker, gunicorn has no broker, so Celery delivers e-mails inside the request.

    .venv/bin/python bench/orders.py [--seconds 25] [--clients 4] [--profile] [--statements]
                                     [--celery-broker memory://]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text as db_text  # noqa: E402

from bench.common import Session, count_queries, gunicorn, scratch_database  # noqa: E402

PRODUCTS = 1_000
LINES = 20
CLIENTS = 4
PASSWORD = "bench-password-1"
TARGET_API, TARGET_HTML, TARGET_QUERIES = 10.0, 5.0, 60
TIMED_API, TIMED_HTML = 10, 3  # orders timed in-process, one at a time
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def skus() -> list[str]:
    return [f"SKU-{n:04d}" for n in range(1, PRODUCTS + 1)]


# --- data ---------------------------------------------------------------------------------

def build(database_url: str, clients: int) -> dict:
    """Schema; a gold partner with a manager, an admin, one user per client (password and API
    token), a default ship-to address and a credit limit far above what the run orders;
    1,000 products priced in an EUR price book (half with volume tiers), tier discounts and
    100 contract prices."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from catalog.models import ContractPrice, PriceBook, PriceBookEntry, Product, TierDiscount
    from orders.services import addresses
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner, User
    from portal.services import tokens
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(revision="heads")
        password = hash_password(PASSWORD)
        manager = User(email="manager@example.com", name="Manager", role="partner_manager",
                       password_hash=password)
        db.session.add(manager)
        db.session.flush()
        # credit_limit_minor is a 32-bit integer: 20 million euros, far above the run's total
        partner = Partner(name="Bench Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                          currency="EUR", credit_limit_minor=2_000_000_000, payment_terms_days=30,
                          manager_id=manager.id)
        db.session.add(partner)
        db.session.flush()
        db.session.add(User(email="admin@example.com", name="Partner Admin", role="partner_admin",
                            partner_id=partner.id, password_hash=password))
        users = []
        for n in range(clients):
            user = User(email=f"buyer{n}@example.com", name=f"Buyer {n}", role="partner_user",
                        partner_id=partner.id, password_hash=password)
            db.session.add(user)
            db.session.flush()
            _, raw = tokens.issue_token(None, user, "bench")
            users.append({"email": user.email, "token": raw})
        addresses.add_address(partner, {"label": "Main warehouse", "recipient": "Bench GmbH",
                                        "street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin",
                                        "country": "DE"})
        families = ["hardware", "software", "services"]
        db.session.execute(insert(Product), [
            {"sku": sku, "name": f"Product {sku}", "family": families[i % 3], "description": "",
             "unit": "each", "active": True} for i, sku in enumerate(skus())])
        book = PriceBook(name="EUR", currency="EUR", valid_from=date.today() - timedelta(days=1))
        db.session.add(book)
        db.session.flush()
        db.session.execute(insert(PriceBookEntry), [
            {"price_book_id": book.id, "code": sku, "unit_price_minor": 1000 + (i * 37) % 5000,
             "tiers": [[10, 900 + (i * 37) % 5000]] if i % 2 else []} for i, sku in enumerate(skus())])
        db.session.execute(insert(ContractPrice), [
            {"partner_id": partner.id, "code": sku, "unit_price_minor": 700, "currency": "EUR"}
            for sku in skus()[::10]])
        db.session.add_all([TierDiscount(tier="gold", family=f, percent=p)
                            for f, p in (("hardware", 10), ("software", 8), ("services", 5))])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return {"users": users}


def order_lines(rng: Random) -> list[tuple[str, int]]:
    """20 distinct products, 1 to 3 of each."""
    return [(sku, rng.randint(1, 3)) for sku in rng.sample(skus(), LINES)]


# --- a browser, enough for these pages ----------------------------------------------------

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
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        location = resp.getheader("Location") or ""
        return resp.status, data, urllib.parse.urlsplit(location).path if location else ""


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


# How the HTML flow adds its 20 lines: "single" posts the cart's add-by-SKU form once per line;
# "quick" pastes the 20 lines into the quick order page and adds the checked lines (2 requests).
ADD_MODE = "single"


def add_lines(steps: Steps, add: Form, lines: list[tuple[str, int]]) -> None:
    if ADD_MODE == "quick":
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


def html_order(steps: Steps, add: Form, lines: list[tuple[str, int]], po: str) -> int:
    """One order through the pages, the lines added with the cart's quick-add form `add` (or the
    quick order page, see ADD_MODE); returns the order id."""
    add_lines(steps, add, lines)
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


# --- load over HTTP -----------------------------------------------------------------------

def run_load(base: str, kind: str, users: list[dict], seconds: float, watch: Watch) -> dict:
    """`len(users)` client threads place orders for `seconds`. Before the clock starts each
    client logs in (HTML) and places one warm-up order (the workers import and compile lazily);
    orders created are counted in the database when the clock starts and after the last client
    has finished its order in flight, and so is the CPU time used meanwhile."""
    source = "cart" if kind == "html" else "api"
    placed = [0]
    errors: Counter[str] = Counter()
    times: dict[str, list[float]] = defaultdict(list)
    order_times: list[float] = []
    lock = threading.Lock()
    deadline = [0.0]
    began = [0.0]
    at_start = [0]
    cpu_start: list[dict] = []

    def start_clock() -> None:  # run once, when every client is ready
        at_start[0] = watch.created(source)
        cpu_start.append(watch.cpu())
        began[0] = time.monotonic()
        deadline[0] = began[0] + seconds

    ready = threading.Barrier(len(users), action=start_clock)

    def worker(n: int, user: dict) -> None:
        rng = Random(1000 * n + (kind == "html"))
        steps = Steps(HttpBrowser(base))
        add = None
        try:
            if kind == "html":
                add = log_in(steps, user["email"])
                html_order(steps, add, order_lines(rng), f"PO-warm-{n}")
            else:
                api_order(steps, user["token"], order_lines(rng), f"PO-warm-{n}")
        finally:
            ready.wait()
        steps.times.clear()
        i = 0
        while time.monotonic() < deadline[0]:
            i += 1
            po = f"PO-{kind}-{n}-{i}"
            started = time.perf_counter()
            try:
                if kind == "html":
                    html_order(steps, add, order_lines(rng), po)
                else:
                    api_order(steps, user["token"], order_lines(rng), po)
            except Exception as exc:  # noqa: BLE001 - a failed order: counted, then go on
                with lock:
                    errors[(str(exc) if isinstance(exc, FlowError) else f"{type(exc).__name__}: {exc}")[:100]] += 1
                steps.browser.conn.close()  # a fresh connection for the next request
                if kind == "html":  # start again with an empty cart
                    try:
                        _, page, _ = steps.call("GET", "/cart")
                        steps.call("POST", "/cart/clear", form_to(page, action="/cart/clear").data(), FORM)
                    except Exception:  # noqa: BLE001 - counted above; try again next round
                        pass
                continue
            with lock:
                placed[0] += 1
                order_times.append(time.perf_counter() - started)
        with lock:
            for name, values in steps.times.items():
                times[name].extend(values)

    threads = [threading.Thread(target=worker, args=(n, u)) for n, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began[0]
    cpu = Watch.used(cpu_start[0], watch.cpu())
    order_times.sort()
    return {"placed": placed[0], "created": watch.created(source) - at_start[0], "seconds": took,
            "errors": errors, "times": times, "cpu": cpu, "load": os.getloadavg(),
            "p50_ms": 1000 * statistics.median(order_times) if order_times else 0.0,
            "p95_ms": 1000 * order_times[int(0.95 * (len(order_times) - 1))] if order_times else 0.0}


class Watch:
    """Orders in the database by source, and the CPU time used by the gunicorn workers, the
    database's PostgreSQL backends and this process (the clients), from /proc (Linux)."""

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url)

    def created(self, source: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(db_text("SELECT count(*) FROM orders WHERE source = :s"), {"s": source}).scalar()

    @staticmethod
    def _ticks(pid: int) -> int | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])  # utime + stime

    @staticmethod
    def _children(ppid: int) -> list[int]:
        out = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                        out.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    pass
        return out

    def cpu(self) -> dict[str, dict[int, int] | float]:
        """A snapshot: ticks per gunicorn worker and per PostgreSQL backend, client seconds."""
        masters = [pid for pid in self._children(os.getpid())
                   if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        workers = [pid for master in masters for pid in self._children(master)]
        with self.engine.connect() as conn:
            backends = list(conn.execute(db_text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars())
        return {"gunicorn": {pid: self._ticks(pid) or 0 for pid in workers},
                "postgres": {pid: self._ticks(pid) or 0 for pid in backends},
                "client": time.process_time()}

    @staticmethod
    def used(start: dict, end: dict) -> dict[str, float]:
        """CPU seconds between two snapshots (a process that ended in between is missed)."""
        hz = os.sysconf("SC_CLK_TCK")
        return {"gunicorn": sum(t - start["gunicorn"].get(p, 0) for p, t in end["gunicorn"].items()) / hz,
                "postgres": sum(t - start["postgres"].get(p, 0) for p, t in end["postgres"].items()) / hz,
                "client": end["client"] - start["client"]}


# --- queries per order, in-process ----------------------------------------------------------

def in_process_app(database_url: str):
    """The app as gunicorn runs it (CSRF on, no broker: e-mails are delivered in the request
    after commit), on the same database."""
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "SESSION_COOKIE_SECURE": False, "CELERY_BROKER_URL": None})


@contextmanager
def query_counter(engine):
    """Counts per step; statements run while delivering e-mails (after commit, by Celery in
    eager mode as without a broker; a worker's job in production) are counted apart."""
    from portal.services import mail

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # step -> [request, e-mail]
    original = mail.deliver

    with count_queries(engine) as statements:
        in_mail = [0]

        def deliver(email_id: int) -> bool:
            before = len(statements)
            try:
                return original(email_id)
            finally:
                in_mail[0] += len(statements) - before

        @contextmanager
        def around(name: str):
            start = len(statements)
            in_mail[0] = 0
            try:
                yield
            finally:
                total = len(statements) - start
                counts[name][0] += total - in_mail[0]
                counts[name][1] += in_mail[0]

        mail.deliver = deliver
        try:
            yield counts, around, statements
        finally:
            mail.deliver = original


def count_per_order(database_url: str, users: list[dict]) -> dict:
    """Queries of one API order and of one HTML order (each step), after a warm-up order."""
    from portal.extensions import db

    app = in_process_app(database_url)
    with app.app_context():
        engine = db.engine
    rng = Random(7)
    api = Steps(TestClientBrowser(app))
    api_order(api, users[0]["token"], order_lines(rng), "PO-warm-api")
    api.times.clear()
    api.cpu.clear()
    for i in range(TIMED_API):
        api_order(api, users[0]["token"], order_lines(rng), f"PO-time-api-{i}")
    api_times = {k: list(v) for k, v in api.times.items()}
    api_cpu = {k: list(v) for k, v in api.cpu.items()}
    with query_counter(engine) as (api_counts, around, statements):
        api.around = around
        api_order(api, users[0]["token"], order_lines(rng), "PO-count-api")
        api_statements = list(statements)
    html = Steps(TestClientBrowser(app))
    add = log_in(html, users[1]["email"])
    html_order(html, add, order_lines(rng), "PO-warm-html")
    html.times.clear()
    html.cpu.clear()
    for i in range(TIMED_HTML):
        html_order(html, add, order_lines(rng), f"PO-time-html-{i}")
    html_times = {k: list(v) for k, v in html.times.items()}
    html_cpu = {k: list(v) for k, v in html.cpu.items()}
    with query_counter(engine) as (html_counts, around, _):
        html.around = around
        html_order(html, add, order_lines(rng), "PO-count-html")
    return {"api": dict(api_counts), "html": dict(html_counts), "api_statements": api_statements,
            "api_times": api_times, "html_times": html_times, "api_cpu": api_cpu, "html_cpu": html_cpu}


def profile(database_url: str, users: list[dict], orders: int = 20) -> None:
    """cProfile of API orders and HTML orders in-process, timed by CPU (`time.thread_time`, so
    waiting for PostgreSQL does not count): the project's functions by cumulative CPU time."""
    import cProfile
    import pstats

    ours = r"/(orders|catalog|portal)/"
    app = in_process_app(database_url)
    rng = Random(11)
    api = Steps(TestClientBrowser(app))
    api_order(api, users[2]["token"], order_lines(rng), "PO-warm-prof")
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    for i in range(orders):
        api_order(api, users[2]["token"], order_lines(rng), f"PO-prof-api-{i}")
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"\n--- CPU profile: {orders} API orders in-process, {1000 * stats.total_tt / orders:.1f} ms of CPU per "
          "order with the profiler's overhead (about twice the real figure)")
    stats.sort_stats("cumulative").print_stats(ours, 30)
    html = Steps(TestClientBrowser(app))
    add = log_in(html, users[3]["email"])
    html_order(html, add, order_lines(rng), "PO-warm-prof-html")
    html.cpu.clear()
    n = max(1, orders // 4)
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    for i in range(n):
        html_order(html, add, order_lines(rng), f"PO-prof-html-{i}")
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"\n--- CPU profile: {n} HTML orders in-process, {1000 * stats.total_tt / n:.1f} ms of CPU per order "
          "with the profiler's overhead; by step:")
    for name, values in sorted(html.cpu.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {name:24} {len(values) // n:3d} per order, {median_ms(values):6.1f} ms each")
    stats.sort_stats("cumulative").print_stats(ours, 40)


# --- main ---------------------------------------------------------------------------------

def print_load(label: str, r: dict, target: float, clients: int) -> None:
    rate = r["created"] / r["seconds"]
    verdict = "ok" if rate >= target else "MISSED"
    print(f"{label}: {rate:.1f} orders/s ({r['created']} orders created in {r['seconds']:.1f} s, "
          f"{r['placed']} confirmed by the clients; order p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms; "
          f"{sum(r['errors'].values())} errors; {clients} clients, gunicorn 2 sync workers) "
          f"target >= {target:g}: {verdict}")
    for error, n in r["errors"].most_common(5):
        print(f"    error x{n}: {error}")
    if r["created"]:
        cpu = {k: 1000 * v / r["created"] for k, v in r["cpu"].items()}
        server = cpu["gunicorn"] + cpu["postgres"]
        print(f"      CPU per order: gunicorn workers {cpu['gunicorn']:.0f} ms, PostgreSQL {cpu['postgres']:.0f} ms, "
              f"client threads {cpu['client']:.0f} ms: at most ~{2000 / server:.1f} orders/s if gunicorn and PostgreSQL "
              f"had the 2 cores to themselves (load average at the end of the run {r['load'][0]:.1f})")


def free_port() -> int:
    """A port nobody listens on (another benchmark may hold gunicorn's default 5123)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=25, help="load duration of each flow (default 25)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--profile", action="store_true", help="also cProfile orders in-process")
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of an API order")
    parser.add_argument("--celery-broker", metavar="URL",
                        help="CELERY_BROKER_URL for gunicorn: e-mails are queued instead of delivered in the "
                             "request (memory:// queues them in the worker and never sends them)")
    parser.add_argument("--adds", choices=("single", "quick"), default="single",
                        help="HTML flow: add the 20 lines one by one (single) or pasted into quick order")
    args = parser.parse_args()
    global ADD_MODE
    ADD_MODE = args.adds
    with scratch_database("bench_orders") as url:
        started = time.perf_counter()
        users = build(url, args.clients)["users"]
        print(f"data: {PRODUCTS:,} products in an EUR price book, {args.clients} partner users with "
              f"passwords and API tokens (built in {time.perf_counter() - started:.1f} s); "
              f"orders of {LINES} lines, on account; HTML lines added: {ADD_MODE}")
        counted = count_per_order(url, users)
        if args.profile:
            profile(url, users)
        watch = Watch(url)
        extra = {"CELERY_BROKER_URL": args.celery_broker} if args.celery_broker else None
        with gunicorn(url, port=free_port(), extra_env=extra) as base:
            api = run_load(base, "api", users, args.seconds, watch)
            html = run_load(base, "html", users, args.seconds, watch)
        with watch.engine.connect() as conn:
            short = conn.execute(db_text("SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM order_lines l "
                                         "WHERE l.order_id = o.id) <> :n"), {"n": LINES}).scalar()
        watch.engine.dispose()

    def breakdown(measures: dict[str, list[float]], orders: int) -> str:
        total = sum(sum(v) for v in measures.values()) / orders
        return f"{1000 * total:.0f} ms = " + " + ".join(
            f"{len(v) // orders} x {name} {median_ms(v):.1f}" if len(v) > orders else f"{name} {median_ms(v):.0f}"
            for name, v in measures.items())

    print("\nin-process, one order at a time (test client, no concurrency; medians; 'CPU' is the app's own "
          "Python time, without PostgreSQL's):")
    print(f"  API order:  {median_ms(counted['api_times']['POST /api/v1/orders']):.0f} ms, "
          f"CPU {median_ms(counted['api_cpu']['POST /api/v1/orders']):.0f} ms")
    print(f"  HTML order: {breakdown(counted['html_times'], TIMED_HTML)}")
    print(f"        CPU:  {breakdown(counted['html_cpu'], TIMED_HTML)}")
    print("\ngunicorn: e-mails " + (f"queued to {args.celery_broker}" if args.celery_broker else
                                   "delivered in the request after commit (no broker: Celery runs tasks eagerly)"))
    print_load("API   POST /api/v1/orders", api, TARGET_API, args.clients)
    print_load("HTML  20 adds, cart, checkout, review, place", html, TARGET_HTML, args.clients)
    print(f"      orders in the database without exactly {LINES} lines: {short}")
    print("      HTML steps under load (median): " + ", ".join(
        f"{name} {median_ms(v):.0f} ms" for name, v in html["times"].items()))

    print()
    ((_, (api_q, api_mail)),) = counted["api"].items()
    print(f"SQL queries per API order: {api_q} (+{api_mail} delivering its 3 e-mails after commit: without a "
          f"broker Celery runs that in the request, in production a worker does), target <= {TARGET_QUERIES}: "
          f"{'ok' if api_q <= TARGET_QUERIES else 'MISSED'}")
    html_counts = counted["html"]
    total_q = sum(q for q, _ in html_counts.values())
    total_mail = sum(m for _, m in html_counts.values())
    place_q = html_counts["POST /checkout/place"][0]
    print(f"SQL queries per HTML order: placing (POST /checkout/place) {place_q}, target <= {TARGET_QUERIES}: "
          f"{'ok' if place_q <= TARGET_QUERIES else 'MISSED'}; the whole flow {total_q} over {LINES + 5} requests "
          f"(+{total_mail} e-mail):")
    for name, (q, m) in html_counts.items():
        each = f"{q // LINES:3d} each ({q})" if name == "POST /cart/add" else f"{q:3d}"
        print(f"    {name:24} {each}" + (f" (+{m} e-mail)" if m else ""))
    if args.statements:
        print("SQL statements of an API order:")
        for statement, n in Counter(re.sub(r"\s+", " ", st).strip()[:90]
                                    for st in counted["api_statements"]).most_common():
            print(f"  {n:2d} x {statement}")


if __name__ == "__main__":
    main()
