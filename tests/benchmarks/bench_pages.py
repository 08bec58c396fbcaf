"""Benchmark: every page type's uncached time at 1x, 10x and 100x the chart (issue #17: "no page's cost grows
with the chart").

Run with `.venv/bin/python tests/benchmarks/bench_pages.py` (BENCH_TIMES=1,10,100 by default; BENCH_REPEAT
requests a page, 15 by default; BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432 for a throwaway PostgreSQL
database per size, SQLite files otherwise). For each size it loads the demo into a fresh database, publishes
2014-2015 too (so "What changed" compares two years), copies every deliverable (times - 1) times into both
published years and into the open 2015-2016 period with a status each (the chart at `times` its size: 10,900
deliverable rows at 100x), then requests every public and staff page type in-process through Django's test
client, the public page cache turned off (each request renders its page), and prints p50 and p90 in milliseconds
and the size of each response, then each page's p50 at every size against its p50 at 1x. Target: within 1.5x of
1x at 100x, and p50 under 150 ms.

Each size runs in its own process (Django is set up once per database). The load average is printed: the
machine may be busy, and the ratios between sizes measured in the same run are what counts.

BENCH_KEEP=<folder> keeps each size's database (SQLite file and media under <folder>/<times>x-<backend>/, or the
PostgreSQL database bench_pages_<times>x) and, when that size was built there before, migrates and measures it
again without rebuilding it: to profile one size's pages (CaptureQueriesContext, EXPLAIN, cProfile) against the
database the benchmark measures, or to measure a change on the same data.

BENCH_PAGES=search,home measures only the pages whose names contain one of those words (every page by default).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SIZES = [int(times) for times in os.environ.get("BENCH_TIMES", "1,10,100").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
DATABASE_BASE = os.environ.get("BENCH_DATABASE_URL", "").rstrip("/")
KEEP = os.environ.get("BENCH_KEEP", "")
PAGES = [word for word in os.environ.get("BENCH_PAGES", "").split(",") if word]
TARGET_GROWTH, TARGET_P50_MS = 1.5, 150


def measure_one_size(times: int) -> list[dict]:
    """In this process: set up Django on the database named by the environment, build the chart at `times` its
    size, and time each page type. Returns one record per page."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production's hashed static files
    from commitments.models import PublishedDeliverable, ReportingPeriod
    from napreport.public.views import PAGE_SIZE

    if os.environ.get("BENCH_REUSE"):  # built by an earlier run (BENCH_KEEP)
        published = ReportingPeriod.objects.get(start_year=2013)
    else:
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- closed with the process
        with transaction.atomic():
            published, second = publish_second_year()
            grow(times, published, second)
    settle_statistics()

    from django.contrib.auth import get_user_model
    from django.utils import translation

    users = get_user_model().objects
    coordinator, rcmp = users.get(username="coordinator"), users.get(username="rcmp")
    year = {"year": "2013-2014"}
    rows = PublishedDeliverable.objects.filter(period=published)
    # The deepest page that shows a full page of rows: the last one at 100x, the one before a 9-row last at 1x.
    last_page = rows.count() // PAGE_SIZE
    deliverable = rows.order_by("chart_order").first().deliverable_id
    department_saves, department_imports = DepartmentSave(rcmp), DepartmentImport(rcmp)

    def public_url(name: str, query: str = "", language: str = "en", **kwargs) -> str:
        with translation.override(language):
            try:
                return reverse(f"public:{name}", kwargs=kwargs or None) + query
            except NoReverseMatch:
                return ""

    public = [
        ("home", public_url("home")),
        ("home, just after a department's save", public_url("home"), department_saves),
        ("home, just after a department's import", public_url("home"), department_imports),
        ("home, just after a change in bulk", public_url("home"), change_in_bulk),  # the collection line counts
        ("progress table, first page", public_url("progress", **year)),
        ("progress table, last full page", public_url("progress", f"?page={last_page}", **year)),
        ("progress table, search", public_url("progress", "?q=awareness", **year)),
        ("progress table, department filter", public_url("progress", "?department=rcmp", **year)),
        ("progress table, French", public_url("progress", language="fr", **year)),
        ("deliverable", public_url("deliverable-detail", pk=deliverable)),
        ("department", public_url("department-detail", slug="rcmp")),
        ("departments list", public_url("department-list")),
        ("what changed", public_url("changes")),
        ("downloads", public_url("downloads")),
        ("CSV download", public_url("chart-download", file_format="csv", **year)),
        ("JSON download", public_url("chart-download", file_format="json", **year)),
    ]
    status_list = reverse("admin:commitments_statusupdate_changelist")
    dashboard = reverse("admin:commitments_dashboard")
    staff = [
        (coordinator, "dashboard", dashboard, None),
        (coordinator, "dashboard, just after a department's save", dashboard, department_saves),
        (coordinator, "dashboard, just after a department's import", dashboard, department_imports),
        (coordinator, "dashboard, just after a change in bulk", dashboard, change_in_bulk),
        (coordinator, "dashboard CSV", reverse("admin:commitments_dashboard_export"), None),
        (coordinator, "status list (coordinator)", status_list, None),
        (coordinator, "status list, search", status_list + "?q=awareness", None),
        (rcmp, "status list (RCMP)", status_list, None),
    ]
    records = []
    uncached = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "public": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "public-recent": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with override_settings(CACHES=uncached):
        client = Client()
        for name, url, *before_each in public:
            if wanted(name):
                records.append(time_page(client, name, url, *before_each))
        for user, name, url, before_each in staff:
            if not wanted(name):
                continue
            client = Client()
            client.force_login(user)
            records.append(time_page(client, name, url, before_each))
    return records


def settle_statistics() -> None:
    """On PostgreSQL, VACUUM ANALYZE the database the bulk inserts have just filled, as autovacuum does within a
    minute or so on a production server. This machine's server runs with autovacuum off: without it, the planner
    guessed the new tables' sizes and read the deliverables' table row by row where its index alone would do (the
    dashboard's count at 100x: 79 ms of SQL, against 55 once vacuumed). And set the planner's cost of a random
    read to 1.1, for this connection and the database's next ones, as the README's production set-up does (the
    whole database is in memory; at 100x the public search's count: 29 ms of SQL at the default 4, which reads
    every row of the year, 4.6 ms at 1.1, which reads the full-text indexes). SQLite keeps no statistics by
    itself, and the app runs no ANALYZE on it, so it is measured as it is."""
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute(f"ALTER DATABASE {name} SET random_page_cost = 1.1")
            cursor.execute("SET random_page_cost = 1.1")


def wanted(page: str) -> bool:
    """Whether BENCH_PAGES asks for this page."""
    return not PAGES or any(word in page for word in PAGES)


class DepartmentSave:
    """A department's save through the staff screens' change form: it carries the dashboard's figures to the
    chart's new revision (commitments/carried_figures.py), so the next dashboard and home page read them."""

    def __init__(self, user) -> None:
        from django.test import Client

        from commitments.models import StatusUpdate

        self.client = Client()
        self.client.force_login(user)
        led = StatusUpdate.objects.filter(period__start_year=2015, deliverable__lead_links__department__slug="rcmp")
        self.pk = led.order_by("pk").values_list("pk", flat=True).first()
        self.saves = 0

    def __call__(self) -> None:
        from django.urls import reverse

        from commitments.models import StatusUpdate
        from tests.commitments.staff_requests import change_data

        self.saves += 1
        update = StatusUpdate.objects.get(pk=self.pk)
        url = reverse("admin:commitments_statusupdate_change", args=[self.pk])
        response = self.client.post(url, change_data(update, note_en=f"Save number {self.saves}"))
        if response.status_code != 302:
            sys.exit(f"The department's save was refused ({response.status_code}).")


class DepartmentImport(DepartmentSave):
    """A department's spreadsheet import (the upload, its preview, the confirmation) of a file with one row
    changed: it carries the figures too."""

    def __call__(self) -> None:
        import csv
        import io

        from commitments.models import StatusUpdate
        from tests.commitments.staff_requests import csv_file, import_and_confirm

        self.saves += 1
        update = StatusUpdate.objects.get(pk=self.pk)
        text = io.StringIO()
        csv.writer(text).writerows(
            [
                ["id", "version", "status", "target_year", "note_en", "note_fr"],
                [update.pk, update.version, update.status, update.target_year or "", f"Import {self.saves}", ""],
            ]
        )
        response, _ = import_and_confirm(self.client, csv_file(text.getvalue()), "0")
        if response.status_code != 302:
            sys.exit(f"The department's import was refused ({response.status_code}).")


def change_in_bulk() -> None:
    """A change no save of the staff screens makes (a script, the carry-forward): the chart's revision moves and
    nothing carries the figures to it, so the next dashboard (and the home page's collection line, which reads the
    same figures) counts them again (commitments/chart_revision.py)."""
    from django.utils import timezone

    from commitments.models import ReportingPeriod, StatusUpdate

    update = StatusUpdate.objects.filter(period=ReportingPeriod.objects.get(start_year=2015)).order_by("pk").first()
    StatusUpdate.objects.filter(pk=update.pk).update(updated_at=timezone.now())


def time_page(client, name: str, url: str, before_each=None) -> dict:
    """p50/p90 of REPEAT requests after one warm-up request, each after `before_each()` (not timed) if given; a page
    that does not answer 200 is reported as such."""
    if not url:
        return {"page": name, "url": "(no such page yet)", "status": 404}
    response = client.get(url)
    if response.status_code != 200:
        return {"page": name, "url": url, "status": response.status_code}
    timings = []
    for _ in range(REPEAT):
        if before_each:
            before_each()
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "page": name,
        "url": url,
        "status": response.status_code,
        "p50": statistics.median(timings),
        "p90": timings[int(0.9 * (len(timings) - 1))],
        "bytes": len(body),
    }


def publish_second_year():
    """Publish 2014-2015 with 2013-2014's narrative, as tests/public/conftest.py does, and open 2015-2016."""
    from commitments.models import ReportingPeriod
    from napreport.report.models import NarrativeSection
    from napreport.report.publishing import publish_period
    from tests.report.editions import give_numbers

    published = ReportingPeriod.objects.get(start_year=2013)
    second = ReportingPeriod.objects.get(start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, second
        section.save()
    give_numbers(second)  # well-formed catalogue numbers and ISBNs (napreport.report.edition checks them)
    second.status_updates.filter(status="in_progress").update(status="complete")
    second.start_review()
    publish_period(second)
    ReportingPeriod.objects.create(plan=published.plan, start_year=2015)
    return published, ReportingPeriod.objects.get(start_year=2014)


def grow(times: int, *published_periods) -> None:
    """(times - 1) copies of every deliverable, each with its leads, published in both years, and the open period
    at `times` the chart too: bulk inserts, so 100x takes seconds."""
    sys.path.insert(0, str(PROJECT))
    from django.db import connection

    from tests.public.conftest import grow_published

    for period in published_periods:
        grow_published(period, times)
    grow_open_period(published_periods[-1])
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum gathers them on a running database a minute after such inserts
        # (this machine's server runs without autovacuum): never analyzed, the tables look as small as the demo's,
        # and the search at 100x read every row of the year through the period's index (3 s instead of 13 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def grow_open_period(last) -> None:
    """The staff pages' data: the open period's statuses, those of `last` (the last published year) carried forward
    as ReportingPeriod.open_next does, and one for each of its published copies, each copy led by its original's
    departments. So each department's list, the dashboard's counts and the coordinator's queue grow with the chart,
    and at 1x the open period has the chart's statuses (the status lists show editable rows at every size)."""
    from commitments.models import DeliverableLead, PublishedDeliverable, ReportingPeriod, StatusUpdate

    open_period = ReportingPeriod.objects.get(start_year=2015)
    carried = [
        StatusUpdate(
            deliverable_id=update.deliverable_id,
            period=open_period,
            status=update.status,
            target_year=update.target_year,
        )
        for update in last.status_updates.all()
    ]
    copies = PublishedDeliverable.objects.filter(period=last, deliverable__position__gte=200).exclude(status="")
    copies = list(copies.prefetch_related("leads"))
    StatusUpdate.objects.bulk_create(
        carried
        + [StatusUpdate(deliverable_id=row.deliverable_id, period=open_period, status="ongoing") for row in copies]
    )
    DeliverableLead.objects.bulk_create(
        DeliverableLead(deliverable_id=row.deliverable_id, department=department, position=position)
        for row in copies
        for position, department in enumerate(row.leads.all(), start=1)
    )


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_size(times: int) -> list[dict]:
    if KEEP:
        workdir = f"{KEEP}/{times}x-{'postgresql' if DATABASE_BASE else 'sqlite'}"
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = tempfile.mkdtemp(prefix=f"napreport-pages-{times}x-")
    built = Path(workdir, "built")
    reuse = KEEP and built.exists()
    if DATABASE_BASE:
        name = f"bench_pages_{times}x"
        if not reuse:
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        database = f"{DATABASE_BASE}/{name}"
    else:
        database = f"sqlite:///{workdir}/bench.sqlite3"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "napreport.settings",
        "DATABASE_URL": database,
        "MEDIA_ROOT": f"{workdir}/media",
        "STATIC_ROOT": f"{workdir}/static",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",
        "BENCH_PAGES_SIZE": str(times),
        "BENCH_REUSE": "1" if reuse else "",
    }
    done = subprocess.run([sys.executable, __file__], env=environment, cwd=PROJECT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"The {times}x run failed:\n{done.stderr[-3000:]}")
    if KEEP:
        built.write_text(database + "\n")
        print(f"  ({times}x kept: DATABASE_URL={database} MEDIA_ROOT={workdir}/media)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"Every page type, uncached, p50/p90 of {REPEAT} requests (ms); load average {load_average()}")
    results = {}
    for times in SIZES:
        started = time.perf_counter()
        results[times] = {record["page"]: record for record in run_size(times)}
        print(f"\n{times}x (built and measured in {time.perf_counter() - started:.0f} s; load {load_average()})")
        for record in results[times].values():
            if record["status"] != 200:
                print(f"  {record['page']:<44} answered {record['status']} ({record['url']})")
                continue
            size = record["bytes"] / 1024
            print(f"  {record['page']:<44} p50 {record['p50']:7.1f}  p90 {record['p90']:7.1f}  {size:8.1f} KB")
    base, worst = SIZES[0], 0.0
    print(f"\np50 at each size against {base}x (target: at most {TARGET_GROWTH}x; p50 under {TARGET_P50_MS} ms)")
    print(f"  {'page':<44}" + "".join(f"{f'{times}x':>16}" for times in SIZES))
    for page, record in results[base].items():
        if record["status"] != 200:
            continue
        cells = []
        for times in SIZES:
            other = results[times].get(page, {})
            if other.get("status") != 200:
                cells.append(f"{'—':>16}")
                continue
            ratio = other["p50"] / record["p50"]
            worst = max(worst, ratio)
            cells.append(f"{other['p50']:8.0f} ms {ratio:4.2f}x")
        print(f"  {page:<44}" + "".join(cells))
    print(f"\nWorst growth: {worst:.2f}x (target ≤ {TARGET_GROWTH}x); load average {load_average()}")


if __name__ == "__main__":
    if "BENCH_PAGES_SIZE" in os.environ:
        sys.path.insert(0, str(PROJECT))
        print(json.dumps(measure_one_size(int(os.environ["BENCH_PAGES_SIZE"]))))
    else:
        main()
