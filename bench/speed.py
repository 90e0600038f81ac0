"""Per-request cost benchmark (issue 19): the portal beside a bare Flask + SQLAlchemy ceiling page,
in ONE run, on ONE scratch PostgreSQL database.

The data: bench/pricing.py's `build` (10,000 products, a 100,000-entry EUR price book, 1,000
contract prices, a gold partner and its admin bench@example.com) plus what the order flows of
bench/orders.py need, added to the same partner and price book (bench/orders_data.py's 1,000
products SKU-0001.. priced in that book, every 10th with a contract price, a manager, one buyer
per client with a password and an API token, a default ship-to address).

Two gunicorns, 2 sync workers each, on the same database: the reference page
(bench/ceiling_app.py: one ORM query for the 20 products of the portal's catalog page 1, a small
Jinja table, no log-in) and the portal (wsgi:app, no Celery broker: e-mails are delivered in the
request after commit, as in bench/orders.py). Page loads go through `wrk -t2 -c16 -d<seconds>`
(the portal's with a logged-in partner's session cookie): the ceiling, the catalog list page 1,
the ceiling again (the ratio is taken against the mean of the two), the product pages. Before
each load the idle check waits (up to --idle-wait s) for a second with the CPUs under
--idle-busy % busy and prints the 1-minute load average and that second's share; during each
load the CPU used by processes outside the run is measured and printed (others share this
machine: figures taken while they use a core are not comparable). Then the order
flows of bench/orders.py with 4 clients each: the 25-step HTML flow (20 x add, cart, checkout,
review, place, order page) and the API order. SQL statements are counted in-process with the
test client (pages: one request after a warm-up; order flows: bench/orders_inprocess.py, plus a
40-line HTML order to show whether placing costs a fixed number of statements). Worker memory is
VmRSS from /proc/<pid>/status after the loads; start-up is the time from spawning gunicorn to
its first 200 answer.

    .venv/bin/python bench/speed.py [--seconds 20] [--order-seconds 25] [--quick]
                                    [--idle-busy 20] [--idle-wait 30] [--ceiling core|fsa]

A full run takes about 2.5 minutes on a quiet machine; --quick (5 s page loads, 6 s order flows)
about a minute. The printed table ends with the idle checks, the other processes' CPU during each
load, the non-200 answers and the answers' sizes.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    Session,
    count_queries,
    free_port,
    proc_children,
    proc_cpu_ticks,
    scratch_database,
)
from bench.orders_data import LINES, skus
from bench.pricing import PASSWORD, page_queries
from bench.pricing import build as build_pricing

CLIENTS = 4  # order flows
CONNECTIONS = 16  # wrk -c
EMAIL = "bench@example.com"  # pricing.build's partner admin
CATALOG_PAGE = "/catalog?page=1"
PRODUCT_PATHS = [f"/catalog/SKU-{n:05d}" for n in range(1, 200)] + ["/catalog/CFG-0"]  # as bench/pricing.py
# the product page: at least 50 % above today's 251-293 req/s (issue 19)
TARGETS = {"ratio": 60.0, "catalog_sql": 5, "p99_ms": 50.0, "product_rps": (1.5 * 251, 1.5 * 293), "html": 13.0,
           "add_sql": 3, "api": 50.0}


# --- data -------------------------------------------------------------------------------------

def add_order_data(database_url: str, clients: int) -> list[dict]:
    """What bench/orders_data.py's `build` adds, onto pricing.build's partner and price book (its
    own partner, book and tier discounts would clash with theirs): a manager, one buyer per
    client (password, API token), a default ship-to, credit far above the run's total, the 1,000
    products SKU-0001.. priced in the existing EUR book (half with tiers) and a contract price
    for every 10th. The partner's admin is pricing.build's bench@example.com."""
    from sqlalchemy import insert, select

    from catalog.models import ContractPrice, PriceBook, PriceBookEntry, Product
    from orders.services import addresses
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner, User
    from portal.services import tokens
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        password = hash_password(PASSWORD)
        partner = db.session.scalar(select(Partner).where(Partner.name == "Bench Partner"))
        manager = User(email="manager@example.com", name="Manager", role="partner_manager", password_hash=password)
        db.session.add(manager)
        db.session.flush()
        partner.manager_id = manager.id
        partner.credit_limit_minor = 2_000_000_000  # a 32-bit column: as in orders_data.py
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
        book = db.session.scalar(select(PriceBook).where(PriceBook.currency == "EUR"))
        db.session.execute(insert(PriceBookEntry), [
            {"price_book_id": book.id, "code": sku, "unit_price_minor": 1000 + (i * 37) % 5000,
             "tiers": [[10, 900 + (i * 37) % 5000]] if i % 2 else []} for i, sku in enumerate(skus())])
        db.session.execute(insert(ContractPrice), [
            {"partner_id": partner.id, "code": sku, "unit_price_minor": 700, "currency": "EUR"}
            for sku in skus()[::10]])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return users


# --- servers ----------------------------------------------------------------------------------

def first_200(port: int, path: str, started: float, proc: subprocess.Popen, timeout: float = 60) -> float:
    """Seconds from `started` (the spawn) to the first 200 answer to GET `path`, polling every 10 ms."""
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no 200 from :{port}{path} within {timeout} s")


@contextmanager
def serve(app: str, database_url: str, probe: str, workers: int = 2):
    """gunicorn (`workers` sync workers) serving `app` on a free port; yields (base URL, master
    process, seconds from spawn to the first 200 answer to `probe`)."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench", SESSION_COOKIE_SECURE="false")
    env.pop("CELERY_BROKER_URL", None)
    started = time.perf_counter()
    log = tempfile.NamedTemporaryFile("w+", prefix="speed-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", app], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        startup = first_200(port, probe, started, proc)
        yield f"http://127.0.0.1:{port}", proc, startup
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.seek(0)
        errors = [line for line in log if "Traceback" in line or "[ERROR]" in line]
        log.close()
        if errors:
            print(f"  {app}: {len(errors)} errors in its log, kept in {log.name}")
        else:
            os.unlink(log.name)


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    """VmRSS of each gunicorn worker (children of the master), MiB."""
    out = []
    for pid in sorted(proc_children(master.pid)):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            out.append(int(match.group(1)) / 1024)
    return out


# --- idle check and wrk -----------------------------------------------------------------------

def cpu_busy(interval: float = 1.0) -> float:
    """Share of all CPUs busy (not idle or iowait) over `interval` seconds, from /proc/stat, %."""
    def snap():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = snap()
    time.sleep(interval)
    total1, idle1 = snap()
    return 100.0 * (1 - (idle1 - idle0) / max(1, total1 - total0))


IDLE = {"busy": 20.0, "wait": 30.0}  # set from the options


def idle_check(label: str) -> dict[str, float]:
    """Wait (up to IDLE["wait"] seconds) for a second with the CPUs less than IDLE["busy"] % busy,
    then print the 1-minute load average and that second's CPU share (others use this machine)."""
    began = time.monotonic()
    busy = cpu_busy()
    while busy >= IDLE["busy"] and time.monotonic() - began < IDLE["wait"]:
        busy = cpu_busy()
    waited = time.monotonic() - began
    load1 = os.getloadavg()[0]
    print(f"  idle check before {label}: load average (1 min) {load1:.2f}, CPU busy over the last second "
          f"{busy:.0f} % (waited {waited:.0f} s)" + ("" if busy < IDLE["busy"] else " NOT IDLE"), flush=True)
    return {"load1": load1, "busy": busy, "waited": waited}


class OthersCpu:
    """CPU the rest of the machine used during a load: all CPUs' busy time (/proc/stat) minus
    what the run's own processes used (both gunicorns' workers, the scratch database's PostgreSQL
    backends, this process and its finished children such as wrk), in cores (1.0 = one core
    busy all along). A backend that ended during the load is missed and counts as others'."""

    def __init__(self, database_url: str, masters: list[subprocess.Popen]) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url)
        self.masters = masters
        self.hz = os.sysconf("SC_CLK_TCK")

    def snap(self) -> dict:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        from sqlalchemy import text

        with self.engine.connect() as conn:
            backends = list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                            .scalars())
        pids = [pid for m in self.masters for pid in proc_children(m.pid)] + backends
        t = os.times()
        return {"busy": sum(fields) - fields[3] - fields[4], "at": time.monotonic(),
                "pids": {pid: proc_cpu_ticks(pid) or 0 for pid in pids},
                "self": (t.user + t.system + t.children_user + t.children_system) * self.hz}

    def cores(self, start: dict, end: dict) -> float:
        ours = sum(v - start["pids"].get(pid, 0) for pid, v in end["pids"].items()) + end["self"] - start["self"]
        return max(0.0, (end["busy"] - start["busy"] - ours) / self.hz / (end["at"] - start["at"]))


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; bad = 0 end
%(request)s
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local not200 = 0
  for _, t in ipairs(threads) do not200 = not200 + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%.3f %%.3f %%.3f %%.3f %%d\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, not200, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.bytes))
end
"""


def wrk(base: str, paths: list[str], seconds: int, cookie: str | None = None,
        connections: int = CONNECTIONS) -> dict[str, float]:
    """`wrk -t2 -c<connections> -d<seconds>s` over `paths` round-robin; requests/s, latency
    percentiles (ms), socket errors and answers other than 200 (a lost session's 302 counts)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if len(paths) == 1:
        request = ""
        url = base + paths[0]
    else:
        request = ("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                   "function request() n = n + 1; return wrk.format('GET', paths[(n % #paths) + 1]) end")
        url = base
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % {"request": request})
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", f.name, url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    _, requests, errors, not200, duration_us, p50, p90, p99, top, size = line.split()
    return {"requests": int(requests), "rps": int(requests) / (int(duration_us) / 1e6), "errors": int(errors),
            "not200": int(not200), "p50_ms": float(p50), "p90_ms": float(p90), "p99_ms": float(p99),
            "max_ms": float(top), "kib": int(size) / max(1, int(requests)) / 1024}


def partner_cookie(base: str) -> tuple[str, Session]:
    session = Session(base)
    session.login(EMAIL, PASSWORD)
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items()), session


# --- SQL statements ---------------------------------------------------------------------------

CEILINGS = {"core": "create_app", "fsa": "create_fsa_app"}  # bench/ceiling_app.py's factories


def ceiling_queries(database_url: str, variant: str) -> int:
    from bench import ceiling_app

    app = getattr(ceiling_app, CEILINGS[variant])(database_url)
    client = app.test_client()
    client.get("/")
    with count_queries(app.extensions["ceiling_engine"]) as statements:
        assert client.get("/").status_code == 200
    app.extensions["ceiling_engine"].dispose()
    return len(statements)


def place_statements(database_url: str, user: dict, lines: int) -> tuple[int, int, int]:
    """(statements per add, statements for place, e-mail statements for place) of one HTML order
    of `lines` lines, in-process with the test client, after a warm-up order."""
    from bench.orders_flows import Steps, TestClientBrowser, html_order, log_in
    from bench.orders_inprocess import in_process_app, query_counter
    from portal.extensions import db

    app = in_process_app(database_url)
    with app.app_context():
        engine = db.engine
    rng = Random(lines)
    steps = Steps(TestClientBrowser(app))
    add = log_in(steps, user["email"])
    html_order(steps, add, [(s, rng.randint(1, 3)) for s in rng.sample(skus(), lines)], f"PO-warm-{lines}")
    with query_counter(engine) as (counts, around, _):
        steps.around = around
        html_order(steps, add, [(s, rng.randint(1, 3)) for s in rng.sample(skus(), lines)], f"PO-count-{lines}")
    engine.dispose()
    return counts["POST /cart/add"][0] // lines, counts["POST /checkout/place"][0], counts["POST /checkout/place"][1]


# --- the run ----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, help="wrk duration of each page load (default 20, --quick 5)")
    parser.add_argument("--order-seconds", type=float, help="duration of each order flow load (default 25, --quick 6)")
    parser.add_argument("--quick", action="store_true", help="short loads while developing")
    parser.add_argument("--idle-busy", type=float, default=20.0,
                        help="idle check: CPU busy %% under which the machine counts as idle (default 20)")
    parser.add_argument("--idle-wait", type=float,
                        help="idle check: seconds to wait for an idle second before each load (default 30, --quick 5)")
    parser.add_argument("--ceiling", choices=CEILINGS, default="core",
                        help="the reference page with plain SQLAlchemy (core, default) or Flask-SQLAlchemy (fsa)")
    args = parser.parse_args()
    IDLE["busy"], IDLE["wait"] = args.idle_busy, args.idle_wait if args.idle_wait is not None else (5 if args.quick else 30)
    seconds = args.seconds or (5 if args.quick else 20)
    order_seconds = args.order_seconds or (6 if args.quick else 25)

    from bench.orders_inprocess import count_per_order
    from bench.orders_load import Watch, run_load

    git = subprocess.run(["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--short", "--", "portal", "catalog", "orders", "opportunities",
                            "admin", "templates"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    dirty = [d for d in dirty if d.strip()]
    print(f"bench/speed.py at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {git}, application code "
          + (f"with {len(dirty)} uncommitted changes: " + ", ".join(d.strip() for d in dirty[:12])
             + (" ..." if len(dirty) > 12 else "") if dirty else "without uncommitted changes")
          + f"; {os.cpu_count()} CPUs; wrk -t2 -c{CONNECTIONS} -d{seconds}s; order flows {CLIENTS} clients, "
          f"{order_seconds:g} s each", flush=True)
    r: dict = {}
    with scratch_database("bench_speed") as url:
        started = time.perf_counter()
        build_pricing(url)
        users = add_order_data(url, CLIENTS)
        print(f"data built in {time.perf_counter() - started:.1f} s", flush=True)
        r["ceiling_sql"] = ceiling_queries(url, args.ceiling)
        q = page_queries(url, [CATALOG_PAGE, "/catalog/SKU-00042", "/catalog/CFG-0"])
        r["catalog_sql"], r["product_sql"], r["cfg_sql"] = q[CATALOG_PAGE], q["/catalog/SKU-00042"], q["/catalog/CFG-0"]
        counted = count_per_order(url, users)
        html_counts = counted["html"]
        r["add_sql"] = html_counts["POST /cart/add"][0] // LINES
        r["place_sql"], r["place_mail"] = html_counts["POST /checkout/place"]
        r["flow_sql"] = sum(n for n, _ in html_counts.values())
        ((_, (r["api_sql"], r["api_mail"])),) = counted["api"].items()
        r["add_sql_40"], r["place_sql_40"], _ = place_statements(url, users[2], 2 * LINES)
        print("SQL statements counted in-process", flush=True)

        with serve(f"bench.ceiling_app:{CEILINGS[args.ceiling]}()", url, "/") as (ceiling_base, ceiling_proc, ceiling_start), \
                serve("wsgi:app", url, "/login") as (base, portal_proc, portal_start):
            r["ceiling_start"], r["portal_start"] = ceiling_start, portal_start
            cookie, session = partner_cookie(base)
            # the same rows: every SKU of the ceiling page is on the portal's page 1, in the same order
            ceiling_skus = re.findall(r'href="/catalog/([^"]+)"', Session(ceiling_base).request("GET", "/")[1])
            status, page = session.request("GET", CATALOG_PAGE)
            assert status == 200, f"catalog page 1: {status}"
            positions = [page.find(f"/catalog/{sku}\"") for sku in ceiling_skus]
            r["same_rows"] = len(ceiling_skus) == 20 and all(p >= 0 for p in positions) and positions == sorted(positions)
            others = OthersCpu(url, [ceiling_proc, portal_proc])
            for key, label, target, paths, ck in (
                    ("ceiling", "ceiling page (bench/ceiling_app.py)", ceiling_base, ["/"], None),
                    ("catalog", f"portal catalog list {CATALOG_PAGE}", base, [CATALOG_PAGE], cookie),
                    ("ceiling2", "ceiling page again (bracketing the catalog list)", ceiling_base, ["/"], None),
                    ("product", "portal product pages (200 SKUs)", base, PRODUCT_PATHS, cookie)):
                r[key + "_idle"] = idle_check(label)
                before = others.snap()
                r[key] = wrk(target, paths, seconds, ck)
                r[key + "_others"] = others.cores(before, others.snap())
                x = r[key]
                print(f"  {label}: {x['rps']:.0f} req/s, p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, "
                      f"{x['errors']} socket errors, {x['not200']} not 200, {x['kib']:.1f} KiB per answer; other processes used "
                      f"{r[key + '_others']:.2f} cores meanwhile", flush=True)
            r["ceiling_rss"] = worker_rss_mb(ceiling_proc)
            r["rss_pages"] = worker_rss_mb(portal_proc)
            watch = Watch(url)
            for kind in ("api", "html"):
                r[kind + "_idle"] = idle_check(f"{kind.upper()} order flow")
                before = others.snap()
                r[kind] = run_load(base, kind, users, order_seconds, watch)
                r[kind + "_others"] = others.cores(before, others.snap())
                x = r[kind]
                print(f"  {kind.upper()} orders: {x['created'] / x['seconds']:.1f} orders/s, "
                      f"{sum(x['errors'].values())} errors; other processes used {r[kind + '_others']:.2f} cores "
                      "meanwhile (including the warm-up orders)", flush=True)
                for error, n in x["errors"].most_common(3):
                    print(f"    error x{n}: {error}")
            r["rss"] = worker_rss_mb(portal_proc)
            watch.engine.dispose()
            others.engine.dispose()
    print_table(r, seconds, order_seconds, args.ceiling)


def print_table(r: dict, seconds: int, order_seconds: float, variant: str = "core") -> None:
    c, p, ceiling, again = r["catalog"], r["product"], r["ceiling"], r["ceiling2"]
    ceiling_rps = (ceiling["rps"] + again["rps"]) / 2
    ratio = 100 * c["rps"] / ceiling_rps
    lo, hi = TARGETS["product_rps"]
    api = r["api"]["created"] / r["api"]["seconds"]
    html = r["html"]["created"] / r["html"]["seconds"]
    rows = [
        ("ceiling page (bare Flask + " + ("Flask-SQLAlchemy" if variant == "fsa" else "SQLAlchemy") + ", 20 rows)", f"{ceiling_rps:.0f} req/s",
         f"mean of {ceiling['rps']:.0f} before and {again['rps']:.0f} after the catalog list", "reference"),
        ("  latency p50 / p99; SQL statements", f"{ceiling['p50_ms']:.1f} / {ceiling['p99_ms']:.1f} ms",
         f"{r['ceiling_sql']} SQL statement per request", ""),
        ("portal catalog list page 1 (partner, net prices)", f"{c['rps']:.0f} req/s",
         f"{ratio:.0f} % of ceiling", f">= {TARGETS['ratio']:.0f} %: {verdict(ratio >= TARGETS['ratio'])}"),
        ("  latency p50 / p99 (16 connections)", f"{c['p50_ms']:.1f} / {c['p99_ms']:.1f} ms", "",
         f"p99 < {TARGETS['p99_ms']:.0f} ms: {verdict(c['p99_ms'] < TARGETS['p99_ms'])}"),
        ("  SQL statements per request", f"{r['catalog_sql']}", "",
         f"<= {TARGETS['catalog_sql']}: {verdict(0 <= r['catalog_sql'] <= TARGETS['catalog_sql'])}"),
        ("portal product page (200 SKUs round-robin)", f"{p['rps']:.0f} req/s",
         f"{100 * p['rps'] / ceiling_rps:.0f} % of ceiling; p50 {p['p50_ms']:.1f} / p99 {p['p99_ms']:.1f} ms",
         f">= {lo:.0f}-{hi:.0f} (1.5 x 251-293): " + ("ok" if p["rps"] >= hi else "ok vs 251 only"
                                                        if p["rps"] >= lo else "MISSED")),
        ("  SQL statements per request", f"{r['product_sql']}", f"{r['cfg_sql']} for the configurable CFG-0", ""),
        ("HTML 25-step order flow (4 clients)", f"{html:.1f} orders/s",
         f"{r['html']['created']} orders, {sum(r['html']['errors'].values())} errors",
         f">= {TARGETS['html']:.0f}: {verdict(html >= TARGETS['html'])}"),
        ("  SQL per add (20-line / 40-line order)", f"{r['add_sql']} / {r['add_sql_40']}", "",
         f"<= {TARGETS['add_sql']}: {verdict(max(r['add_sql'], r['add_sql_40']) <= TARGETS['add_sql'])}"),
        ("  SQL for place (20-line / 40-line order)", f"{r['place_sql']} / {r['place_sql_40']}",
         f"+{r['place_mail']} e-mail; whole flow {r['flow_sql']}",
         f"fixed: {verdict(r['place_sql'] == r['place_sql_40'])}"),
        ("API orders (4 clients, 20 lines)", f"{api:.1f} orders/s",
         (f"{r['api']['created']} orders, {sum(r['api']['errors'].values())} errors, {r['api_sql']} SQL "
          f"(+{r['api_mail']} e-mail)"), f">= {TARGETS['api']:.0f}: {verdict(api >= TARGETS['api'])}"),
        ("portal RSS per worker after page loads / after all", " + ".join(f"{m:.0f}" for m in r["rss_pages"]) + " MiB",
         " + ".join(f"{m:.0f}" for m in r["rss"]) + " MiB", "printed"),
        ("ceiling RSS per worker after its load", " + ".join(f"{m:.0f}" for m in r["ceiling_rss"]) + " MiB", "", ""),
        ("spawn to first 200: portal GET /login / ceiling", f"{r['portal_start']:.2f} s",
         f"{r['ceiling_start']:.2f} s", "printed"),
    ]
    print(f"\nissue 19: per-request cost, one run (wrk -t2 -c{CONNECTIONS} -d{seconds}s per page load, "
          f"order flows {order_seconds:g} s each; gunicorn 2 sync workers each)")
    w = [max(len(row[i]) for row in rows) for i in range(4)]
    head = ("measure", "figure", "detail", "target")
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)).rstrip())
    print("  ".join("-" * w[i] for i in range(4)))
    for row in rows:
        print("  ".join(v.ljust(w[i]) for i, v in enumerate(row)).rstrip())
    print("idle checks (load average 1 min / CPU busy % in the second before each load): " + ", ".join(
        f"{k} {r[k + '_idle']['load1']:.2f}/{r[k + '_idle']['busy']:.0f}%"
        + ("" if r[k + "_idle"]["busy"] < IDLE["busy"] else " NOT IDLE")
        for k in ("ceiling", "catalog", "ceiling2", "product", "api", "html")))
    print("other processes' CPU during each load (cores; the run's own gunicorns, PostgreSQL backends, wrk "
          "and clients excluded): " + ", ".join(f"{k} {r[k + '_others']:.2f}"
                                                for k in ("ceiling", "catalog", "ceiling2", "product", "api", "html")))
    bad = {k: r[k]["errors"] + r[k]["not200"] for k in ("ceiling", "catalog", "ceiling2", "product")}
    print("page loads: socket errors + answers other than 200: " + ", ".join(f"{k} {v}" for k, v in bad.items())
          + "; ceiling rows = portal page 1 rows, same order: " + ("yes" if r["same_rows"] else "NO"))
    print("KiB per answer (headers included): " + ", ".join(f"{k} {r[k]['kib']:.1f}"
                                                            for k in ("ceiling", "catalog", "product")))


if __name__ == "__main__":
    main()
