"""Benchmark: the publish task (issue #13), against WeasyPrint alone on the same HTML.

Run with `.venv/bin/python tests/benchmarks/bench_publish.py`. It loads the demo
into a throwaway SQLite database, moves 2014-2015 to review with the 2013-2014 narrative, then prints, at 1x and
10x the chart (synthetic deliverables, as bench_report.py grows it):
  - the time and peak Python memory of the whole publish task as a worker runs it (check, render the four files,
    stage them, freeze the chart, check the frozen record renders the same, move the files, record them);
  - WeasyPrint alone on the two PDFs' HTML (the floor: the task renders those two PDFs), and the task's overhead;
  - how time and memory grow with the rows.
Each run is rolled back, so every run publishes the same period from the same state.
Measured here (2 cores shared with other work, 2026-12-01): 1x (109 rows) publish 3.55 s against WeasyPrint
alone 3.65 s, peak 38.2 MB against 37.8 MB; 10x (1,018 rows) 17.6 s against 16.5 s (+7 %), peak 169.8 MB against
168.0 MB. WeasyPrint is nearly all of it; a 10x publication would not fit gunicorn's 30 s timeout under load,
hence the task.
Targets: overhead above WeasyPrint under 25 % (the task also renders two HTML files and the frozen HTML four
times), growth no worse than linear.
"""

import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
WORKDIR = tempfile.mkdtemp(prefix="napreport-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="napreport.settings",
    DEBUG="1",
    DATABASE_URL=f"sqlite:///{WORKDIR}/bench.sqlite3",
    MEDIA_ROOT=f"{WORKDIR}/media",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from commitments.models import ReportingPeriod  # noqa: E402
from napreport.report.build import render_html  # noqa: E402
from napreport.report.models import NarrativeSection, Publication  # noqa: E402
from napreport.report.pdf import pdf_from_html  # noqa: E402
from napreport.report.tasks import publish, request_publication  # noqa: E402
from tests.benchmarks.bench_report import grow  # noqa: E402
from tests.report.editions import give_numbers  # noqa: E402


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def peak_memory(function):
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def publish_once(period):
    """Run the publish task as a worker does, then roll the publication back."""
    with transaction.atomic():
        publication = request_publication(period, None, "en")
        stage = publish.call(publication.pk)
        assert stage == Publication.Stage.PUBLISHED, (stage, Publication.objects.get(pk=publication.pk).problems)
        rows = period.published_rows.count()
        transaction.set_rollback(True)
    return rows


def measure(period, label):
    total, rows = timed(lambda: publish_once(period))
    html = [render_html(period, language, for_pdf=True) for language in ("en", "fr")]

    def weasyprint_alone():
        for document in html:
            pdf_from_html(document)

    floor, _ = timed(weasyprint_alone)
    memory = peak_memory(lambda: publish_once(period))
    floor_memory = peak_memory(weasyprint_alone)
    overhead = (total - floor) / floor * 100
    print(
        f"{label:<16} {rows:>6} rows  publish {total:6.2f} s  WeasyPrint alone (2 PDFs) {floor:6.2f} s"
        f"  overhead {overhead:5.1f} %  peak {memory:7.1f} MB (WeasyPrint alone {floor_memory:7.1f} MB)"
    )
    return {"rows": rows, "time": total, "floor": floor, "overhead": overhead, "memory": memory}


def main():
    print(f"Loading the demo into {WORKDIR} …")
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    period = give_numbers(ReportingPeriod.objects.select_related("plan").get(start_year=2014))
    for section in NarrativeSection.objects.filter(period__start_year=2013):
        section.pk, section.period = None, period
        section.save()
    period.start_review()

    print("One run each (a 10x publication takes a minute); memory is the peak of Python allocations (tracemalloc).")
    one = measure(period, "chart 1x")
    grow(period, 10)
    ten = measure(period, "chart 10x")
    row_ratio = ten["rows"] / one["rows"]
    time_ratio, memory_ratio = ten["time"] / one["time"], ten["memory"] / one["memory"]
    print(f"10x / 1x: rows x{row_ratio:.1f}, time x{time_ratio:.1f}, memory x{memory_ratio:.1f}")
    checks = {
        "overhead above WeasyPrint under 25 % (1x)": one["overhead"] < 25,
        "overhead above WeasyPrint under 25 % (10x)": ten["overhead"] < 25,
        "time grows no worse than linearly": time_ratio <= row_ratio * 1.1,
        "memory grows no worse than linearly": memory_ratio <= row_ratio * 1.1,
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
