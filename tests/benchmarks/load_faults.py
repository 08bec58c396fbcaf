"""Load and fault run: public readers and staff saving at once, through nginx, with a PostgreSQL restart mid-run.

Run: `.venv/bin/python tests/benchmarks/load_faults.py` (PostgreSQL on 127.0.0.1:5432, nginx; BENCH_SECONDS=60
and BENCH_TIMES=100 by default). It creates a throwaway database with the demo, grows the published year to
BENCH_TIMES times its rows, serves it as production does (two gunicorn instances behind nginx with
deploy/nginx.conf.template), then for the given time runs 50 public readers over every public page type (the
table's pages among them) and 10 staff users saving status updates (each save carries the version it read),
all through nginx. A third of the way in, PostgreSQL is restarted. It prints requests per second, p50/p99,
errors by kind and how long the app took to answer again by itself, and checks: no 5xx outside the outage, and
during it only the app's own 503 page; every save the server acknowledged is in the database's history; every
refused save was told so. Exit status 1 if a check fails.
"""

import collections
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
from tests.benchmarks import proxy_stack  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
TIMES = int(os.environ.get("BENCH_TIMES", "100"))
PAGES = int(os.environ.get("BENCH_PAGES", "10"))
READERS, WRITERS, PORT, INSTANCES = 50, 10, 8831, (8832, 8833)
GROW = """
from django.db import transaction
from tests.public.conftest import grow_published
from commitments.models import ReportingPeriod
with transaction.atomic():
    grow_published(ReportingPeriod.objects.get(start_year=2013), {times})
"""
DATABASE = f"napreport_load_{uuid.uuid4().hex[:8]}"
BASE_URL = os.environ.get("POSTGRES_URL_BASE", "postgres://postgres@127.0.0.1:5432")
CLUSTER = os.environ.get("PG_CLUSTER_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]

stats = collections.defaultdict(list)  # kind -> latencies
errors = collections.Counter()
acknowledged, refused = [], []
lock = threading.Lock()
outage = threading.Event()
restarted_at: list[float] = []  # when the restart command returned
answered_after: list[float] = []  # when the app next answered a staff request from the database


def record(kind, started, status, body=""):
    with lock:
        stats[kind].append(time.perf_counter() - started)
        if status == 503 and "Service temporarily unavailable" not in body:
            status = 599  # a 503 that is not the app's own page (nginx's, or a gunicorn that gave up)
        if status >= 500:
            errors[f"{status} {'during outage' if outage.is_set() else 'outside the outage'}"] += 1
        elif status >= 400:
            errors[f"{status}"] += 1
        elif kind == "staff list" and restarted_at and not answered_after:
            answered_after.append(time.perf_counter())


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(browser, path, data=None, referer=None):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data, headers={"Referer": referer or ""})
    try:
        with browser.open(request, timeout=60) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError:
        return 599, ""


def reader(stop, paths):
    browser = opener()
    while time.perf_counter() < stop:
        path = random.choice(paths)
        started = time.perf_counter()
        status, body = fetch(browser, path)
        record("public page", started, status, body)


def token(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found[1] if found else ""


def sign_in(browser, username):
    status, page = fetch(browser, "/admin/login/")
    body = urllib.parse.urlencode(
        {
            "username": username,
            "password": f"demo-{username}-2014",
            "next": "/admin/",
            "csrfmiddlewaretoken": token(page),
        }
    )
    fetch(browser, "/admin/login/", body.encode(), f"http://127.0.0.1:{PORT}/admin/login/")


def writer(stop, username):
    browser = opener()
    sign_in(browser, username)
    while time.perf_counter() < stop:
        started = time.perf_counter()
        status, listing = fetch(browser, "/admin/commitments/statusupdate/")
        record("staff list", started, status, listing)
        if 'name="username"' in listing:  # the sign-in page: the first sign-in did not go through (timed out)
            with lock:
                errors["signed in again"] += 1
            sign_in(browser, username)
            continue
        links = re.findall(r'href="(/admin/commitments/statusupdate/\d+/change/)', listing)
        if not links:
            time.sleep(0.5)
            continue
        path = random.choice(links)
        status, form = fetch(browser, path)
        version = re.search(r'name="read_version" value="(\d+)"', form)
        current = re.search(r'<option value="(\w+)" selected>', form)
        if status != 200 or not version or not current:
            with lock:
                errors[f"form not read ({status})"] += 1
            continue
        note = f"load {uuid.uuid4().hex}"
        body = {
            "csrfmiddlewaretoken": token(form),
            "read_version": version[1],
            "status": current[1],
            "note_en": note,
            "note_fr": "",
            "target_year": re.search(r'name="target_year" value="(\d*)"', form)[1]
            if 'name="target_year" value=' in form
            else "",
        }
        started = time.perf_counter()
        status, result = fetch(browser, path, urllib.parse.urlencode(body).encode(), f"http://127.0.0.1:{PORT}{path}")
        record("staff save", started, status, result)
        update_id = int(path.split("/")[-3])
        with lock:
            if status == 200 and "Not saved" in result:
                refused.append((update_id, note))
            elif status == 200 and ("was changed successfully" in result or "My deliverables" in result):
                acknowledged.append((update_id, note))
            elif status < 500:
                errors["save answered without a clear outcome"] += 1


def restart_postgres(after):
    time.sleep(after)
    outage.set()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", "restart"], check=True)
    restarted_at.append(time.perf_counter())
    time.sleep(2)  # requests that were waiting on the old connections end within it
    outage.clear()


def main():
    workdir = Path(tempfile.mkdtemp(prefix=f"{DATABASE}-"))
    env = proxy_stack.app_env(
        workdir,
        f"{BASE_URL}/{DATABASE}",
        SECRET_KEY="load-" + "z" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        AXES_FAILURE_LIMIT="1000",
    )
    stack = proxy_stack.Stack(workdir, env)
    subprocess.run(["psql", f"{BASE_URL}/postgres", "-qc", f'CREATE DATABASE "{DATABASE}"'], check=True)
    try:
        proxy_stack.prepare(env)
        if TIMES > 1:
            proxy_stack.manage(env, "shell", "--no-imports", "-c", GROW.format(times=TIMES))
        # As in production: two instances (2 sync workers each on this 2-core machine) behind nginx.
        for port in INSTANCES:
            stack.gunicorn(port, workers=2)
        stack.nginx(PORT, list(INSTANCES), workers=2)
        try:
            status, home = fetch(opener(), "/fr/")
            french = re.search(r'href="(/fr/[^"]+/2013-2014/)"', home)[1]  # the French table, as the page links it
            paths = [
                "/en/",
                "/fr/",
                "/en/progress/2013-2014/",
                f"{french}?department=rcmp&status=ongoing",
                "/en/progress/2013-2014/?q=training&sort=-status",
                "/en/changes/",
                "/en/downloads/",
                "/en/downloads/2013-2014/action-items.csv",
                "/en/departments/cbsa/",
            ]
            # Some of the table's pages, in both languages, not in any cache yet (BENCH_PAGES of each).
            paths += [f"/en/progress/2013-2014/?page={n}" for n in range(2, 2 + PAGES)]
            paths += [f"{french}?page={n}" for n in range(2, 2 + PAGES)]
            status, page = fetch(opener(), "/en/progress/2013-2014/")
            paths += sorted(set(re.findall(r'href="(/en/deliverables/\d+/)"', page)))[:10]
            accounts = ["rcmp", "cbsa", "ps", "jus", "cic", "dfatd", "esdc-tfwp", "pptc", "aandc", "swc"][:WRITERS]
            stop = time.perf_counter() + SECONDS
            threads = [threading.Thread(target=reader, args=(stop, paths)) for _ in range(READERS)]
            threads += [threading.Thread(target=writer, args=(stop, account)) for account in accounts]
            threads.append(threading.Thread(target=restart_postgres, args=(SECONDS / 3,)))
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            stack.stop()
        history = "from commitments.models import StatusUpdate; "
        history += "print('\\n'.join(StatusUpdate.history.model.objects.values_list('note_en', flat=True)))"
        in_history = set(proxy_stack.manage(env, "shell", "--no-imports", "-c", history).split("\n"))
    finally:
        subprocess.run(
            ["psql", f"{BASE_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=False
        )

    total = sum(len(latencies) for latencies in stats.values())
    print(
        f"{SECONDS:.0f} s at {TIMES}x, through nginx to 2 gunicorn instances: {READERS} readers, {WRITERS} staff, "
        f"PostgreSQL restarted at {SECONDS / 3:.0f} s; load average {os.getloadavg()[0]:.2f} (2 CPUs, shared)"
    )
    print(f"  {total / elapsed:.0f} requests/s overall")
    if restarted_at and answered_after:
        print(f"  staff pages answered again {answered_after[0] - restarted_at[0]:.1f} s after the restart returned")
    for kind, latencies in sorted(stats.items()):
        latencies.sort()
        p50, p99 = statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"  {kind:<12} {len(latencies):>7} requests  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    print(f"  errors by kind: {dict(errors) or 'none'}")
    lost = [note for _, note in acknowledged if note not in in_history]
    print(
        f"  saves acknowledged {len(acknowledged)}, refused as stale {len(refused)}, acknowledged but lost {len(lost)}"
    )
    checks = {
        "no 5xx outside the outage": not any("outside" in kind for kind in errors),
        "only clean 503 pages during the outage": not any(
            k.endswith("during outage") and not k.startswith("503") for k in errors
        ),
        "no lost update (every acknowledged save is in the history)": not lost,
        "refused saves were never written": not any(note in in_history for _, note in refused),
        "saves happened": bool(acknowledged),
        "the app answered again by itself after the restart": bool(answered_after),
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
