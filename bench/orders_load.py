"""The orders benchmark's load over HTTP (bench/orders.py): client threads placing orders on
gunicorn, counted in the database, with the CPU time gunicorn, PostgreSQL and the clients used."""
from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from random import Random

from sqlalchemy import text as db_text

from bench.common import proc_children, proc_cpu_ticks
from bench.orders_data import order_lines
from bench.orders_flows import FORM, FlowError, HttpBrowser, Steps, api_order, form_to, html_order, log_in


def run_load(base: str, kind: str, users: list[dict], seconds: float, watch: Watch,
             adds: str = "single") -> dict:
    """`len(users)` client threads place orders for `seconds`. Before the clock starts each
    client logs in (HTML) and places one warm-up order (the workers import and compile lazily);
    orders created are counted in the database when the clock starts and after the last client
    has finished its order in flight, and so is the CPU time used meanwhile. `adds`: how the HTML
    flow adds its lines (orders_flows.ADD_MODES)."""
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
                html_order(steps, add, order_lines(rng), f"PO-warm-{n}", adds)
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
                    html_order(steps, add, order_lines(rng), po, adds)
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

    def cpu(self) -> dict[str, dict[int, int] | float]:
        """A snapshot: ticks per gunicorn worker and per PostgreSQL backend, client seconds."""
        masters = [pid for pid in proc_children(os.getpid())
                   if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        workers = [pid for master in masters for pid in proc_children(master)]
        with self.engine.connect() as conn:
            backends = list(conn.execute(db_text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars())
        return {"gunicorn": {pid: proc_cpu_ticks(pid) or 0 for pid in workers},
                "postgres": {pid: proc_cpu_ticks(pid) or 0 for pid in backends},
                "client": time.process_time()}

    @staticmethod
    def used(start: dict, end: dict) -> dict[str, float]:
        """CPU seconds between two snapshots (a process that ended in between is missed)."""
        hz = os.sysconf("SC_CLK_TCK")
        return {"gunicorn": sum(t - start["gunicorn"].get(p, 0) for p, t in end["gunicorn"].items()) / hz,
                "postgres": sum(t - start["postgres"].get(p, 0) for p, t in end["postgres"].items()) / hz,
                "client": end["client"] - start["client"]}
