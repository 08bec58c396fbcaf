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
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
WORKDIR = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="napreport-bench-")
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

SIZES = sorted(int(times) for times in os.environ.get("BENCH_TIMES", "1,10").split(","))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TIME_TARGET, MEMORY_TARGET = 1.10, 1.25
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


def rss_mb():
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_step(step, period_id, html_path, pdf_path):
    """In a fresh process: one step, timed, with the process's peak RSS at its end. Printed as JSON."""
    from django.conf import settings
    from weasyprint import HTML

    from napreport.report.pdf import pdf_from_html

    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    html = Path(html_path).read_text(encoding="utf-8")
    before = rss_mb()
    started = time.perf_counter()
    if step == "ours":
        source = render_html(period, "en", for_pdf=True)
        pdf = pdf_from_html(source)
    else:
        source = html
        pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(pdf_path).write_bytes(pdf)
    print(json.dumps({"seconds": seconds, "peak": peak, "before": before, "same_html": source == html}))


def run_step(step, period, html_path, times, attempt):
    pdf_path = Path(WORKDIR) / f"{step}-{times}x-{attempt}.pdf"
    command = [sys.executable, __file__, "--measure", step, str(period.pk), str(html_path), str(pdf_path)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "BENCH_WORKDIR": WORKDIR})
    if done.returncode:
        sys.exit(f"{step} at {times}x failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["same_html"], "our path rendered another HTML than the floor's"
    result["pages"] = page_count(pdf_path)
    pdf_path.unlink()
    return result


def page_count(path):
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def load():
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def summary(values):
    return min(values), statistics.median(values)


def measure(period, times):
    with translation.override("en"):
        reset_queries()  # DEBUG keeps a bounded log; start counting from an empty one
        with CaptureQueriesContext(connection) as queries:
            rows = len(report_data(period)["rows"])
        html = render_html(period, "en", for_pdf=True)
    html_path = Path(WORKDIR) / f"report-{times}x.html"
    html_path.write_text(html, encoding="utf-8")
    runs = {step: [] for step in STEPS}
    print(f"{times}x: {rows} rows, {len(html) / 1e6:.1f} MB of HTML, load {load()}", flush=True)
    for attempt in range(REPEAT):
        order = ("ours", "floor") if attempt % 2 == 0 else ("floor", "ours")
        for step in order:
            result = run_step(step, period, html_path, times, attempt)
            runs[step].append(result)
            print(
                f"  {STEPS[step]:<21} run {attempt + 1}: {result['seconds']:8.2f} s  peak RSS {result['peak']:7.0f} MB"
                f" (before the step {result['before']:4.0f} MB)  {result['pages']} pages  load {load()}",
                flush=True,
            )
    figures = {"rows": rows, "queries": len(queries)}
    for step in STEPS:
        figures[step] = {
            "time": summary([run["seconds"] for run in runs[step]]),
            "peak": summary([run["peak"] for run in runs[step]]),
            "step": summary([run["peak"] - run["before"] for run in runs[step]]),  # the step's own memory
            "pages": {run["pages"] for run in runs[step]},
        }
    ours, floor = figures["ours"], figures["floor"]
    figures["time_ratio"] = ours["time"][1] / floor["time"][1]
    figures["memory_ratio"] = ours["peak"][1] / floor["peak"][1]
    for step in STEPS:
        (time_min, time_median), (peak_min, peak_median) = figures[step]["time"], figures[step]["peak"]
        print(
            f"  {STEPS[step]:<21} time min {time_min:8.2f} s, median {time_median:8.2f} s;"
            f"  peak RSS min {peak_min:7.0f} MB, median {peak_median:7.0f} MB"
            f" (the step's own median {figures[step]['step'][1]:6.0f} MB)"
        )
    print(
        f"  ours / WeasyPrint alone (medians): time {figures['time_ratio']:.3f}x (target {TIME_TARGET}x),"
        f" peak RSS {figures['memory_ratio']:.3f}x (target {MEMORY_TARGET}x); {len(queries)} queries",
        flush=True,
    )
    return figures


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
        checks[f"time within {TIME_TARGET}x of WeasyPrint alone at {times}x"] = figures["time_ratio"] <= TIME_TARGET
        checks[f"peak RSS within {MEMORY_TARGET}x of WeasyPrint alone at {times}x"] = (
            figures["memory_ratio"] <= MEMORY_TARGET
        )
        checks[f"the same pages as WeasyPrint alone at {times}x"] = (
            figures["ours"]["pages"] == figures["floor"]["pages"] and len(figures["ours"]["pages"]) == 1
        )
    for smaller, larger in zip(SIZES, SIZES[1:], strict=False):
        low, high = results[smaller], results[larger]
        rows = high["rows"] / low["rows"]
        growth = {
            side: {figure: high[side][figure][1] / low[side][figure][1] for figure in ("time", "peak", "step")}
            for side in STEPS
        }
        print(f"{larger}x / {smaller}x: rows x{rows:.1f}")
        for side in STEPS:
            print(
                f"  {STEPS[side]:<21} time x{growth[side]['time']:.1f}, peak RSS x{growth[side]['peak']:.1f},"
                f" the step's own memory (peak RSS less RSS before it) x{growth[side]['step']:.1f}"
            )
        ours = growth["ours"]
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
