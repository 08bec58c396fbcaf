"""Load and fault run: public readers and staff saving at once, through nginx, with a PostgreSQL restart mid-run.

Run: `.venv/bin/python tests/benchmarks/load_faults.py` (PostgreSQL's server programs and nginx; BENCH_SECONDS=60
and BENCH_TIMES=100 by default). It starts a PostgreSQL cluster of its own (initdb into a temporary folder, its own
port, trust authentication; stopped and removed at the end, on failure and on Ctrl-C too), so it never touches the
machine's shared server and is safe to run beside other work (though its figures then reflect the shared CPUs).
On that cluster it loads the demo, grows the published year and the open one to BENCH_TIMES times their rows (the
readers' pages and the staff's lists alike), serves it as production does (two gunicorn instances behind nginx
with deploy/nginx.conf.template), then for the given time runs 50 public readers over every public page type (the
table's pages among them) and 10 staff users saving status updates through the change form, as a browser posts it
(every field the form shows, with the version it was read at), all through nginx. A third of the way in, its
PostgreSQL is restarted. It prints requests per second, p50/p99, what was answered during the outage, why any
staff attempt failed, and how long the app took to answer again by itself, and checks: no 5xx outside the outage,
and during it only the app's own 503 page; every save the server acknowledged is in the database's history; every
refused save was told so and never written. Exit status 1 if a check fails. It listens on 127.0.0.1:8831-8834
(nginx, the two instances, its PostgreSQL) and keeps the servers' logs in a temporary folder it names, with every
500 the app logged summarised in its report.
"""

import collections
import http.cookiejar
import os
import random
import re
import shutil
import signal
import statistics
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
from tests.benchmarks.server_logs import internal_errors  # noqa: E402
from tests.benchmarks.staff_forms import ChangeForm, messages  # noqa: E402
from tests.production.private_cluster import private_cluster  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
TIMES = int(os.environ.get("BENCH_TIMES", "100"))
PAGES = int(os.environ.get("BENCH_PAGES", "10"))
READERS, WRITERS, PORT, INSTANCES, DATABASE_PORT = 50, 10, 8831, (8832, 8833), 8834
# Every client waits as long as nginx waits for the app (proxy_read_timeout, deploy/nginx.conf.template): on a
# loaded machine at 100× a request queued behind slow pages and sign-ins takes many seconds, and one given up on
# sooner would be counted as a failure of the app that nginx itself would still have waited for.
TIMEOUT = 120
# The requests under way when the database went down or came back: they end within this many seconds of it.
GRACE = 2.0
# The published year at BENCH_TIMES its rows for the readers, and the open year at as many for the staff: each
# published copy carried forward as ReportingPeriod.open_next does (its status, target and history), led by its
# original's departments, so each department's list grows with the chart. Then the planner's statistics, as
# autovacuum would gather them a minute after such inserts (never analyzed, the tables look as small as the demo's).
GROW = """
from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history
from tests.public.conftest import grow_published
from commitments.models import DeliverableLead, PublishedDeliverable, ReportingPeriod, StatusUpdate
published, open_period = ReportingPeriod.objects.get(start_year=2013), ReportingPeriod.objects.get(start_year=2014)
with transaction.atomic():
    grow_published(published, {times})
    copies = PublishedDeliverable.objects.filter(period=published, deliverable__position__gte=200).exclude(status="")
    copies = list(copies.prefetch_related("leads"))
    carried = [
        StatusUpdate(deliverable_id=row.deliverable_id, period=open_period, status=row.status,
                     target_year=row.target_year)
        for row in copies
    ]
    bulk_create_with_history(carried, StatusUpdate)
    DeliverableLead.objects.bulk_create(
        DeliverableLead(deliverable_id=row.deliverable_id, department=department, position=position)
        for row in copies
        for position, department in enumerate(row.leads.all(), start=1)
    )
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(StatusUpdate.objects.filter(period=open_period).count(), "statuses in the open year")
"""
HISTORY = """
from commitments.models import StatusUpdate
print("\\n".join(StatusUpdate.history.model.objects.values_list("note_en", flat=True)))
"""
LIST = "/admin/commitments/statusupdate/"

answers: list[tuple[str, float, float, int]] = []  # kind, started, finished, status (599: no answer or not ours)
server_errors: collections.Counter = collections.Counter()  # (kind, path, status, during the outage?) of each 5xx
attempts: collections.Counter = collections.Counter()  # (writer, outcome): what each staff attempt came to
acknowledged: list[tuple[int, str]] = []  # (status update, note) the server said it saved
refused: list[tuple[int, str]] = []  # … and said it did not save: someone else had saved first
unclear: list[tuple[int, str]] = []  # … and answered neither way (an error page, no answer)
lock = threading.Lock()
outage: dict[str, float] = {}  # "began" (the stop was asked), "back" (the server accepts connections again)


def record(kind: str, path: str, started: float, status: int, body: str = "") -> None:
    # The app's own 503s: its bilingual page, and the health check's answer.
    if status == 503 and "Service temporarily unavailable" not in body and '"database": "unreachable"' not in body:
        status = 599  # a 503 that is not the app's (nginx's, or a gunicorn that gave up)
    finished = time.perf_counter()
    with lock:
        answers.append((kind, started, finished, status))
        if status >= 500:
            server_errors[(kind, path, status, during_outage(started, finished))] += 1


def failed(writer: str, reason: str) -> None:
    with lock:
        attempts[(writer, reason)] += 1
    time.sleep(0.5)  # as a person would before trying again, instead of hammering a server in trouble


def during_outage(started: float, finished: float) -> bool:
    """Whether a request overlapped the outage: from the stop until GRACE after the server was back."""
    if "began" not in outage:
        return False
    return finished >= outage["began"] and started <= outage.get("back", float("inf")) + GRACE


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(browser, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(status, page, the address it ended at after redirects); status 599 when no answer came."""
    url = f"http://127.0.0.1:{PORT}{path}"
    # Django checks a POST's Referer only over HTTPS; a browser sends it anyway, as it does here.
    request = urllib.request.Request(url, urllib.parse.urlencode(data).encode() if data else None, {"Referer": url})
    try:
        with browser.open(request, timeout=TIMEOUT) as response:
            return response.status, response.read().decode(errors="replace"), urllib.parse.urlsplit(response.url).path
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), path
    except OSError as error:  # refused, reset, or timed out
        return 599, type(error).__name__, path


def reader(stop: float, paths: list[str]) -> None:
    browser = opener()
    while time.perf_counter() < stop:
        started = time.perf_counter()
        path = random.choice(paths)
        status, body, _ = fetch(browser, path)
        record("public page", path, started, status, body)


def sign_in(browser, username: str) -> str:
    """'' once signed in, else why not."""
    status, page, at = fetch(browser, "/admin/login/")
    if status == 200 and at != "/admin/login/":
        return ""  # sent on: already signed in (a sign-in the outage seemed to refuse had gone through)
    form = ChangeForm.first(page, form_id="login-form")
    if status != 200 or form is None:
        return f"sign-in page {status}"
    fields = {**form.values, "username": username, "password": f"demo-{username}-2014", "next": LIST}
    started = time.perf_counter()
    status, page, at = fetch(browser, "/admin/login/", fields)
    record("staff sign-in", "/admin/login/", started, status, page)
    if status != 200 or at == "/admin/login/":
        return f"sign-in answered {status}: {' '.join(messages(page))[:120]}"
    return ""


def writer(stop: float, username: str) -> None:
    browser, signed_in, listing = opener(), False, ""
    while time.perf_counter() < stop:
        if not signed_in:
            reason = sign_in(browser, username)
            if reason:
                failed(username, reason)
                continue
            signed_in = True
        if not listing:  # else the list a save landed on, as a person picks the next row from it
            started = time.perf_counter()
            status, listing, at = fetch(browser, LIST)
            record("staff list", LIST, started, status, listing)
            if at == "/admin/login/":  # signed out (a session lost in the outage): sign in again, as a person would
                signed_in, listing = False, ""
                failed(username, "signed out")
                continue
            if status != 200:
                failed(username, f"list {status}" + (f" ({listing})" if status == 599 else ""))
                listing = ""
                continue
        links = sorted(set(re.findall(r'href="(/admin/commitments/statusupdate/\d+/change/)', listing)))
        listing = ""
        if not links:
            failed(username, "list without a row to open")
            continue
        path = random.choice(links)
        started = time.perf_counter()
        status, page, _ = fetch(browser, path)
        record("staff form", path, started, status, page)
        form = ChangeForm.first(page, form_id="statusupdate_form")
        if status != 200 or form is None or "read_version" not in form.values:
            reason = f" ({page})" if status == 599 else "" if form else ", no change form on it"
            failed(username, f"form {status}{reason}")
            continue
        listing = save(browser, username, path, form)


def save(browser, username: str, path: str, form: ChangeForm) -> str:
    """Posts the form back as a browser would (every field as shown), with a note of its own to find afterwards;
    the list it landed on when saved, else ''."""
    note = f"load {uuid.uuid4().hex}"
    started = time.perf_counter()
    # Timed with the redirect to the list that follows a save, as the person waits for both.
    status, page, at = fetch(browser, path, {**form.values, "note_en": note})
    record("staff save", path, started, status, page)
    update = int(path.split("/")[-3])
    said = messages(page)
    with lock:
        if status == 200 and any(message.startswith("Not saved") for message in said):
            refused.append((update, note))
            attempts[(username, "refused as stale")] += 1
        elif status == 200 and at == LIST and any("changed successfully" in message for message in said):
            acknowledged.append((update, note))
            attempts[(username, "saved")] += 1
            return page
        else:
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
            detail = re.sub(r"<[^>]+>", " ", " ".join(errors) or " ".join(said) or page[:100]).split()
            attempts[(username, f"save answered {status}: {' '.join(detail)[:120]}")] += 1
            unclear.append((update, note))
    return ""


def probe(stop: float) -> None:
    """Asks the health check (which needs the database) five times a second: when the app answered again."""
    browser = opener()
    while time.perf_counter() < stop:
        started = time.perf_counter()
        status, body, _ = fetch(browser, "/healthz")
        record("health check", "/healthz", started, status, body)
        time.sleep(0.2)


def restart_database(cluster, after: float) -> None:
    time.sleep(after)
    outage["began"] = time.perf_counter()
    cluster.stop()  # fast: every open connection is ended, as an administrator's restart does
    cluster.start()
    outage["back"] = time.perf_counter()


def public_paths() -> list[str]:
    status, home, _ = fetch(opener(), "/fr/")
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
    status, page, _ = fetch(opener(), "/en/progress/2013-2014/")
    # Some of the table's pages, in both languages, not in any cache yet (BENCH_PAGES of each, as far as it goes).
    last = max([1, *(int(n) for n in re.findall(r"[?;]page=(\d+)", page))])  # after ? or &amp;
    pages = range(2, min(2 + PAGES, last + 1))
    paths += [f"/en/progress/2013-2014/?page={n}" for n in pages] + [f"{french}?page={n}" for n in pages]
    paths += sorted(set(re.findall(r'href="(/en/deliverables/\d+/)"', page)))[:10]
    return paths


def run(cluster, workdir: Path, logs: Path) -> tuple[float, set[str]]:
    """The load, on the stack over `cluster`: (its length in seconds, the notes the history holds afterwards); the
    servers' logs are copied to `logs`."""
    cluster.create_database("napreport")
    env = proxy_stack.app_env(
        workdir,
        cluster.url("napreport"),
        SECRET_KEY="load-" + "z" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        AXES_FAILURE_LIMIT="1000",
    )
    proxy_stack.prepare(env)
    if TIMES > 1:
        print(proxy_stack.manage(env, "shell", "--no-imports", "-c", GROW.format(times=TIMES)).strip(), flush=True)
    stack = proxy_stack.Stack(workdir, env)
    try:
        # As in production: two instances (2 sync workers each on this 2-core machine) behind nginx.
        for port in INSTANCES:
            stack.gunicorn(port, workers=2)
        stack.nginx(PORT, list(INSTANCES), workers=2)
        paths = public_paths()
        accounts = ["rcmp", "cbsa", "ps", "jus", "cic", "dfatd", "esdc-tfwp", "pptc", "aandc", "swc"][:WRITERS]
        stop = time.perf_counter() + SECONDS
        # Daemons: on Ctrl-C the main thread's clean-up runs at once, without waiting for them to see the stop.
        threads = [threading.Thread(target=reader, args=(stop, paths), daemon=True) for _ in range(READERS)]
        threads += [threading.Thread(target=writer, args=(stop, name), daemon=True) for name in accounts]
        threads.append(threading.Thread(target=probe, args=(stop,), daemon=True))
        threads.append(threading.Thread(target=restart_database, args=(cluster, SECONDS / 3), daemon=True))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        stack.stop()
        for log in workdir.glob("*.log"):  # kept for the report (the folder itself is removed)
            shutil.copy(log, logs / log.name)
    return elapsed, set(proxy_stack.manage(env, "shell", "--no-imports", "-c", HISTORY).split("\n"))


def percentile(latencies: list[float], share: float) -> float:
    return latencies[max(int(len(latencies) * share) - 1, 0)] * 1000


def answered_again() -> dict[str, float]:
    """For each kind of request, how long after the database was back one that had started after it went down
    was first answered (200)."""
    firsts: dict[str, float] = {}
    for kind, started, finished, status in answers:
        if "back" in outage and status == 200 and started > outage["began"] and finished > outage["back"]:
            firsts[kind] = min(firsts.get(kind, finished), finished)
    return {kind: finished - outage["back"] for kind, finished in firsts.items()}


def report(elapsed: float, in_history: set[str], logs: Path) -> int:
    print(
        f"{SECONDS:.0f} s at {TIMES}x, through nginx to 2 gunicorn instances: {READERS} readers, {WRITERS} staff, "
        f"a private PostgreSQL restarted at {SECONDS / 3:.0f} s; load average {os.getloadavg()[0]:.2f} (2 CPUs)"
    )
    print(f"  {len(answers)} requests in {elapsed:.0f} s (the last ones waited for): {len(answers) / elapsed:.0f}/s")
    by_kind = collections.defaultdict(list)
    for kind, started, finished, _ in answers:
        by_kind[kind].append(finished - started)
    for kind, latencies in sorted(by_kind.items()):
        latencies.sort()
        p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99)
        print(f"  {kind:<13} {len(latencies):>7} requests  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    inside, outside = collections.Counter(), collections.Counter()
    for kind, started, finished, status in answers:
        (inside if during_outage(started, finished) else outside)[(kind, status)] += 1
    if "back" in outage:
        print(f"  the database was down for {outage['back'] - outage['began']:.1f} s")
        print(f"  answered during the outage: {dict(sorted(inside.items()))}")
        again = answered_again()
        # The public pages may come from nginx's or the app's cache; the others need the database.
        from_database = [seconds for kind, seconds in again.items() if kind != "public page"]
        if from_database:
            print(f"  the app answered from the database again {min(from_database):.1f} s after it was back")
        for kind, seconds in sorted(again.items()):
            print(f"    first {kind:<13} {seconds:5.1f} s after (queued behind the others: an upper bound)")
    print(f"  outside the outage, by status: {dict(sorted(outside.items()))}")
    for (kind, path, status, during), count in sorted(server_errors.items()):
        print(f"  {count:>5} x {status} {kind} {path} {'during the outage' if during else 'OUTSIDE the outage'}")
    for (path, exception), count in sorted(internal_errors(logs).items()):
        print(f"  {count:>5} x logged 500 at {path}: {exception[:200]}")
    print(f"  the servers' logs: {logs}")
    print("  staff attempts, by writer and outcome:")
    for (name, outcome), count in sorted(attempts.items()):
        print(f"    {name:<10} {count:>4}  {outcome}")
    lost = [note for _, note in acknowledged if note not in in_history]
    print(
        f"  saves acknowledged {len(acknowledged)}, refused as stale {len(refused)}, acknowledged but lost {len(lost)}"
    )
    again = answered_again()
    committed = sum(note in in_history for _, note in unclear)
    print(
        f"  saves answered neither way {len(unclear)}, of which written all the same (the person not told) {committed}"
    )
    checks = {
        "no 5xx outside the outage": not any(status >= 500 for _, status in outside),
        "only the app's own 503 page during the outage": not any(
            status >= 500 and status != 503 for _, status in inside
        ),
        "no lost update (every acknowledged save is in the history)": not lost,
        "refused saves were never written": not any(note in in_history for _, note in refused),
        "saves happened": bool(acknowledged),
        "the app answered again by itself after the restart (health check and staff pages)": "health check" in again
        and any(kind.startswith("staff") for kind in again),
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    # A `kill` ends the run as Ctrl-C does: through the clean-up below, so no server or cluster is left behind.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    workdir = Path(tempfile.mkdtemp(prefix="napreport-load-"))
    logs = Path(tempfile.mkdtemp(prefix="napreport-load-logs-"))  # gunicorn's and nginx's, kept after the run
    try:
        with private_cluster(DATABASE_PORT) as cluster:
            elapsed, in_history = run(cluster, workdir, logs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not any(logs.iterdir()):  # stopped before the servers ran
            logs.rmdir()
    return report(elapsed, in_history, logs)


if __name__ == "__main__":
    sys.exit(main())
