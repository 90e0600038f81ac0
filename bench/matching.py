#!/usr/bin/env python3
"""Deal registration conflict checks on the database registry: import time, check latency and dev-set scores.

    .venv/bin/python bench/matching.py [DATA_DIR] [--sizes 100000,1000000] [--database-url URL] [--repeat 1]

The dev pool (`pool.csv`, refs = its reg_id) is imported through the same service as
`flask registrations import`, grown with records synthesised from it (bench/matching_quality.py)
to each size in turn; at each size the queries (`queries.csv`) are checked one by one through the
product's check (`find_conflicts`: search of the registry tables plus loading the matched
registrations), with p50/p95 latency, and `flask registrations match` writes the flags that the
data set's scorer reads. Without --database-url a scratch PostgreSQL database is created and
dropped (never `test`); give a SQLite URL to measure SQLite. Each size's checks run --repeat times
(default 3), each run printed with the machine's load average.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import proc_cpu_ticks, scratch_database  # noqa: E402
from bench.matching_quality import percentile, read_csv, synthesise  # noqa: E402

COLUMNS = ["ref", "company_name", "domain", "country", "city"]


def as_csv(rows: list[dict[str, str]]) -> io.StringIO:
    """The rows as an import file (ref = the data set's reg_id)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["reg_id"], r["company_name"], r["domain"], r["country"], r.get("city", "")])
    out.seek(0)
    return out


def import_rows(rows: list[dict[str, str]], partner_id: int) -> float:
    """Import through the service of `flask registrations import`, committed; returns seconds."""
    from opportunities.registrations.services.legacy import import_registrations, tidy_after_import
    from portal.extensions import db

    start = time.perf_counter()
    report = import_registrations(as_csv(rows), None, partner_id, [])
    db.session.commit()
    tidy_after_import(report.done)  # as `flask registrations import` does
    seconds = time.perf_counter() - start
    if report.errors:
        print(f"  {len(report.errors)} bad rows, e.g. {report.errors[:3]}")
    return seconds


CLIENT_CPU = [0.0]  # process CPU seconds spent inside the timed checks


def check_latency(queries: list[dict[str, str]], repeat: int = 1) -> list[float]:
    """Time the product's check for every query (each in its own transaction, as in a request)."""
    from opportunities.registrations.services import clock
    from opportunities.registry.index import Company, find_conflicts
    from portal.extensions import db

    latencies = []
    on = clock.today()
    for _ in range(repeat):
        for q in queries:
            company = Company(q["company_name"], q["domain"] or None, q["country"], None, q["city"] or None)
            db.session.connection()  # a request has its connection already (it loaded the user)
            cpu, start = time.process_time(), time.perf_counter()
            find_conflicts(company, [], on)
            latencies.append((time.perf_counter() - start) * 1000)
            CLIENT_CPU[0] += time.process_time() - cpu
            db.session.rollback()
    return latencies


def _backend_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by PostgreSQL backends on this machine (Linux /proc), 0 when unreadable."""
    return sum(proc_cpu_ticks(pid) or 0 for pid in pids) / os.sysconf("SC_CLK_TCK")


def cpu_per_check(queries: list[dict[str, str]]) -> tuple[float, float, float] | None:
    """CPU milliseconds per check: this process inside the checks plus the database backend (whose figure
    includes each transaction's BEGIN and ROLLBACK): the cost on an idle machine, whatever else runs
    (PostgreSQL on this host only)."""
    from sqlalchemy import text

    from portal.extensions import db

    if db.engine.dialect.name != "postgresql":
        return None
    pids = list(db.session.execute(text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars())
    db.session.rollback()
    CLIENT_CPU[0], start_server = 0.0, _backend_cpu_seconds(pids)
    check_latency(queries, 1)
    client, server = CLIENT_CPU[0], _backend_cpu_seconds(pids) - start_server
    return 1000 * (client + server) / len(queries), 1000 * client / len(queries), 1000 * server / len(queries)


def scores(data: Path, queries: list[dict[str, str]]) -> tuple[str, float]:
    """Run `registrations match` (in-process) on the queries and score the flags; returns the scorer's output."""
    from opportunities.registrations.services.legacy import match_companies
    from portal.extensions import db

    out = Path(tempfile.mkstemp(suffix=".csv", prefix="registry-flags-")[1])
    start = time.perf_counter()
    with out.open("w", newline="", encoding="utf-8") as handle:
        match_companies(as_csv(queries), handle)
    seconds = time.perf_counter() - start
    db.session.rollback()
    result = subprocess.run([sys.executable, str(data / "score.py"), str(out), "--data", str(data)],
                            capture_output=True, text=True, check=False)
    return result.stdout + result.stderr + f"flags: {out}\n", seconds


def run(url: str, data: Path, sizes: list[int], repeat: int) -> None:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": None, "SECRET_KEY": "bench"})
    pool = read_csv(data / "pool.csv")
    queries = read_csv(data / "queries.csv")
    grown = synthesise(pool, max(sizes))
    with app.app_context():
        upgrade(revision="heads")
        partner = Partner(name="Bench Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                          currency="EUR")
        db.session.add(partner)
        db.session.commit()
        loaded: list[dict[str, str]] = []
        for size in sizes:
            batch = (pool + grown)[len(loaded):size]
            seconds = import_rows(batch, partner.id)
            loaded.extend(batch)
            print(f"\n== {len(loaded):,} registrations ({db.engine.dialect.name}) ==")
            print(f"import of {len(batch):,}: {seconds:.1f} s ({len(batch) / seconds:,.0f} rows/s)")
            check_latency(queries[:200], 1)  # warm the caches
            for run_no in range(1, repeat + 1):  # several runs: the machine's other load shows as spread
                latencies = check_latency(queries, 1)
                print(f"checks run {run_no}: {len(latencies):,}  latency ms p50 {percentile(latencies, 50):.2f}  "
                      f"p95 {percentile(latencies, 95):.2f}  p99 {percentile(latencies, 99):.2f}  "
                      f"mean {statistics.fmean(latencies):.2f}  (load average {os.getloadavg()[0]:.1f})")
            cpu = cpu_per_check(queries)
            if cpu is not None:
                print(f"CPU per check: {cpu[0]:.2f} ms (portal {cpu[1]:.2f} ms + PostgreSQL {cpu[2]:.2f} ms)")
            text, seconds = scores(data, queries)
            print(f"registrations match over {len(queries):,} companies: {seconds:.1f} s")
            print(text, end="")


def main() -> int:
    """Run the benchmark."""
    default = os.environ.get("CONFLICT_DEV_DIR", str(ROOT.parent / "shared" / "data" / "conflict-dev"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=Path(default))
    parser.add_argument("--sizes", default="100000,1000000", help="registry sizes, ascending")
    parser.add_argument("--database-url", help="an existing empty database (default: scratch PostgreSQL)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the queries per size (each timed apart)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    context = nullcontext(args.database_url) if args.database_url else scratch_database("bench_registrations")
    with context as url:
        run(url, args.data, sizes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
