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

The pieces: orders_data.py (the data), orders_flows.py (the HTML and API clients),
orders_inprocess.py (queries and time per order, the profile), orders_load.py (the load over HTTP
and its CPU time from /proc).

    .venv/bin/python bench/orders.py [--seconds 25] [--clients 4] [--profile] [--statements]
                                     [--celery-broker memory://] [--adds single|quick]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text as db_text  # noqa: E402

from bench.common import free_port, gunicorn, scratch_database  # noqa: E402
from bench.orders_data import LINES, PRODUCTS, build  # noqa: E402
from bench.orders_flows import ADD_MODES, median_ms  # noqa: E402
from bench.orders_inprocess import TIMED_HTML, count_per_order, profile  # noqa: E402
from bench.orders_load import Watch, run_load  # noqa: E402

CLIENTS = 4
TARGET_API, TARGET_HTML, TARGET_QUERIES = 10.0, 5.0, 60


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


def breakdown(measures: dict[str, list[float]], orders: int) -> str:
    """Time per order of a flow, then each step's median (with how many per order)."""
    total = sum(sum(v) for v in measures.values()) / orders
    return f"{1000 * total:.0f} ms = " + " + ".join(
        f"{len(v) // orders} x {name} {median_ms(v):.1f}" if len(v) > orders else f"{name} {median_ms(v):.0f}"
        for name, v in measures.items())


def print_in_process(counted: dict) -> None:
    print("\nin-process, one order at a time (test client, no concurrency; medians; 'CPU' is the app's own "
          "Python time, without PostgreSQL's):")
    print(f"  API order:  {median_ms(counted['api_times']['POST /api/v1/orders']):.0f} ms, "
          f"CPU {median_ms(counted['api_cpu']['POST /api/v1/orders']):.0f} ms")
    print(f"  HTML order: {breakdown(counted['html_times'], TIMED_HTML)}")
    print(f"        CPU:  {breakdown(counted['html_cpu'], TIMED_HTML)}")


def print_queries(counted: dict, statements: bool) -> None:
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
    if statements:
        print("SQL statements of an API order:")
        for statement, n in Counter(re.sub(r"\s+", " ", st).strip()[:90]
                                    for st in counted["api_statements"]).most_common():
            print(f"  {n:2d} x {statement}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=25, help="load duration of each flow (default 25)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--profile", action="store_true", help="also cProfile orders in-process")
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of an API order")
    parser.add_argument("--celery-broker", metavar="URL",
                        help="CELERY_BROKER_URL for gunicorn: e-mails are queued instead of delivered in the "
                             "request (memory:// queues them in the worker and never sends them)")
    parser.add_argument("--adds", choices=ADD_MODES, default="single",
                        help="HTML flow: add the 20 lines one by one (single) or pasted into quick order")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_database("bench_orders") as url:
        started = time.perf_counter()
        users = build(url, args.clients)["users"]
        print(f"data: {PRODUCTS:,} products in an EUR price book, {args.clients} partner users with "
              f"passwords and API tokens (built in {time.perf_counter() - started:.1f} s); "
              f"orders of {LINES} lines, on account; HTML lines added: {args.adds}")
        counted = count_per_order(url, users, args.adds)
        if args.profile:
            profile(url, users, adds=args.adds)
        watch = Watch(url)
        extra = {"CELERY_BROKER_URL": args.celery_broker} if args.celery_broker else None
        with gunicorn(url, port=free_port(), extra_env=extra) as base:
            api = run_load(base, "api", users, args.seconds, watch, args.adds)
            html = run_load(base, "html", users, args.seconds, watch, args.adds)
        with watch.engine.connect() as conn:
            short = conn.execute(db_text("SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM order_lines l "
                                         "WHERE l.order_id = o.id) <> :n"), {"n": LINES}).scalar()
        watch.engine.dispose()

    print_in_process(counted)
    print("\ngunicorn: e-mails " + (f"queued to {args.celery_broker}" if args.celery_broker else
                                   "delivered in the request after commit (no broker: Celery runs tasks eagerly)"))
    print_load("API   POST /api/v1/orders", api, TARGET_API, args.clients)
    print_load("HTML  20 adds, cart, checkout, review, place", html, TARGET_HTML, args.clients)
    print(f"      orders in the database without exactly {LINES} lines: {short}")
    print("      HTML steps under load (median): " + ", ".join(
        f"{name} {median_ms(v):.0f} ms" for name, v in html["times"].items()))
    print()
    print_queries(counted, args.statements)


if __name__ == "__main__":
    main()
