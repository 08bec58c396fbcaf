"""Benchmark: the public progress table under gunicorn, against Django's floor, at 1x and 10x data.

Run with `make benchmarks` (or `.venv/bin/python tests/benchmarks/bench_public.py`). For each data size it
loads the demo into a throwaway SQLite database (10x: nine more published copies of every row), starts
gunicorn, and measures requests per second and p50/p99 latency for the progress table — cached, as the
public sees it, and uncached — and for /floor/, a minimal Django view returning the same HTML from memory.
The floor and the cached table are loaded in alternating rounds on the same server, so that whatever else
the machine is doing weighs on both alike.
Target (issue #5): the progress table reaches at least 80 % of the floor's throughput at 10x.
"""

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DURATION = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
ROUNDS = 4
PAGE = "/en/progress/2013-2014/"
# The public pages' cache: Redis when BENCH_REDIS_URL is set (as production would with REDIS_URL), else the database.
REDIS_URL = os.environ.get("BENCH_REDIS_URL")
GROW = """
from django.db import transaction
from tests.public.conftest import grow_published
from commitments.models import ReportingPeriod
with transaction.atomic():
    grow_published(ReportingPeriod.objects.get(start_year=2013), 10)
"""


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True, capture_output=True)


def load(url, port, seconds, clients):
    """`clients` keep-alive connections requesting `url` for `seconds`; returns (latencies, errors)."""
    latencies, errors, stop = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Host": "localhost"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
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


def compare(urls, port, seconds, clients):
    """Load each of `urls` in turn, ROUNDS times, so that whatever else the machine does weighs on each alike;
    returns {url: (requests/s, p50, p99, errors)}."""
    runs = {url: ([], 0) for url in urls}
    for _ in range(ROUNDS):
        for url in urls:
            latencies, errors = load(url, port, seconds / ROUNDS, clients)
            runs[url] = (runs[url][0] + latencies, runs[url][1] + errors)
    results = {}
    for url, (latencies, errors) in runs.items():
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        results[url] = (len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000, errors)
    return results


def serve(env, port):
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "--workers",
            WORKERS,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "napreport.wsgi:application",
        ],
        cwd=PROJECT,
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def measure(times, port):
    workdir = Path(tempfile.mkdtemp(prefix="napreport-bench-"))
    env = {
        # Persistent connections, as in production: with the database cache, every cached page is one
        # read of the database (napreport.public.caching.cache_whole_page).
        "CONN_MAX_AGE": "60",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": str(workdir / "media"),
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "localhost",
        "PYTHONPATH": str(PROJECT),
    }
    if REDIS_URL:
        env["REDIS_URL"] = REDIS_URL
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput")  # production serves hashed static files (WhiteNoise)
    manage(env, "load_demo")
    if times > 1:
        manage(env, "shell", "--no-imports", "-c", GROW)
    process = serve(env, port)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", PAGE, headers={"Host": "localhost"})
        response = connection.getresponse()
        html = response.read()
        if response.status != 200:
            raise SystemExit(f"{PAGE} answered {response.status}: {html[:300]!r}")
    finally:
        process.terminate()
        process.wait()
    floor_file = workdir / "floor.html"
    floor_file.write_bytes(html)
    env["BENCH_FLOOR_HTML"] = str(floor_file)
    process = serve(env, port)
    try:
        floor, cached = compare(["/floor/", PAGE], port, DURATION, CLIENTS).values()
        results = {"floor (HTML from memory)": floor, "progress table, cached": cached}
    finally:
        process.terminate()
        process.wait()
    process = serve({**env, "PUBLIC_CACHE_SECONDS": "0"}, port)  # every request renders the page
    try:
        results["progress table, uncached"] = compare([PAGE], port, DURATION, CLIENTS)[PAGE]
    finally:
        process.terminate()
        process.wait()
    return results


def main():
    cache = f"Redis at {REDIS_URL}" if REDIS_URL else "the database"
    print(f"gunicorn, {WORKERS} workers; {CLIENTS} keep-alive clients, {DURATION:.0f} s each; cache: {cache}.")
    ratios = {}
    for times, port in ((1, 8701), (10, 8702)):
        results = measure(times, port)
        floor = results["floor (HTML from memory)"][0]
        for name, (rps, p50, p99, errors) in results.items():
            print(f"{times:>3}x  {name:<28} {rps:8.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  errors {errors}")
        ratios[times] = results["progress table, cached"][0] / floor
        print(f"{times:>3}x  cached progress table at {ratios[times] * 100:.0f} % of the floor's throughput")
    passed = ratios[10] >= 0.8
    verdict = "PASS" if passed else "FAIL"
    print(f"  {verdict}  progress table at 10x reaches at least 80 % of the floor ({ratios[10] * 100:.0f} %)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
