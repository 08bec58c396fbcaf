"""Two instances of the app (gunicorn) on one database: publishing through one is visible at once
through the other, and a stale save through one is refused after a save through the other.

Runs against a copy of the session's demo database, of the suite's kind: PostgreSQL in CI, an SQLite file otherwise
(tests/production/demo_databases.py).
"""

import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.benchmarks import proxy_stack
from tests.production.demo_databases import READY

PROJECT = Path(__file__).resolve().parents[2]


class Browser:
    """A minimal signed-in browser: cookies and CSRF tokens, over plain HTTP to one instance."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, data):
        page = self.get(path) if "csrfmiddlewaretoken" not in data else ""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        body = {**data, "csrfmiddlewaretoken": data.get("csrfmiddlewaretoken") or token[1]}
        request = urllib.request.Request(
            self.base + path, urllib.parse.urlencode(body, doseq=True).encode(), headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=120) as response:
            return response.read().decode()

    def sign_in(self, username):
        self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": f"demo-{username}-2014", "next": "/admin/"},
        )


def start(env, port):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "napreport.wsgi:application",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"gunicorn did not start on port {port}")


def test_two_instances_share_publication_and_refuse_stale_saves(demo_copies):
    demo = demo_copies.copy(READY, "instances")  # the demo, 2014-2015 ready to publish
    env = proxy_stack.app_env(
        demo.media_root.parent, demo.database_url, MEDIA_ROOT=str(demo.media_root), STATIC_ROOT=str(demo.static_root)
    )
    first, second = start(env, 8811), start(env, 8812)
    try:
        one, two = Browser("http://127.0.0.1:8811"), Browser("http://127.0.0.1:8812")
        assert "2014 to 2015" not in two.get("/en/")  # cached by instance two

        one.sign_in("coordinator")
        changelist = one.get("/admin/commitments/reportingperiod/")
        period = re.search(
            r'name="_selected_action" value="(\d+)"[^>]*>\s*</td>\s*<th[^>]*><a[^>]*>2014-2015', changelist
        )
        period_id = period[1] if period else re.findall(r'name="_selected_action" value="(\d+)"', changelist)[0]
        result = one.post(
            "/admin/commitments/reportingperiod/",
            {
                "action": "publish",
                "_selected_action": period_id,
                "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist)[1],
            },
        )
        assert "is being published in the background" in result
        # The publication runs in a worker (as `make run` starts one); --batch: run what is queued, then exit.
        worker = ["db_worker", "--batch", "--no-startup-delay", "--no-reload"]
        subprocess.run([sys.executable, "manage.py", *worker], cwd=PROJECT, env=env, check=True, capture_output=True)
        assert "Progress in 2014 to 2015" in two.get("/en/")  # at once, through the other instance

        # Open the next year so departments can edit, then two people save the same update.
        changelist = one.get("/admin/commitments/reportingperiod/")
        ids = re.findall(r'name="_selected_action" value="(\d+)"', changelist)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist)[1]
        one.post(
            "/admin/commitments/reportingperiod/",
            {"action": "open_next_period", "_selected_action": ids, "csrfmiddlewaretoken": token},
        )
        staff_one, staff_two = Browser("http://127.0.0.1:8811"), Browser("http://127.0.0.1:8812")
        staff_one.sign_in("rcmp")
        staff_two.sign_in("rcmp")
        listing = staff_one.get("/admin/commitments/statusupdate/")
        update_path = re.search(r'href="(/admin/commitments/statusupdate/\d+/change/)', listing)[1]
        form_one, form_two = staff_one.get(update_path), staff_two.get(update_path)

        def fields(form, note):
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
            version = re.search(r'name="read_version" value="(\d+)"', form)[1]
            status = re.search(r'<option value="(\w+)" selected>', form)[1]
            return {
                "csrfmiddlewaretoken": token,
                "read_version": version,
                "status": status,
                "note_en": note,
                "note_fr": "",
                "target_year": "",
            }

        staff_one.post(update_path, fields(form_one, "Saved through instance one"))
        refused = staff_two.post(update_path, fields(form_two, "Stale copy through instance two"))
        assert "Not saved" in refused and "Saved through instance one" in refused
        assert "Saved through instance one" in staff_two.get(update_path)
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=30)
