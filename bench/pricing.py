"""Pricing and catalog benchmark on PostgreSQL (issue 3).

Prints: the time to price a 200-line configured cart against a price book of 100,000 entries with
1,000 contract prices (median of many runs, in-process), and requests per second (gunicorn, 2 sync
workers, 4 concurrent clients) with SQL queries per request for the partner catalog list page
(20 per page, net prices, 10,000 products) and a product page.

    .venv/bin/python bench/pricing.py [--seconds 10] [--runs 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import count_queries, gunicorn, load, scratch_database, wrk_load  # noqa: E402

PRODUCTS = 10_000
ENTRIES = 100_000
CONTRACTS = 1_000
PASSWORD = "bench-password-1"


def build(database_url: str) -> None:
    """Schema, a partner and its user, 10,000 products (one configurable), 100,000 entries."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from catalog.models import ContractPrice, PriceBook, PriceBookEntry, Product, TierDiscount
    from catalog.services import products
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner, User
    from portal.services.auth import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(revision="heads")
        partner = Partner(name="Bench Partner", kind="reseller", tier="gold", country="DE", region="EMEA",
                          currency="EUR", credit_limit_minor=10**9, payment_terms_days=30)
        db.session.add(partner)
        db.session.flush()
        db.session.add(User(email="bench@example.com", name="Bench", role="partner_admin",
                            partner_id=partner.id, password_hash=hash_password(PASSWORD)))
        products.create_product(None, {
            "sku": "CFG-0", "name": "Configurable", "family": "hardware",
            "option_groups": [{"code": f"G{g}", "name": f"Group {g}", "min": 1, "max": 1,
                               "options": [{"code": f"OPT-{g}-{o}", "name": f"Option {g}.{o}"} for o in range(5)]}
                              for g in range(4)],
            "rules": [{"type": "requires", "option": "OPT-0-4", "target": "OPT-1-4"}]})
        families = ["hardware", "software", "services"]
        db.session.execute(insert(Product), [
            {"sku": f"SKU-{n:05d}", "name": f"Product {n:05d}", "family": families[n % 3], "description": "",
             "unit": "each", "active": True} for n in range(1, PRODUCTS)])
        book = PriceBook(name="EUR", currency="EUR", valid_from=date.today() - timedelta(days=1))
        db.session.add(book)
        db.session.flush()
        codes = ["CFG-0"] + [f"OPT-{g}-{o}" for g in range(4) for o in range(5)] + \
                [f"SKU-{n:05d}" for n in range(1, PRODUCTS)]
        codes += [f"PART-{n:06d}" for n in range(ENTRIES - len(codes))]
        rows = [{"price_book_id": book.id, "code": c, "unit_price_minor": 1000 + i % 5000,
                 "tiers": [[10, 900 + i % 5000], [100, 800 + i % 5000]] if i % 2 else []}
                for i, c in enumerate(codes)]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(PriceBookEntry), rows[start:start + 10_000])
        db.session.execute(insert(ContractPrice), [
            {"partner_id": partner.id, "code": f"SKU-{n:05d}", "unit_price_minor": 700, "currency": "EUR"}
            for n in range(1, CONTRACTS + 1)])
        db.session.add_all([TierDiscount(tier="gold", family=f, percent=p)
                            for f, p in (("hardware", 10), ("software", 8), ("services", 5))])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def bench_cart(database_url: str, runs: int) -> dict[str, float]:
    from catalog.services.pricing import LineInput, price_lines
    from portal import create_app
    from portal.extensions import db
    from portal.models import Partner

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    lines = [LineInput("CFG-0", 12, ("OPT-0-1", "OPT-1-2", "OPT-2-3", "OPT-3-0"))]
    lines += [LineInput(f"SKU-{n * 37 % (PRODUCTS - 1) + 1:05d}", n % 150 + 1) for n in range(199)]
    with app.app_context():
        partner = db.session.query(Partner).filter_by(name="Bench Partner").one()
        times = []
        for _ in range(runs):
            # A request has its partner loaded with the user before any work: do the same here,
            # outside the timing, after the previous run's rollback expired it.
            partner = db.session.get(Partner, partner.id)
            partner.tier
            start = time.perf_counter()
            doc = price_lines(partner, lines)
            times.append(time.perf_counter() - start)
            db.session.rollback()
        partner = db.session.get(Partner, partner.id)
        partner.tier
        with count_queries(db.engine) as statements:
            price_lines(partner, lines)
        assert len(doc.lines) == 200
    times.sort()
    return {"median_ms": 1000 * statistics.median(times), "p95_ms": 1000 * times[int(0.95 * (runs - 1))],
            "queries": len(statements)}


def page_queries(database_url: str, paths: list[str]) -> dict[str, int]:
    """SQL statements per request, counted in-process with the test client."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": PASSWORD})
    out = {}
    with app.app_context():
        engine = db.engine
    for path in paths:
        client.get(path)  # warm
        with count_queries(engine) as statements:
            status = client.get(path).status_code
        out[path] = len(statements) if status == 200 else -status
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with scratch_database("bench_pricing") as url:
        started = time.perf_counter()
        build(url)
        print(f"data: {PRODUCTS:,} products, {ENTRIES:,} price book entries, {CONTRACTS:,} contract prices "
              f"(built in {time.perf_counter() - started:.1f} s)")
        cart = bench_cart(url, args.runs)
        print(f"200-line configured cart: median {cart['median_ms']:.2f} ms, p95 {cart['p95_ms']:.2f} ms, "
              f"{cart['queries']} SQL queries (target <= 10 ms)")
        list_paths = [f"/catalog?page={n}" for n in range(1, 50)]
        product_paths = [f"/catalog/SKU-{n:05d}" for n in range(1, 200)] + ["/catalog/CFG-0"]
        queries = page_queries(url, ["/catalog?page=7", "/catalog/SKU-00042", "/catalog/CFG-0"])
        with gunicorn(url) as base:
            for label, paths in (("catalog list (20 per page)", list_paths), ("product page", product_paths)):
                for client, run in (("wrk", wrk_load), ("python threads", load)):
                    r = run(base, paths, "bench@example.com", PASSWORD, clients=4, seconds=args.seconds)
                    if r is None:
                        continue
                    print(f"{label}: {r['rps']:.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms,"
                          f" {r['errors']} errors ({r['requests']} requests, 4 connections from {client},"
                          " gunicorn 2 sync workers)")
        for path, n in queries.items():
            print(f"SQL queries for {path}: {n}")


if __name__ == "__main__":
    main()
