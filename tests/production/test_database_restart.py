"""The app through a PostgreSQL restart, behind nginx: while the database is down every answer is a clean 503 (the
app's bilingual page, with Retry-After), never a 500 or a dropped connection, and once it is back the same
instance answers again by itself, without a restart.

The database is a private PostgreSQL cluster of the test's own (initdb, then pg_ctl on its own port and socket
folder, as the postgres user), never the shared server the suite may run on, which the test could not restart
without stopping everyone else's. Without PostgreSQL's server programs the test is skipped locally and fails under
CI=true.
"""

import http.client
import os
import threading
import time

import pytest

from tests.benchmarks import proxy_stack
from tests.production import private_cluster
from tests.production.demo_databases import demo_templates

PROXY, INSTANCE, DATABASE_PORT = 8861, 8862, 8863
# The public pages need a plan to show (its years need not be published): one, without the demo's rendering.
ONE_PLAN = """
from commitments.models import ActionPlan
ActionPlan.objects.create(slug="nap-2012", title_en="National Action Plan", title_fr="Plan d’action national",
                          launched="2012-06-06")
"""


def get(path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", PROXY, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def cluster():
    if not private_cluster.installed():
        message = (
            f"PostgreSQL's server programs are not in {private_cluster.POSTGRES_BIN} "
            "(Debian: apt-get install postgresql-15)"
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    with private_cluster.private_cluster(DATABASE_PORT) as cluster:
        yield cluster


def test_a_database_restart_gives_clean_503s_and_the_app_recovers_by_itself(request, cluster, tmp_path):
    cluster.create_database("napreport")
    static_root = demo_templates(request.config).collected_static()  # the session's
    env = proxy_stack.app_env(tmp_path, cluster.url("napreport"), STATIC_ROOT=str(static_root))
    proxy_stack.manage(env, "migrate", "--noinput")
    proxy_stack.manage(env, "shell", "--no-imports", "-c", ONE_PLAN)
    stack = proxy_stack.Stack(tmp_path, env)
    try:
        stack.gunicorn(INSTANCE)
        stack.nginx(PROXY, [INSTANCE])
        # What each address answers with the database up. Each is asked under a query nginx holds no copy of, so it
        # reaches the app; the public pages may still be given from the app's own cache of the last second, the
        # health check and a year that is not published need the database each time.
        normally = {"/healthz": 200, "/en/?reader={n}": 200, "/fr/?reader={n}": 200, "/admin/login/": 200}
        needs_database = {"/healthz": 200, "/en/progress/2013-2014/?reader={n}": 404}
        paths = {**normally, **needs_database}
        answers: list[tuple[float, str, int]] = []
        reading = threading.Event()

        def read():
            n = 0
            while not reading.is_set():
                for path in paths:
                    n += 1
                    try:
                        status = get(path.format(n=n))[0]
                    except OSError:
                        status = 0  # a dropped connection: never acceptable
                    answers.append((time.monotonic(), path, status))
                time.sleep(0.02)

        assert {path: get(path.format(n=0))[0] for path in paths} == paths
        reader = threading.Thread(target=read)
        reader.start()
        try:
            time.sleep(1)
            cluster.stop()
            stopped = time.monotonic()
            time.sleep(2)
            status, headers, body = get("/en/progress/2013-2014/?outage")
            assert status == 503 and headers["Retry-After"] == "30"
            assert "Service temporarily unavailable" in body.decode()
            assert "Service temporairement non disponible" in body.decode()
            restarting = time.monotonic()
            cluster.start()
            started = time.monotonic()
            while get("/healthz")[0] != 200:
                assert time.monotonic() - started < 20, "the app did not recover within 20 s of the database"
                time.sleep(0.1)
            recovered = time.monotonic()
            time.sleep(1)
        finally:
            reading.set()
            reader.join()
        # (Half a second's margin each side: a request under way when the database stopped or came back.)
        during = [(path, status) for at, path, status in answers if stopped + 0.5 < at < restarting]
        after = [(path, status) for at, path, status in answers if at > recovered + 0.5]
        print(
            f"{len(answers)} requests; during the outage {sorted(set(during))}, back {recovered - started:.2f} s after"
            f" the database, then {sorted(set(after))}"
        )
        # Never a 500, never a dropped connection: the page's own answer, or a 503.
        assert all(status in (paths[path], 503) for _, path, status in answers)
        assert during and all(status == 503 for path, status in during if path in needs_database)
        assert after and all(status == paths[path] for path, status in after)
        assert all(process.poll() is None for process in stack.processes)  # nothing restarted but the database
    finally:
        stack.stop()
