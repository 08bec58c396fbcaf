"""Benchmark: building the annual report PDF, against WeasyPrint alone on the same HTML.

Run with `make benchmarks` (or `.venv/bin/python tests/benchmarks/bench_report.py`). It loads the demo
into a throwaway SQLite database, then prints, in one run:
  - time and peak Python memory to build the 2013-2014 PDF (data + HTML + PDF), and WeasyPrint alone
    on the already rendered HTML (the floor), with our overhead above that floor;
  - the same for a draft chart at 1x and 10x the size (synthetic deliverables), and how time, memory
    and rows grow;
  - the queries run to build the report data at 1x and 10x (they must be equal).
Targets (issue #4): overhead < 10 %, 2013-2014 PDF < 5 s, growth no worse than linear.
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
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from commitments.models import Deliverable, ReportingPeriod, StatusUpdate  # noqa: E402
from napreport.report.build import render_html, report_data  # noqa: E402
from napreport.report.pdf import pdf_from_html  # noqa: E402

REPEAT = 3


def best_time(function):
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def peak_memory(function):
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def measure(period, label):
    def build():
        with translation.override("en"):
            data = report_data(period)
            return pdf_from_html(render_html(period, "en", for_pdf=True, data=data)), len(data["rows"])

    total, (pdf, rows) = best_time(build)
    with translation.override("en"):
        html = render_html(period, "en", for_pdf=True)
    floor, _ = best_time(lambda: pdf_from_html(html))
    reset_queries()  # DEBUG keeps a bounded log; start counting from an empty one
    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        report_data(period)
    memory = peak_memory(build)
    overhead = (total - floor) / floor * 100
    print(
        f"{label:<24} {rows:>6} rows  {total:6.2f} s  WeasyPrint alone {floor:6.2f} s  overhead {overhead:5.1f} %"
        f"  peak {memory:7.1f} MB  {len(queries)} queries  {len(pdf) / 1e3:7.0f} kB"
    )
    return {
        "rows": rows,
        "time": total,
        "floor": floor,
        "overhead": overhead,
        "memory": memory,
        "queries": len(queries),
    }


def grow(period, times):
    """Copy every deliverable of the chart (times - 1) times into `period`, with a status."""
    originals = list(Deliverable.objects.filter(parent=None).prefetch_related("leads"))
    for copy in range(1, times):
        for original in originals:
            clone = Deliverable.objects.create(
                task_id=original.task_id,
                position=copy * 1000 + original.position,
                text_en=original.text_en,
                text_fr=original.text_fr,
                start_year=original.start_year,
            )
            clone.leads.set(original.leads.all())
            StatusUpdate.objects.create(deliverable=clone, period=period, status="ongoing")


def main():
    print(f"Loading the demo into {WORKDIR} …")
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    published = ReportingPeriod.objects.select_related("plan").get(start_year=2013)
    draft = ReportingPeriod.objects.select_related("plan").get(start_year=2014)

    print(f"Best of {REPEAT} runs; memory is the peak of Python allocations (tracemalloc).")
    real = measure(published, "2013-2014 (published)")
    one = measure(draft, "draft chart 1x")
    grow(draft, 10)
    ten = measure(draft, "draft chart 10x")

    row_ratio = ten["rows"] / one["rows"]
    time_ratio, memory_ratio = ten["time"] / one["time"], ten["memory"] / one["memory"]
    print(f"10x / 1x: rows x{row_ratio:.1f}, time x{time_ratio:.1f}, memory x{memory_ratio:.1f}")
    checks = {
        "2013-2014 PDF under 5 s": real["time"] < 5,
        "overhead above WeasyPrint under 10 % (2013-2014)": real["overhead"] < 10,
        "overhead above WeasyPrint under 10 % (10x)": ten["overhead"] < 10,
        "time grows no worse than linearly": time_ratio <= row_ratio * 1.1,
        "memory grows no worse than linearly": memory_ratio <= row_ratio * 1.1,
        "same queries at 1x and 10x": one["queries"] == ten["queries"],
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
