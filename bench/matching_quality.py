#!/usr/bin/env python3
"""Measure conflict-detection quality and speed of opportunities.matching on the dev set.

    python bench/matching_quality.py [DATA_DIR] [--scale 1000000] [--out flags.csv] [--tracemalloc]

DATA_DIR (or $CONFLICT_DEV_DIR) defaults to ../shared/data/conflict-dev next to the repository.
The data is read in place and never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from opportunities.matching import CompanyIndex  # noqa: E402

Row = dict[str, str]


def read_csv(path: Path) -> list[Row]:
    """Read a CSV file into dictionaries."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rss_mb() -> float:
    """Return the current resident set size in MiB (Linux), else the peak."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthesise(pool: list[Row], total: int, seed: int = 7) -> list[Row]:
    """Make extra records by recombining and perturbing pool names until there are `total` rows."""
    rng = random.Random(seed)
    words = [w for r in pool for w in r["company_name"].split()]
    countries = [r["country"] for r in pool]
    out: list[Row] = []
    for n in range(max(0, total - len(pool))):
        src = rng.choice(pool)["company_name"].split() or ["Acme"]
        action = rng.random()
        if action < 0.4:
            src[rng.randrange(len(src))] = rng.choice(words)
        elif action < 0.7:
            src.insert(rng.randrange(len(src) + 1), rng.choice(words))
        elif action < 0.85 and len(src) > 1:
            rng.shuffle(src)
        else:
            tok = src[0]
            pos = rng.randrange(len(tok))
            src[0] = tok[:pos] + rng.choice("abcdefghijklmnopqrstuvwxyz") + tok[pos + 1:]
        name = " ".join(src)
        domain = f"{''.join(ch for ch in name.lower() if ch.isalnum())[:20]}{n}.com" if rng.random() < 0.3 else ""
        out.append({"reg_id": f"S{n:07d}", "company_name": name, "domain": domain,
                    "country": rng.choice(countries), "city": ""})
    return out


def build(rows: list[Row], use_tracemalloc: bool) -> tuple[CompanyIndex, float, float, float | None]:
    """Build the index; return it with build seconds, RSS growth and tracemalloc peak (MiB)."""
    gc.collect()
    before = rss_mb()
    if use_tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    index = CompanyIndex()
    index.add_many((r["reg_id"], r["company_name"], r["domain"], r["country"], None) for r in rows)
    seconds = time.perf_counter() - start
    peak = None
    if use_tracemalloc:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    gc.collect()
    return index, seconds, rss_mb() - before, peak


def run_queries(index: CompanyIndex, queries: list[Row]) -> tuple[list[tuple[str, str]], list[float], int]:
    """Check every query; return the flags, the per-check latencies (ms) and the candidates scored."""
    flags: list[tuple[str, str]] = []
    latencies: list[float] = []
    scored = 0
    for q in queries:
        start = time.perf_counter()
        found = index.match(q["company_name"], domain=q["domain"], country=q["country"])
        latencies.append((time.perf_counter() - start) * 1000)
        scored += index.last_scored
        flags.extend((q["reg_id"], m.record_id) for m in found)
    return flags, latencies, scored


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> int:
    """Run the benchmark and print quality and speed figures."""
    default_dir = os.environ.get("CONFLICT_DEV_DIR", str(REPO.parent / "shared" / "data" / "conflict-dev"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=Path(default_dir))
    parser.add_argument("--scale", type=int, default=0, help="grow the index to this many records")
    parser.add_argument("--out", type=Path, help="flags CSV to write (default: a temporary file)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--repeat", type=int, default=1, help="run the queries this many times for latency")
    args = parser.parse_args()

    pool = read_csv(args.data / "pool.csv")
    queries = read_csv(args.data / "queries.csv")
    rows = pool + synthesise(pool, args.scale) if args.scale > len(pool) else pool
    index, seconds, grown, peak = build(rows, args.tracemalloc)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records: {len(index):,}  build: {seconds:.2f} s  memory: +{grown:.0f} MiB RSS (process peak "
          f"{peak_rss:.0f} MiB)" + (f", tracemalloc peak {peak:.0f} MiB" if peak is not None else ""))

    latencies: list[float] = []
    for _ in range(max(1, args.repeat)):
        flags, lat, scored = run_queries(index, queries)
        latencies.extend(lat)
    print(f"checks: {len(latencies):,}  latency ms p50 {percentile(latencies, 50):.2f}  "
          f"p95 {percentile(latencies, 95):.2f}  p99 {percentile(latencies, 99):.2f}  "
          f"max {max(latencies):.2f}  mean {statistics.fmean(latencies):.2f}  "
          f"candidates/check {scored / len(queries):.1f}")

    pool_ids = {r["reg_id"] for r in pool}
    out = args.out or Path(tempfile.mkstemp(suffix=".csv", prefix="flags-")[1])
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "matched_ref"])
        writer.writerows(f for f in flags if f[1] in pool_ids)
    print(f"flags: {out}")
    result = subprocess.run([sys.executable, str(args.data / "score.py"), str(out), "--data", str(args.data)],
                            capture_output=True, text=True, check=False)
    print(result.stdout, end="")
    if result.returncode:
        print(result.stderr, file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
