"""The orders benchmark in-process (bench/orders.py): SQL statements and time per order with the
test client, one order at a time, and an optional CPU profile."""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from random import Random

from bench.common import count_queries
from bench.orders_data import order_lines
from bench.orders_flows import Steps, TestClientBrowser, api_order, html_order, log_in, median_ms

TIMED_API, TIMED_HTML = 10, 3  # orders timed in-process, one at a time


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


def count_per_order(database_url: str, users: list[dict], adds: str = "single") -> dict:
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
    html_order(html, add, order_lines(rng), "PO-warm-html", adds)
    html.times.clear()
    html.cpu.clear()
    for i in range(TIMED_HTML):
        html_order(html, add, order_lines(rng), f"PO-time-html-{i}", adds)
    html_times = {k: list(v) for k, v in html.times.items()}
    html_cpu = {k: list(v) for k, v in html.cpu.items()}
    with query_counter(engine) as (html_counts, around, _):
        html.around = around
        html_order(html, add, order_lines(rng), "PO-count-html", adds)
    return {"api": dict(api_counts), "html": dict(html_counts), "api_statements": api_statements,
            "api_times": api_times, "html_times": html_times, "api_cpu": api_cpu, "html_cpu": html_cpu}


def profile(database_url: str, users: list[dict], orders: int = 20, adds: str = "single") -> None:
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
    html_order(html, add, order_lines(rng), "PO-warm-prof-html", adds)
    html.cpu.clear()
    n = max(1, orders // 4)
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    for i in range(n):
        html_order(html, add, order_lines(rng), f"PO-prof-html-{i}", adds)
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"\n--- CPU profile: {n} HTML orders in-process, {1000 * stats.total_tt / n:.1f} ms of CPU per order "
          "with the profiler's overhead; by step:")
    for name, values in sorted(html.cpu.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {name:24} {len(values) // n:3d} per order, {median_ms(values):6.1f} ms each")
    stats.sort_stats("cumulative").print_stats(ours, 40)
