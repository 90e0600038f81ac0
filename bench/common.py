"""Shared benchmark helpers: a scratch PostgreSQL database, gunicorn, a small HTTP load loop,
statement counting and CPU time from /proc."""
from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards (never the `test` database)."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def gunicorn(database_url: str, workers: int = 2, port: int = 5123,
             extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """gunicorn serving the portal on `database_url`; no Celery broker unless `extra_env` sets
    CELERY_BROKER_URL (without one, tasks such as e-mail delivery run in the request)."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench", SESSION_COOKIE_SECURE="false")
    env.pop("CELERY_BROKER_URL", None)
    env.update(extra_env or {})
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/login")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def free_port() -> int:
    """A port nobody listens on (another benchmark may hold gunicorn's default 5123)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A keep-alive HTTP session with cookies, enough for log-in and page loads."""

    def __init__(self, base: str) -> None:
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        """One request with the session's cookies, keeping those the answer sets: the status,
        the body and the Location header ("" when there is none)."""
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, data, resp.getheader("Location") or ""

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        status, data, _ = self.send(method, path, body, headers)
        return status, data

    def login(self, email: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
        status, _ = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"log-in failed: {status}"


def load(base: str, paths: list[str], email: str, password: str, clients: int = 4,
         seconds: float = 10.0) -> dict[str, float]:
    """`clients` logged-in sessions fetch `paths` round-robin for `seconds`; requests/s and latency."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        session = Session(base)
        session.login(email, password)
        i = offset
        while time.monotonic() < stop:
            start = time.perf_counter()
            status, _ = session.request("GET", paths[i % len(paths)])
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                errors[0] += status != 200
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / took, "errors": errors[0],
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def proc_cpu_ticks(pid: int) -> int | None:
    """CPU time (user + system, in clock ticks) a process has used so far, from /proc (Linux);
    None when it is gone or unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def proc_children(ppid: int) -> list[int]:
    """The pids of the processes whose parent is `ppid`, from /proc (Linux)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


@contextmanager
def count_queries(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def wrk_load(base: str, paths: list[str], email: str, password: str, clients: int = 4,
             seconds: float = 10.0) -> dict[str, float] | None:
    """The same load through `wrk` (Debian package), whose client costs far less CPU than Python
    threads on a 2-core machine; None when wrk is not installed."""
    import shutil
    import tempfile

    if shutil.which("wrk") is None:
        return None
    session = Session(base)
    session.login(email, password)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    script = "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n" + (
        "n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('RESULT %d %d %d %d %.3f %.3f\\n', summary.requests,"
        " summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,"
        " summary.duration, 0, latency:percentile(50) / 1000, latency:percentile(95) / 1000))\nend\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "-s", f.name,
                          "-H", f"Cookie: {cookie}", base], capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    _, requests, errors, duration_us, _, p50, p95 = line.split()
    return {"requests": int(requests), "rps": int(requests) / (int(duration_us) / 1e6),
            "errors": int(errors), "p50_ms": float(p50), "p95_ms": float(p95)}
