"""Publishing through the real queue (django-tasks-db) and real workers (`manage.py db_worker`), as production
runs it: a worker killed with SIGKILL mid-publication leaves the period unpublished and no recorded file;
pressing Publish again works; two workers running the same publication at once publish it once.

Runs against a copy of the session's demo database, of the suite's kind: PostgreSQL in CI, an SQLite file otherwise
(tests/production/demo_databases.py).
"""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.production.demo_databases import READY

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]

# What the admin's Publish does: record a Publication and queue its task (on commit).
PRESS_PUBLISH = """
from commitments.models import ReportingPeriod
from napreport.report.tasks import publish, request_publication
publication = request_publication(ReportingPeriod.objects.get(start_year=2014), None, "en")
for _ in range({extra}):
    publish.enqueue(publication.pk)  # the same publication's task queued again: a second worker runs it at once
"""


def query(url, sql):
    """Rows of `sql` on the throwaway database, read directly (no Django in this process's way)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as db:
            return db.execute(sql).fetchall()
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def period_record(url):
    """The 2014-2015 period's state, its frozen rows, its recorded files."""
    [(period_id, state)] = query(url, "SELECT id, state FROM commitments_reportingperiod WHERE start_year = 2014")
    [(rows,)] = query(url, f"SELECT count(*) FROM commitments_publisheddeliverable WHERE period_id = {period_id}")
    files = query(url, f"SELECT file, sha256 FROM napreport_publishedreport WHERE period_id = {period_id}")
    return state, rows, sorted(files)


def worker(env, *options):
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(
        [*command, *options], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_a_killed_worker_publishes_nothing_and_publishing_again_publishes_once(demo_copies):
    demo = demo_copies.copy(READY, "worker")  # the demo, 2014-2015 ready to publish
    url, media = demo.database_url, demo.media_root
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "DEBUG": "1",
        "PYTHONPATH": str(PROJECT),
    }

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, capture_output=True)

    before = period_record(url)
    assert before == ("in_review", 0, [])

    manage("shell", "--no-imports", "-c", PRESS_PUBLISH.format(extra=0))
    running = worker(env)
    try:
        for _ in range(600):  # the worker reaches a rendering stage within seconds; a PDF takes about two
            stage = query(url, "SELECT stage FROM napreport_publication ORDER BY id DESC LIMIT 1")[0][0]
            if stage in ("rendering-en-pdf", "rendering-fr-html", "rendering-fr-pdf"):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the worker never reached a rendering stage (last: {stage})")
        running.send_signal(signal.SIGKILL)
        running.wait(timeout=10)
    finally:
        running.kill()

    assert period_record(url) == before  # not published, nothing frozen, no file recorded (so none served)
    directory = media / "reports" / "nap-2012" / "2014-2015"
    leftovers = [path for path in directory.rglob("*") if path.is_file()]
    assert leftovers and all("staging" in path.parts for path in leftovers)

    # Press Publish again, with the task queued twice and two workers at once.
    manage("shell", "--no-imports", "-c", PRESS_PUBLISH.format(extra=1))
    workers = [worker(env, "--batch"), worker(env, "--batch")]
    for process in workers:
        assert process.wait(timeout=240) == 0

    state, rows, files = period_record(url)
    assert state == "published" and rows > 100
    # The canonical names, never a variant with a random suffix beside a leftover.
    # (the chart's downloads are stored beside the report since issue #17)
    assert [name for name, _sha in files] == [
        f"reports/nap-2012/2014-2015/{kind}"
        for kind in (
            *(f"action-items-2014-2015-{language}.{ext}" for language in ("en", "fr") for ext in ("csv", "json")),
            *(f"action-items-all-years-to-2014-2015-{language}.csv" for language in ("en", "fr")),
            *(f"annual-report-2014-2015-{language}.{ext}" for language in ("en", "fr") for ext in ("html", "pdf")),
            "datapackage.json",
        )
    ]
    stored = sorted(str(path.relative_to(media)) for path in directory.rglob("*") if path.is_file())
    assert stored == [name for name, _sha in files]  # the leftovers are gone; one file of each kind
    for name, sha in files:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha
    stages = [stage for (stage,) in query(url, "SELECT stage FROM napreport_publication ORDER BY id")]
    assert stages[0].startswith("rendering-")  # the killed one, left where it stopped
    tasks = query(url, "SELECT status, traceback FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at")
    assert stages[1] in ("published", "handed-over"), tasks
