"""Benchmark: the public progress table, against Django's floor and, through nginx, against nginx's own floor.

Run with `make benchmarks` (or `.venv/bin/python tests/benchmarks/bench_public.py`). For each data size (1x, 10x,
100x: BENCH_TIMES=1,10,100) it loads the demo into a throwaway database (nine, or 99, more published copies of
every row), starts gunicorn (BENCH_WORKERS=2 workers of BENCH_WORKER_CLASS, sync by default) and measures
requests per second and p50/p99 latency:
- straight to gunicorn (Python keep-alive clients): the progress table cached, as the public sees it, a mix of
  public URLs (filters, pages, both languages) cached, and /floor/, a minimal Django view returning the same HTML
  from memory through the same middleware (Django's floor); then the table uncached (every request renders it);
- through nginx with the deployment's configuration (deploy/nginx.conf.template), loaded by wrk: the table and
  the mix, against nginx serving the same HTML as a static file (the machine's floor).
The URLs compared are loaded in alternating rounds on the same servers, so that whatever else the machine is
doing weighs on each alike: the ratios are what counts, and the load average is printed beside them.

The production configuration: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432 (a throwaway database per
size; SQLite files otherwise), BENCH_REDIS_URL=redis://127.0.0.1:6379/3 (the public cache; the database's
otherwise). Targets: cached table ≥ 80 % of Django's floor at 10x (issue #12), ≥ 0.8x of nginx's floor (#17).
"""

import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks import proxy_stack  # noqa: E402

DURATION = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SIZES = [int(times) for times in os.environ.get("BENCH_TIMES", "1,10,100").split(",")]
DATABASE_BASE = os.environ.get("BENCH_DATABASE_URL", "").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL")
ROUNDS = 4
PAGE = "/en/progress/2013-2014/"
GUNICORN, NGINX, STATIC = 8701, 8702, 8703
GROW = """
from django.db import transaction
from tests.public.conftest import grow_published
from commitments.models import ReportingPeriod
with transaction.atomic():
    grow_published(ReportingPeriod.objects.get(start_year=2013), {times})
"""
WRK_MIX = """
paths = {{{paths}}}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {{Host = "localhost"}})
end
"""


def load(urls, port, seconds, clients):
    """`clients` keep-alive connections requesting `urls` in random order for `seconds`; (latencies, errors)."""
    latencies, errors, stop = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", random.choice(urls), headers={"Host": "localhost"})
                response = connection.getresponse()
                response.read()
                failed += response.status != 200
            except OSError:
                failed += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors.append(failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, sum(errors)


def compare(runs, seconds):
    """`runs`: {name: function(seconds) -> (latencies, errors) or (rps, p50, p99, errors)}; each is run in turn,
    ROUNDS times; returns {name: (requests/s, p50 ms, p99 ms, errors)}."""
    parts = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, run in runs.items():
            parts[name].append(run(seconds / ROUNDS))
    results = {}
    for name, measured in parts.items():
        if len(measured[0]) == 2:  # raw latencies
            latencies = sorted(t for part, _ in measured for t in part)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            results[name] = (len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000)
            results[name] += (sum(errors for _, errors in measured),)
        else:  # wrk's figures per round: the median round
            results[name] = tuple(statistics.median(part[i] for part in measured) for i in range(3))
            results[name] += (sum(part[3] for part in measured),)
    return results


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(port, path, seconds, workdir, paths=None):
    """wrk on one URL (or `paths`, in turn): (requests/s, p50 ms, p99 ms, non-2xx and socket errors)."""
    command = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["-H", "Host: localhost"]
    if paths:
        script = workdir / "mix.lua"
        script.write_text(WRK_MIX.format(paths=", ".join(f'"{p}"' for p in paths)))
        command += ["-s", str(script)]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return rps, p50, p99, errors


def mix(port):
    """Public URLs as readers spread them: the table's filters, its pages, a search, both languages."""
    status, _, home = fetch(port, "/fr/")
    french = re.search(r'href="(/fr/[^"]+/2013-2014/)"', home)[1]
    return [
        PAGE,
        f"{PAGE}?status=ongoing",
        f"{PAGE}?department=rcmp",
        f"{PAGE}?page=2",
        f"{PAGE}?q=training&sort=-status",
        "/en/",
        "/fr/",
        french,
        f"{french}?status=complete",
        f"{french}?page=2",
    ]


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": "localhost"})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def database(workdir):
    if not DATABASE_BASE:
        return f"sqlite:///{workdir}/bench.sqlite3", lambda: None
    name = f"napreport_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{DATABASE_BASE}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    return f"{DATABASE_BASE}/{name}", lambda: subprocess.run(["psql", f"{DATABASE_BASE}/postgres", "-qc", drop])


def measure(times):
    workdir = Path(tempfile.mkdtemp(prefix="napreport-bench-"))
    url, drop = database(workdir)
    extra = {"DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings"}
    if REDIS_URL:
        extra["REDIS_URL"] = REDIS_URL
    env = proxy_stack.app_env(workdir, url, **extra)
    stack = proxy_stack.Stack(workdir, env)
    try:
        proxy_stack.prepare(env)
        proxy_stack.manage(env, "createcachetable")
        if times > 1:
            proxy_stack.manage(env, "shell", "--no-imports", "-c", GROW.format(times=times))
        if REDIS_URL:  # what an earlier run left in that Redis database
            subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], capture_output=True)
        stack.gunicorn(GUNICORN, WORKERS, WORKER_CLASS, THREADS)
        status, _, html = fetch(GUNICORN, PAGE)
        if status != 200:
            raise SystemExit(f"{PAGE} answered {status}: {html[:300]!r}")
        urls = mix(GUNICORN)
        stack.stop()
        (workdir / "floor.html").write_text(html)
        stack.env["BENCH_FLOOR_HTML"] = str(workdir / "floor.html")
        stack.gunicorn(GUNICORN, WORKERS, WORKER_CLASS, THREADS)
        for path in urls:  # every URL of the mix in the cache, as on a report day's second minute
            fetch(GUNICORN, path)
        loaded = os.getloadavg()
        results = compare(
            {
                "Django's floor (HTML from memory)": lambda s: load(["/floor/"], GUNICORN, s, CLIENTS),
                "progress table, cached": lambda s: load([PAGE], GUNICORN, s, CLIENTS),
                "mix of 10 public URLs, cached": lambda s: load(urls, GUNICORN, s, CLIENTS),
            },
            DURATION,
        )
        static = f"server {{ listen 127.0.0.1:{STATIC}; root {workdir}; location = /floor.html {{ }} }}"
        stack.nginx(NGINX, [GUNICORN], workers=2, extra=static)
        results |= compare(
            {
                "nginx's floor (static file)": lambda s: wrk(STATIC, "/floor.html", s, workdir),
                "table through nginx": lambda s: wrk(NGINX, PAGE, s, workdir),
                # wrk's Lua script costs wrk itself time: the mix's floor is the static file through the same script.
                "nginx's floor, wrk's mix script": lambda s: wrk(STATIC, "/", s, workdir, ["/floor.html"] * len(urls)),
                "mix through nginx": lambda s: wrk(NGINX, "/", s, workdir, urls),
            },
            DURATION,
        )
        stack.stop()
        stack.gunicorn(GUNICORN, WORKERS, WORKER_CLASS, THREADS, PUBLIC_CACHE_SECONDS="0")
        results["progress table, uncached"] = compare(
            {"uncached": lambda s: load([PAGE], GUNICORN, s, CLIENTS)}, DURATION
        )["uncached"]
        return results, (loaded, os.getloadavg())
    finally:
        stack.stop()
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    database_kind = "PostgreSQL" if DATABASE_BASE else "SQLite"
    cache = f"Redis at {REDIS_URL}" if REDIS_URL else f"the database ({database_kind})"
    print(
        f"gunicorn, {WORKERS} {WORKER_CLASS} workers; {database_kind}; public cache: {cache}. Straight to gunicorn: "
        f"{CLIENTS} Python keep-alive clients; through nginx: wrk, {WRK_CONNECTIONS} connections; "
        f"{DURATION:.0f} s per URL in {ROUNDS} alternating rounds. Load average at start: {os.getloadavg()[0]:.2f}"
    )
    ratios = {}
    for times in SIZES:
        results, (before, after) = measure(times)
        print(f"{times:>3}x  load average {before[0]:.2f} before, {after[0]:.2f} after (2 CPUs, shared)")
        for name, (rps, p50, p99, errors) in results.items():
            print(f"{times:>3}x  {name:<35} {rps:9.1f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  errors {errors}")
        django = results["progress table, cached"][0] / results["Django's floor (HTML from memory)"][0]
        mixed = results["mix of 10 public URLs, cached"][0] / results["Django's floor (HTML from memory)"][0]
        proxied = results["table through nginx"][0] / results["nginx's floor (static file)"][0]
        proxied_mix = results["mix through nginx"][0] / results["nginx's floor, wrk's mix script"][0]
        ratios[times] = (django, proxied)
        print(
            f"{times:>3}x  cached table at {django * 100:.0f} % of Django's floor (mix {mixed * 100:.0f} %); "
            f"through nginx at {proxied:.2f}x of nginx's static floor (mix {proxied_mix:.2f}x)"
        )
    checks = []
    if 10 in ratios:
        checks.append((ratios[10][0] >= 0.8, f"cached table at 10x ≥ 80 % of Django's floor ({ratios[10][0]:.0%})"))
    for times, (_, proxied) in ratios.items():
        checks.append((proxied >= 0.8, f"table through nginx at {times}x ≥ 0.8x of nginx's floor ({proxied:.2f}x)"))
    for passed, text in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
