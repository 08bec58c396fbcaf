"""Load and fault run: public readers and staff saving at once, with a PostgreSQL restart in the middle.

Run: `.venv/bin/python tests/benchmarks/load_faults.py` (PostgreSQL on 127.0.0.1:5432; BENCH_SECONDS=60 by
default). It creates a throwaway database with the demo, serves it with gunicorn, then for the given time runs
50 public readers over every public page type and 10 staff users saving status updates (each save carries
the version it read). A third of the way in, PostgreSQL is restarted. It prints requests per second, p50/p99
and errors by kind, and checks: no 5xx other than 503 during the outage; every save the server acknowledged
is in the database's history; every refused save was told so. Exit status 1 if a check fails.
"""

import collections
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
READERS, WRITERS, PORT = 50, 10, 8831
DATABASE = f"napreport_load_{uuid.uuid4().hex[:8]}"
BASE_URL = os.environ.get("POSTGRES_URL_BASE", "postgres://postgres@127.0.0.1:5432")
CLUSTER = os.environ.get("PG_CLUSTER_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]

stats = collections.defaultdict(list)  # kind -> latencies
errors = collections.Counter()
acknowledged, refused = [], []
lock = threading.Lock()
outage = threading.Event()


def record(kind, started, status):
    with lock:
        stats[kind].append(time.perf_counter() - started)
        if status >= 500:
            errors[f"{status} {'during outage' if outage.is_set() else 'outside the outage'}"] += 1
        elif status >= 400:
            errors[f"{status}"] += 1


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
        status, _ = fetch(browser, path)
        record("public page", started, status)


def token(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found[1] if found else ""


def writer(stop, username):
    browser = opener()
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
    while time.perf_counter() < stop:
        started = time.perf_counter()
        status, listing = fetch(browser, "/admin/commitments/statusupdate/")
        record("staff list", started, status)
        links = re.findall(r'href="(/admin/commitments/statusupdate/\d+/change/)', listing)
        if not links:
            time.sleep(0.5)
            continue
        path = random.choice(links)
        status, form = fetch(browser, path)
        version = re.search(r'name="read_version" value="(\d+)"', form)
        current = re.search(r'<option value="(\w+)" selected>', form)
        if status != 200 or not version or not current:
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
        record("staff save", started, status)
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
    time.sleep(2)
    outage.clear()


def main():
    env = {
        **os.environ,
        "DATABASE_URL": f"{BASE_URL}/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": "load-" + "z" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "60",
        "MEDIA_ROOT": f"/tmp/{DATABASE}-media",
        "AXES_FAILURE_LIMIT": "1000",
        "PYTHONPATH": str(PROJECT),
    }
    subprocess.run(["psql", f"{BASE_URL}/postgres", "-qc", f'CREATE DATABASE "{DATABASE}"'], check=True)
    try:
        for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_demo"]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{PORT}",
                "napreport.wsgi:application",
            ],
            cwd=PROJECT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)
            paths = [
                "/en/",
                "/fr/",
                "/en/progress/2013-2014/",
                "/fr/progress/2013-2014/?department=rcmp&status=ongoing",
                "/en/progress/2013-2014/?q=training&sort=-status",
                "/en/changes/",
                "/fr/downloads/",
                "/en/downloads/2013-2014/action-items.csv",
                "/en/departments/cbsa/",
            ]
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
            server.terminate()
            server.wait()
        check = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                "import sys; from commitments.models import StatusUpdate; "
                "print('\\n'.join(StatusUpdate.history.model.objects.values_list('note_en', flat=True)))",
            ],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        in_history = set(check.stdout.split("\n"))
    finally:
        subprocess.run(
            ["psql", f"{BASE_URL}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=False
        )

    total = sum(len(latencies) for latencies in stats.values())
    print(f"{SECONDS:.0f} s, {READERS} readers, {WRITERS} staff, PostgreSQL restarted at {SECONDS / 3:.0f} s")
    print(f"  {total / elapsed:.0f} requests/s overall")
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
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
