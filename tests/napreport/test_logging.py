"""In production (DEBUG=0) every 5xx reaches stderr with its traceback, through settings.LOGGING itself."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts Django in a subprocess

PROJECT = Path(__file__).resolve().parents[2]
# Django set up from the real settings (so from LOGGING), requests served as in production, and the status of
# each printed; what was logged is on stderr.
SERVE = """
import sys
import django
from django.conf import settings
django.setup()
settings.ROOT_URLCONF = "tests.napreport.broken_urls"
from django.test import Client
client = Client(raise_request_exception=False)
for path in sys.argv[1:]:
    print(client.get(path, secure=True).status_code)
"""
LINE_START = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "  # the formatter's time, then level and logger name


def serve(*paths, database_url):
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "napreport.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE, *paths], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    return result.stdout.split(), result.stderr


def test_a_500_in_production_is_logged_to_stderr_with_its_traceback(tmp_path):
    statuses, stderr = serve("/broken/", database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert statuses == ["500"], stderr
    assert re.search(LINE_START + r"ERROR django\.request Internal Server Error: /broken/$", stderr, re.MULTILINE)
    assert "Traceback (most recent call last):" in stderr
    assert "RuntimeError: deliberately broken view" in stderr


def test_a_database_outage_503_in_production_is_logged_to_stderr():
    # Nothing listens on port 9: the connection is refused at once.
    statuses, stderr = serve("/needs-database/", database_url="postgres://napreport@127.0.0.1:9/napreport")
    assert statuses == ["503"], stderr
    assert re.search(
        LINE_START + r"WARNING napreport\.middleware Database unavailable while serving /needs-database/: ",
        stderr,
        re.MULTILINE,
    )
    assert re.search(
        LINE_START + r"ERROR django\.request Service Unavailable: /needs-database/$", stderr, re.MULTILINE
    )
