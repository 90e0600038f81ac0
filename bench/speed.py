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
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    Session,
    count_queries,
    scratch_database,
)
from bench.orders_data import LINES, add_to_pricing_data, skus
from bench.pricing import PASSWORD, page_queries
from bench.pricing import build as build_pricing
from bench.speed_report import print_table
from bench.speed_servers import (
    CONNECTIONS,
    IDLE,
    OthersCpu,
    idle_check,
    serve,
    worker_rss_mb,
    wrk,
)

CLIENTS = 4  # order flows
EMAIL = "bench@example.com"  # pricing.build's partner admin
CATALOG_PAGE = "/catalog?page=1"
PRODUCT_PATHS = [f"/catalog/SKU-{n:05d}" for n in range(1, 200)] + ["/catalog/CFG-0"]  # as bench/pricing.py


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
        users = add_to_pricing_data(url, CLIENTS)
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


if __name__ == "__main__":
    main()
