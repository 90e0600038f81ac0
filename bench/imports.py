#!/usr/bin/env python3
"""Benchmark a 100,000-row price book import: validation (with the diff) and apply.

    DATABASE_URL=postgresql://... .venv/bin/python bench/imports.py [--rows 100000] [--tiers 2]
        [--format csv|xlsx] [--kind price_book_entries|products] [--tracemalloc]

Without DATABASE_URL a temporary SQLite file is used. The database is migrated to head, then a
price book of ROWS entries is created; the generated file keeps 85% of the codes (10% of them
repriced), drops 5% and adds 10%. The upload goes through `jobs.create_job` (as the upload page
does); validation and apply run the Celery task functions in fresh processes, each of which
prints its wall time, peak RSS (VmHWM, else ru_maxrss) and, with --tracemalloc, the peak of Python
allocations (tracemalloc slows the run: use its times only as a relative figure).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(database_url: str, upload_dir: str):
    """The portal app on the benchmark database (Celery eager: no broker)."""
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "IMPORT_UPLOAD_DIR": upload_dir,
                       "CELERY_BROKER_URL": None, "SECRET_KEY": "bench"})


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (VmHWM: ru_maxrss on Linux keeps the
    parent's peak across fork + exec, so it would overstate a fresh process)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(rows: int, kind: str) -> tuple[int, int | None]:
    """A sales-ops user and either a price book of `rows` entries or `rows // 2` products."""
    from datetime import date

    from sqlalchemy import insert

    from catalog.models import PriceBook, PriceBookEntry, Product
    from portal.extensions import db
    from portal.models import User

    user = User(email=f"bench-{time.time_ns()}@example.com", name="Bench Ops", role="sales_ops")
    db.session.add(user)
    db.session.flush()
    if kind == "products":
        db.session.execute(insert(Product), [
            {"sku": f"BP-{i:07d}", "name": f"Product {i}", "family": "hardware", "description": "",
             "unit": "each", "active": True} for i in range(rows // 2)])
        db.session.commit()
        return user.id, None
    book = PriceBook(name=f"Bench {time.time_ns()}", currency="EUR", valid_from=date(2026, 1, 1))
    db.session.add(book)
    db.session.flush()
    batch = []
    for i in range(rows):
        batch.append({"price_book_id": book.id, "code": f"SKU-{i:07d}", "unit_price_minor": 10_000 + i,
                      "tiers": [[10 * (n + 1) ** 2, 9_000 - 500 * n + i] for n in range(2)]})
        if len(batch) == 10_000:
            db.session.execute(insert(PriceBookEntry), batch)
            batch.clear()
    if batch:
        db.session.execute(insert(PriceBookEntry), batch)
    db.session.commit()
    return user.id, book.id


def table(rows: int, tiers: int, kind: str) -> tuple[list[str], list[list[str]]]:
    """The file content: mostly the same codes, some repriced, some dropped, some new."""
    rng = random.Random(42)
    if kind == "products":
        header = ["sku", "name", "family", "description", "unit", "active"]
        return header, [[f"BP-{i:07d}", f"Product {i}{' v2' if i % 10 == 0 else ''}", "hardware",
                         "A product used by the import benchmark", "each", "yes"] for i in range(rows)]
    header = ["code", "unit_price"] + [c for n in range(1, tiers + 1) for c in (f"tier_qty_{n}", f"tier_price_{n}")]
    body = []
    for i in range(int(rows * 1.1)):
        if i < rows and i % 20 == 7:
            continue  # removed
        unit = 10_000 + i + (rng.randint(-3000, 3000) if i % 10 == 3 else 0)
        row = [f"SKU-{i:07d}", f"{unit / 100:.2f}"]
        for n in range(tiers):
            row += [str(10 * (n + 1) ** 2), f"{(9_000 - 500 * n + i) / 100:.2f}"]
        body.append(row)
    return header, body


def write_file(path: Path, header: list[str], body: list[list[str]], fmt: str) -> None:
    """Write the table as CSV or .xlsx."""
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Entries")
    sheet.append(header)
    for row in body:
        sheet.append([float(v) if "." in v else int(v) if v.isdigit() else v for v in row])
    book.save(path)


def phase(name: str, job_id: int, database_url: str, upload_dir: str, trace: bool) -> None:
    """Run one phase in this (fresh) process and print its figures as JSON."""
    from catalog.imports import jobs
    from catalog.models import ImportJob
    from catalog.tasks import apply_import, validate_import
    from portal.extensions import db
    from portal.models import User

    app = make_app(database_url, upload_dir)
    baseline = rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if name == "validate":
        status = validate_import(job_id)
    else:
        with app.app_context():  # what the Apply button does, then the task
            job = db.session.get(ImportJob, job_id)
            jobs.claim_for_apply(job, db.session.get(User, job.created_by_id))
            db.session.commit()
        status = apply_import(job_id)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    print(json.dumps({"phase": name, "status": status, "seconds": round(elapsed, 2),
                      "rss_peak_mb": round(rss_mb(), 1), "rss_before_mb": round(baseline, 1),
                      "tracemalloc_peak_mb": None if peak is None else round(peak, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tiers", type=int, default=2)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--kind", choices=("price_book_entries", "products"), default="price_book_entries")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--phase", choices=("validate", "apply"), help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--uploads", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.job, args.db, args.uploads, args.tracemalloc)
        return

    from flask_migrate import upgrade

    from catalog.imports import jobs
    from portal.config import normalise_db_url
    from portal.extensions import db
    from portal.models import User

    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        database_url = normalise_db_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
        uploads = str(Path(tmp) / "uploads")
        app = make_app(database_url, uploads)
        with app.app_context():
            upgrade(revision="heads")
            started = time.perf_counter()
            user_id, book_id = seed(args.rows, args.kind)
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            header, body = table(args.rows, args.tiers, args.kind)
            source = Path(tmp) / f"bench.{args.format}"
            write_file(source, header, body, args.format)
            print(f"file: {len(body):,} rows, {len(header)} columns, {source.stat().st_size / 2**20:.1f} MB "
                  f"{args.format}")
            del body
            with source.open("rb") as stream:
                job = jobs.create_job(db.session.get(User, user_id), args.kind, book_id, source.name, stream)
            db.session.commit()
            job_id = job.id
        results = []
        for name in ("validate", "apply"):
            command = [sys.executable, __file__, "--phase", name, "--job", str(job_id), "--db", database_url,
                       "--uploads", uploads] + (["--tracemalloc"] if args.tracemalloc else [])
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
            print(json.dumps(results[-1]))
            if results[-1]["status"] != "ready" and name == "validate":
                break
        with app.app_context():
            from catalog.models import ImportJob

            job = db.session.get(ImportJob, job_id)
            print(f"job {job.id}: {job.status}: {job.message} {job.errors[:3] or ''}")
            summary = {k: job.summary.get(k) for k in ("rows", "added", "changed", "removed", "unchanged")}
            print(f"diff: {summary}")
            db.engine.dispose()
        total = sum(r["seconds"] for r in results)
        print(f"TOTAL validate + apply: {total:.1f} s; peak RSS {max(r['rss_peak_mb'] for r in results):.0f} MB")


if __name__ == "__main__":
    main()
