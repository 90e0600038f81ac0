"""bench/speed.py's instruments: gunicorn serving an app with its start-up time and memory, the
idle check before each load and the other processes' CPU during it, and wrk page loads with
latency percentiles."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT, free_port, proc_children, proc_cpu_ticks

CONNECTIONS = 16  # wrk -c

# --- servers ----------------------------------------------------------------------------------

def first_200(port: int, path: str, started: float, proc: subprocess.Popen, timeout: float = 60) -> float:
    """Seconds from `started` (the spawn) to the first 200 answer to GET `path`, polling every 10 ms."""
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no 200 from :{port}{path} within {timeout} s")


@contextmanager
def serve(app: str, database_url: str, probe: str, workers: int = 2):
    """gunicorn (`workers` sync workers) serving `app` on a free port; yields (base URL, master
    process, seconds from spawn to the first 200 answer to `probe`)."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench", SESSION_COOKIE_SECURE="false")
    env.pop("CELERY_BROKER_URL", None)
    started = time.perf_counter()
    log = tempfile.NamedTemporaryFile("w+", prefix="speed-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", app], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        startup = first_200(port, probe, started, proc)
        yield f"http://127.0.0.1:{port}", proc, startup
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.seek(0)
        errors = [line for line in log if "Traceback" in line or "[ERROR]" in line]
        log.close()
        if errors:
            print(f"  {app}: {len(errors)} errors in its log, kept in {log.name}")
        else:
            os.unlink(log.name)


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    """VmRSS of each gunicorn worker (children of the master), MiB."""
    out = []
    for pid in sorted(proc_children(master.pid)):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            out.append(int(match.group(1)) / 1024)
    return out


# --- idle check and wrk -----------------------------------------------------------------------

def cpu_busy(interval: float = 1.0) -> float:
    """Share of all CPUs busy (not idle or iowait) over `interval` seconds, from /proc/stat, %."""
    def snap():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = snap()
    time.sleep(interval)
    total1, idle1 = snap()
    return 100.0 * (1 - (idle1 - idle0) / max(1, total1 - total0))


IDLE = {"busy": 20.0, "wait": 30.0}  # set from the options


def idle_check(label: str) -> dict[str, float]:
    """Wait (up to IDLE["wait"] seconds) for a second with the CPUs less than IDLE["busy"] % busy,
    then print the 1-minute load average and that second's CPU share (others use this machine)."""
    began = time.monotonic()
    busy = cpu_busy()
    while busy >= IDLE["busy"] and time.monotonic() - began < IDLE["wait"]:
        busy = cpu_busy()
    waited = time.monotonic() - began
    load1 = os.getloadavg()[0]
    print(f"  idle check before {label}: load average (1 min) {load1:.2f}, CPU busy over the last second "
          f"{busy:.0f} % (waited {waited:.0f} s)" + ("" if busy < IDLE["busy"] else " NOT IDLE"), flush=True)
    return {"load1": load1, "busy": busy, "waited": waited}


class OthersCpu:
    """CPU the rest of the machine used during a load: all CPUs' busy time (/proc/stat) minus
    what the run's own processes used (both gunicorns' workers, the scratch database's PostgreSQL
    backends, this process and its finished children such as wrk), in cores (1.0 = one core
    busy all along). A backend that ended during the load is missed and counts as others'."""

    def __init__(self, database_url: str, masters: list[subprocess.Popen]) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url)
        self.masters = masters
        self.hz = os.sysconf("SC_CLK_TCK")

    def snap(self) -> dict:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        from sqlalchemy import text

        with self.engine.connect() as conn:
            backends = list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                            .scalars())
        pids = [pid for m in self.masters for pid in proc_children(m.pid)] + backends
        t = os.times()
        return {"busy": sum(fields) - fields[3] - fields[4], "at": time.monotonic(),
                "pids": {pid: proc_cpu_ticks(pid) or 0 for pid in pids},
                "self": (t.user + t.system + t.children_user + t.children_system) * self.hz}

    def cores(self, start: dict, end: dict) -> float:
        ours = sum(v - start["pids"].get(pid, 0) for pid, v in end["pids"].items()) + end["self"] - start["self"]
        return max(0.0, (end["busy"] - start["busy"] - ours) / self.hz / (end["at"] - start["at"]))


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; bad = 0 end
%(request)s
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local not200 = 0
  for _, t in ipairs(threads) do not200 = not200 + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%.3f %%.3f %%.3f %%.3f %%d\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, not200, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.bytes))
end
"""


def wrk(base: str, paths: list[str], seconds: int, cookie: str | None = None,
        connections: int = CONNECTIONS) -> dict[str, float]:
    """`wrk -t2 -c<connections> -d<seconds>s` over `paths` round-robin; requests/s, latency
    percentiles (ms), socket errors and answers other than 200 (a lost session's 302 counts)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if len(paths) == 1:
        request = ""
        url = base + paths[0]
    else:
        request = ("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                   "function request() n = n + 1; return wrk.format('GET', paths[(n % #paths) + 1]) end")
        url = base
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % {"request": request})
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", f.name, url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    _, requests, errors, not200, duration_us, p50, p90, p99, top, size = line.split()
    return {"requests": int(requests), "rps": int(requests) / (int(duration_us) / 1e6), "errors": int(errors),
            "not200": int(not200), "p50_ms": float(p50), "p90_ms": float(p90), "p99_ms": float(p99),
            "max_ms": float(top), "kib": int(size) / max(1, int(requests)) / 1024}
