"""Settings for the benchmarks' gunicorn: the app's own, plus a floor view (see bench_urls)."""

from napreport.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.bench_urls"
