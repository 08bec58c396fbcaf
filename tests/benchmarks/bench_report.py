"""Benchmark: the annual report's PDF at 1x, 10x and 100x the chart, against WeasyPrint alone on the same HTML.

Run with `make benchmarks` (or `.venv/bin/python tests/benchmarks/bench_report.py`). It loads the demo into a
throwaway SQLite database, grows the 2014-2015 draft chart to each size of `BENCH_TIMES` (default `1,10`; 100x
takes minutes and about 1 GB: `BENCH_TIMES=1,10,100`) with synthetic deliverables, and at each size measures,
`BENCH_REPEAT` times (default 3), each in a fresh Python process so that its peak RSS is the measured step's:
  - our publication path: `pdf_from_html(render_html(period, "en", for_pdf=True))`, what the publish task runs
    for each PDF (the report's data, its HTML, one WeasyPrint layout, our tag tree);
  - WeasyPrint alone on the same final HTML (the floor): `HTML(string=…).write_pdf(pdf_variant="pdf/ua-1")`.
The two alternate, so that other work on the machine weighs on both alike. Each process starts the same way
(Django set up, WeasyPrint imported) before the clock starts; it reports the step's wall time and the process's
peak resident memory (`ru_maxrss`, which counts Pango's and HarfBuzz's C allocations, unlike tracemalloc).
Printed: min and median of each, the ratios of the medians (judged: time within 1.10x, peak RSS within 1.25x
of WeasyPrint alone, issue #17), how time and memory grow with the rows, and the load average before and after.
"""

import io
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from tests.benchmarks.fresh_process import (  # noqa: E402
    alternate,
    growth,
    load,
    measure_in_fresh_process,
    page_count,
    print_measurement,
    start_django,
    summarise,
    target_checks,
    timed,
    weasyprint_alone,
)

WORKDIR = start_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from commitments.models import Deliverable, ReportingPeriod, StatusUpdate  # noqa: E402
from napreport.report.build import render_html, report_data  # noqa: E402

SIZES = sorted(int(times) for times in os.environ.get("BENCH_TIMES", "1,10").split(","))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
STEPS = {"ours": "our publication path", "floor": "WeasyPrint alone"}


def grow(period, times, start=1):
    """Copy every deliverable of the chart into `period` until it holds `times` copies (`start` already there),
    each with a status."""
    originals = list(Deliverable.objects.filter(parent=None, position__lt=1000).prefetch_related("leads"))
    for copy in range(start, times):
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


def measure_step(step, period_id, html_path, pdf_path):
    """In a fresh process: one step, timed, with the process's peak RSS at its end. Printed as JSON."""
    from napreport.report.pdf import pdf_from_html  # WeasyPrint, imported before the clock starts

    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    html = Path(html_path).read_text(encoding="utf-8")

    def ours():
        source = render_html(period, "en", for_pdf=True)
        return source, pdf_from_html(source)

    def floor():
        return html, weasyprint_alone(html)

    (source, pdf), figures = timed(ours if step == "ours" else floor)
    Path(pdf_path).write_bytes(pdf)
    print_measurement({**figures, "same_html": source == html})


def run_step(step, period, html_path, times, attempt):
    pdf_path = Path(WORKDIR) / f"{step}-{times}x-{attempt}.pdf"
    result = measure_in_fresh_process(
        __file__, [step, str(period.pk), str(html_path), str(pdf_path)], f"{step} at {times}x"
    )
    assert result["same_html"], "our path rendered another HTML than the floor's"
    result["pages"] = page_count(pdf_path)
    pdf_path.unlink()
    return result


def measure(period, times):
    with translation.override("en"):
        reset_queries()  # DEBUG keeps a bounded log; start counting from an empty one
        with CaptureQueriesContext(connection) as queries:
            rows = len(report_data(period)["rows"])
        html = render_html(period, "en", for_pdf=True)
    html_path = Path(WORKDIR) / f"report-{times}x.html"
    html_path.write_text(html, encoding="utf-8")
    print(f"{times}x: {rows} rows, {len(html) / 1e6:.1f} MB of HTML, load {load()}", flush=True)
    runs = alternate(STEPS, REPEAT, lambda step, attempt: run_step(step, period, html_path, times, attempt))
    figures = summarise(STEPS, runs, "ours / WeasyPrint alone", note=f"; {len(queries)} queries")
    return {"rows": rows, "queries": len(queries), **figures}


def main():
    print(f"Loading the demo into {WORKDIR} …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    draft = ReportingPeriod.objects.select_related("plan").get(start_year=2014)
    print(f"{REPEAT} runs of each step, each in a fresh process; judged on the medians.")
    results, grown = {}, 1
    for times in SIZES:
        grow(draft, times, start=grown)
        grown = max(grown, times)
        results[times] = measure(draft, times)

    checks = {}
    for times, figures in results.items():
        checks.update(target_checks(STEPS, times, figures))
    for smaller, larger in zip(SIZES, SIZES[1:], strict=False):
        low, high = results[smaller], results[larger]
        rows = high["rows"] / low["rows"]
        print(f"{larger}x / {smaller}x: rows x{rows:.1f}")
        ours = growth(STEPS, low, high)["ours"]
        checks[f"time grows no worse than linearly ({smaller}x to {larger}x)"] = ours["time"] <= rows * 1.1
        checks[f"memory grows no worse than linearly ({smaller}x to {larger}x)"] = ours["step"] <= rows * 1.1
        checks[f"same queries at {smaller}x and {larger}x"] = low["queries"] == high["queries"]
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure_step(*sys.argv[2:])
    else:
        sys.exit(main())
