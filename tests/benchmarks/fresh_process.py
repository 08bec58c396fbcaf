"""Measuring a benchmark's steps each in a fresh Python process, repeated and alternating (issue #17), for
bench_report.py and bench_publish.py.

Why a process per measurement: the figure that matters is the process's peak resident memory (`ru_maxrss`),
which counts Pango's and HarfBuzz's C allocations (tracemalloc counts Python's only: 40 MB where the RSS was
144 MB), and a process's peak is the largest of everything it ever ran, so each step needs a process of its
own. Why repeated and alternating: on this shared machine a single run of each swung an overhead from -16 %
to +97 % between two runs, so each step runs `repeat` times, the two taking turns to go first so that other
work weighs on both alike, and the benchmark is judged on the medians.

A benchmark script re-runs itself with `--measure …` through `measure_in_fresh_process`; that process sets
Django up the same way (`start_django`), imports what its step needs before the clock starts, runs the step
through `timed` and prints its figures as the last line of JSON.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

# Issue #17's targets, against WeasyPrint alone on the same HTML, judged on the medians.
TIME_TARGET, MEMORY_TARGET = 1.10, 1.25


def start_django() -> str:
    """Point Django at the benchmark's throwaway SQLite database and media folder, set it up, and return the
    folder: BENCH_WORKDIR when set (a measuring process is given its parent's), else a new temporary one, which is
    then put in BENCH_WORKDIR so that every process the benchmark starts works on the same database."""
    workdir = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="napreport-bench-")
    os.environ.update(
        BENCH_WORKDIR=workdir,
        DJANGO_SETTINGS_MODULE="napreport.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        MEDIA_ROOT=f"{workdir}/media",
    )
    django.setup()
    return workdir


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(step: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run `step` in this (measuring) process: its result, and its wall time, the process's peak RSS at its end
    and the RSS before it (so that the step's own memory is the difference)."""
    before = rss_mb()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return result, {"seconds": seconds, "peak": peak, "before": before}


def print_measurement(figures: dict[str, Any]) -> None:
    """What a measuring process hands back: one line of JSON, its last."""
    print(json.dumps(figures))


def measure_in_fresh_process(script: str, arguments: list[str], what: str) -> dict[str, Any]:
    """Run `script --measure *arguments` in a new Python process and return the figures it printed; stop the
    benchmark, with the end of the process's errors, if it failed."""
    command = [sys.executable, script, "--measure", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode:
        sys.exit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def weasyprint_alone(html: str) -> bytes:
    """The floor: WeasyPrint on its own, tagged PDF/UA-1 as the report is, with nothing of ours (its own URL
    fetcher, its own tag tree, one call). Import WeasyPrint before the clock starts: this import is then free."""
    from django.conf import settings
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def load() -> str:
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def summary(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def alternate(
    steps: dict[str, str], repeat: int, run: Callable[[str, int], dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """`repeat` runs of each of the two `steps` (key: label), `run(step, attempt)` measuring one, the two taking
    turns to go first; each run's figures printed as it ends, with the load average."""
    runs: dict[str, list[dict[str, Any]]] = {step: [] for step in steps}
    first, second = steps
    for attempt in range(repeat):
        for step in (first, second) if attempt % 2 == 0 else (second, first):
            result = run(step, attempt)
            runs[step].append(result)
            print(
                f"  {steps[step]:<21} run {attempt + 1}: {result['seconds']:8.2f} s  peak RSS {result['peak']:7.0f} MB"
                f" (before the step {result['before']:4.0f} MB)  {result['pages']} pages  load {load()}",
                flush=True,
            )
    return runs


def summarise(
    steps: dict[str, str], runs: dict[str, list[dict[str, Any]]], ratio_name: str, note: str = ""
) -> dict[str, Any]:
    """Min and median of each step's time, peak RSS and own memory, printed, and the ratios of the medians of
    the first step to the second (the floor) against the targets, printed with `note` after them."""
    figures: dict[str, Any] = {}
    for step in steps:
        figures[step] = {
            "time": summary([run["seconds"] for run in runs[step]]),
            "peak": summary([run["peak"] for run in runs[step]]),
            "step": summary([run["peak"] - run["before"] for run in runs[step]]),  # the step's own memory
            "pages": {run["pages"] for run in runs[step]},
        }
    ours, floor = (figures[step] for step in steps)
    figures["time_ratio"] = ours["time"][1] / floor["time"][1]
    figures["memory_ratio"] = ours["peak"][1] / floor["peak"][1]
    for step in steps:
        (time_min, time_median), (peak_min, peak_median) = figures[step]["time"], figures[step]["peak"]
        print(
            f"  {steps[step]:<21} time min {time_min:8.2f} s, median {time_median:8.2f} s;"
            f"  peak RSS min {peak_min:7.0f} MB, median {peak_median:7.0f} MB"
            f" (the step's own median {figures[step]['step'][1]:6.0f} MB)"
        )
    print(
        f"  {ratio_name} (medians): time {figures['time_ratio']:.3f}x (target {TIME_TARGET}x),"
        f" peak RSS {figures['memory_ratio']:.3f}x (target {MEMORY_TARGET}x){note}",
        flush=True,
    )
    return figures


def target_checks(steps: dict[str, str], times: int, figures: dict[str, Any]) -> dict[str, bool]:
    """Issue #17's targets at one size, and the same page count on both sides in every run."""
    ours, floor = (figures[step] for step in steps)
    return {
        f"time within {TIME_TARGET}x of WeasyPrint alone at {times}x": figures["time_ratio"] <= TIME_TARGET,
        f"peak RSS within {MEMORY_TARGET}x of WeasyPrint alone at {times}x": figures["memory_ratio"] <= MEMORY_TARGET,
        f"the same pages as WeasyPrint alone at {times}x": ours["pages"] == floor["pages"] and len(ours["pages"]) == 1,
    }


def growth(steps: dict[str, str], low: dict[str, Any], high: dict[str, Any]) -> dict[str, dict[str, float]]:
    """How each step's median time, peak RSS and own memory grew from the `low` size's figures to the `high`
    one's, printed."""
    grown = {
        step: {figure: high[step][figure][1] / low[step][figure][1] for figure in ("time", "peak", "step")}
        for step in steps
    }
    for step in steps:
        print(
            f"  {steps[step]:<21} time x{grown[step]['time']:.1f}, peak RSS x{grown[step]['peak']:.1f},"
            f" the step's own memory (peak RSS less RSS before it) x{grown[step]['step']:.1f}"
        )
    return grown
