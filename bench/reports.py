"""Reports benchmark on PostgreSQL (issue 9).

Builds a scratch database with 1,000 partners (10 partner managers, 5 regions and currencies,
4 tiers) and 1,000,000 order lines in 100,000 orders over two years, with proportionate deal
registrations (100,000, their submitted / approved / rejected entries in the event log), leads
(30,000, 33,000 ownerships), 50 campaigns with 10,000 enrolments and 2,000 MDF requests (a fifth
of the registrations and a quarter of the leads attributed to them); rows go in with COPY. Then
prints, for every report page and CSV export, the median time of several runs in-process with the
test client (the whole request: log-in session, filters, SQL, charts, template) and the SQL
statements per page, as an admin (all partners, last 12 months and the
whole two years), as a partner manager (100 partners) and with a region filter.

    .venv/bin/python bench/reports.py [--runs 7] [--scale 1.0] [--explain] [--keep]

`--keep` leaves the database `bench_reports_kept` in place and reuses it on the next run (to try
changes to the queries without building the data again).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_ADMIN, count_queries, scratch_database  # noqa: E402
from bench.reports_data import NOW, PASSWORD, build  # noqa: E402


def measure(database_url: str, runs: int) -> list[tuple[str, str, float, float, int]]:
    """(who, path, median ms, max ms, SQL statements) for every report page and export."""
    from admin.reports import REPORTS
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        engine = db.engine
    two_years = f"from={(NOW.date() - timedelta(days=730)).isoformat()}&to={NOW.date().isoformat()}"
    cases = [("admin", "admin@example.com", ""), ("admin, 2 years", "admin@example.com", two_years),
             ("manager (100 partners)", "manager0@example.com", ""), ("admin, region EMEA", "admin@example.com",
                                                                      "region=EMEA")]
    out = []
    for who, email, query in cases:
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        paths = [f"/admin/reports/{slug}?{query}" for slug in REPORTS]
        if who == "admin":
            paths += [f"/admin/reports/{slug}.csv" for slug in REPORTS] + ["/admin/reports"]
        for path in paths:
            assert client.get(path).status_code == 200, path  # warm
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(path)
                times.append(1000 * (time.perf_counter() - start))
                assert response.status_code == 200
            with count_queries(engine) as statements:
                client.get(path)
            out.append((who, path, statistics.median(times), max(times), len(statements)))
    return out


def explain(database_url: str) -> None:
    """EXPLAIN ANALYZE of each report's aggregate over the last twelve months, for everyone."""
    from admin.reports import approvals, conversion, pipeline, products, sales
    from admin.reports.filters import Filters, default_range
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    filters = Filters(*default_range(NOW.date()))
    with app.app_context():
        for name, stmt in (("top products", products.aggregate_stmt(filters)),
                           ("orders by month and partner", sales.partner_months(filters)),
                           ("pipeline", pipeline.aggregate_stmt(filters)),
                           ("approval time", approvals.postgresql_stmt(approvals.approvals(filters))),
                           ("conversion", conversion.partner_rows(filters))):
            compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
            plan = db.session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params).scalars().all()
            print(f"--- {name}\n" + "\n".join(plan))


def _kept() -> tuple[str, bool]:
    """The kept database's URL, and whether it already holds the data."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "bench_reports_kept"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), bool(exists)


def run(url: str, args: argparse.Namespace, built: bool) -> None:
    if not built:
        started = time.perf_counter()
        counts = build(url, args.scale)
        print("data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
              + f" (built in {time.perf_counter() - started:.0f} s)")
    if args.explain:
        explain(url)
    print(f"{'who':<24} {'page':<44} {'median ms':>10} {'max ms':>8} {'SQL':>4}")
    for who, path, median, worst, queries in measure(url, args.runs):
        print(f"{who:<24} {path:<44} {median:>10.1f} {worst:>8.1f} {queries:>4}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the orders, lines, registrations, leads")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database bench_reports_kept")
    args = parser.parse_args()
    if args.keep:
        url, built = _kept()
        run(url, args, built)
        return
    with scratch_database("bench_reports") as url:
        run(url, args, False)


if __name__ == "__main__":
    main()
