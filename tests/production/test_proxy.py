"""nginx in front of two gunicorn instances, with the deployment's own configuration (deploy/nginx.conf.template):
slow clients do not delay other readers, a publication shows through the proxy's cache a second after it commits,
public pages are cached and compressed, staff pages and pages for one visitor never are, static files come from
disk.

Runs against a throwaway database of the suite's kind (PostgreSQL in CI, an SQLite file otherwise). nginx is
installed by `make test`; without it the test is skipped locally and fails under CI=true.
"""

import gzip
import http.client
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.benchmarks import proxy_stack
from tests.databases import Databases
from tests.production.scripts import COPY_NARRATIVE

PROXY, FIRST, SECOND = 8841, 8842, 8843
PUBLISH = """
from commitments.models import ReportingPeriod
from napreport.report.publishing import publish_period
publish_period(ReportingPeriod.objects.get(start_year=2014))
"""
SLOW_CLIENTS = 200


def get(path, headers=None, port=PROXY):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def stack():
    if proxy_stack.NGINX is None:
        message = "nginx is not installed (make test installs Debian's nginx-light)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    # Outside pytest's own temporary folders, which another pytest session on the machine may clean up.
    workdir = Path(tempfile.mkdtemp(prefix="napreport-proxy-"))
    databases = Databases(workdir)
    stack = None
    try:
        env = proxy_stack.app_env(workdir, databases.new("proxy"))
        proxy_stack.prepare(env)
        proxy_stack.manage(env, "shell", "--no-imports", "-c", COPY_NARRATIVE)
        stack = proxy_stack.Stack(workdir, env)
        stack.gunicorn(FIRST)
        stack.gunicorn(SECOND)
        stack.nginx(PROXY, [FIRST, SECOND])
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def timings(count):
    """`count` requests one after the other for pages only the app can answer (a query nginx has not cached:
    the app drops the unknown parameter and answers from its own cache); returns their times."""
    times = []
    for n in range(count):
        started = time.perf_counter()
        status, _, _ = get(f"/en/progress/2013-2014/?probe={time.monotonic_ns()}-{n}")
        times.append(time.perf_counter() - started)
        assert status == 200
    return sorted(times)


def p99(times):
    return times[int(len(times) * 0.99) - 1]


def slow_clients(count):
    """`count` connections that have begun a request's headers and send nothing more for now."""
    sockets = [socket.create_connection(("127.0.0.1", PROXY)) for _ in range(count)]
    for client in sockets:
        client.sendall(b"GET /en/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: a")
    return sockets


def still_connected(client):
    """Whether nginx is still waiting for this client's headers: nothing to read yet, and not closed."""
    try:
        client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def test_slow_clients_do_not_delay_other_readers(stack):
    """200 clients that send their headers slowly (the "slowloris" of issue #17: 8 of them took every sync worker
    of gunicorn alone) leave the other readers' p99 within 2x of what it is without them. Measured in alternating
    short rounds, with and without them, so that other work on the machine weighs on both alike."""
    timings(20)  # warm both instances
    measured = []
    # p99 of a few hundred millisecond requests is one scheduling hiccup on a machine running other tests (the
    # suite runs in parallel): up to three measurements, and one within 2x passes. The harm this guards against
    # is not a hiccup: without a buffering proxy the slow clients hold every worker, and every attempt fails.
    for _attempt in range(3):
        alone, beside = readers_alone_and_beside_slow_clients()
        measured.append((p99(alone), p99(beside)))
        print(
            f"readers: p50 {statistics.median(alone) * 1000:.1f} ms / p99 {p99(alone) * 1000:.1f} ms alone, "
            f"p50 {statistics.median(beside) * 1000:.1f} ms / p99 {p99(beside) * 1000:.1f} ms beside "
            f"{SLOW_CLIENTS} slow clients"
        )
        if p99(beside) <= 2 * p99(alone):
            break
    else:
        raise AssertionError(f"p99 beside slow clients over 2x alone in every attempt: {measured}")


def readers_alone_and_beside_slow_clients() -> tuple[list[float], list[float]]:
    """Readers' timings in alternating rounds without and with the slow clients, each sorted."""
    alone, beside = [], []
    for _ in range(5):
        alone += timings(30)
        sockets = slow_clients(SLOW_CLIENTS)
        try:
            time.sleep(0.3)
            beside += timings(30)
            assert all(still_connected(client) for client in sockets), "nginx let a slow client go early"
        finally:
            for client in sockets:
                client.close()
    return sorted(alone), sorted(beside)


def test_nginx_cuts_off_a_client_whose_headers_take_over_ten_seconds(stack):
    """Each of 200 clients sends its headers one byte a second; nginx answers 408 and closes them when
    client_header_timeout (10 s) is up, while the other readers are still answered."""
    sockets = slow_clients(SLOW_CLIENTS)
    started = time.monotonic()
    closed_at: dict[int, float] = {}
    answers: dict[int, bytes] = {}
    try:
        while len(closed_at) < len(sockets) and time.monotonic() - started < 15:
            for number, client in enumerate(sockets):
                if number in closed_at:
                    continue
                try:
                    client.sendall(b"a")
                except OSError:
                    closed_at[number] = time.monotonic() - started
                    continue
                if not still_connected(client):
                    closed_at[number] = time.monotonic() - started
            assert timings(3)  # the others meanwhile
            time.sleep(max(0.0, 1 - (time.monotonic() - started) % 1))
        for number, client in enumerate(sockets):
            client.settimeout(0.5)
            try:
                answers[number] = client.recv(200)
            except OSError:
                answers[number] = b""
    finally:
        for client in sockets:
            client.close()
    assert len(closed_at) == len(sockets), "some slow clients were still connected after 15 s"
    print(f"the slow clients were cut off after {min(closed_at.values()):.1f}–{max(closed_at.values()):.1f} s")
    assert all(9 <= seconds <= 15 for seconds in closed_at.values())
    assert all(answer == b"" or answer.startswith(b"HTTP/1.1 408") for answer in answers.values())


def test_a_publication_shows_through_the_proxy_a_second_after_it_commits(stack):
    for language, title in (("en", "Progress in 2014 to 2015"), ("fr", "Progrès en 2014-2015")):
        get(f"/{language}/")
        status, headers, body = get(f"/{language}/")
        assert status == 200 and headers["X-Cache-Status"] == "HIT"  # the proxy serves it
        assert title not in body.decode()

    # Readers keep the proxy's copy fresh while the year is published, as on report day.
    reading = threading.Event()

    def read():
        while not reading.is_set():
            get("/en/")
            time.sleep(0.05)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        proxy_stack.manage(stack.env, "shell", "--no-imports", "-c", PUBLISH)
        published = time.monotonic()
    finally:
        reading.set()
        reader.join()
    # The app emptied its own cache when the publication committed, before the command returned; the proxy keeps
    # a page one second, then revalidates it with the app (its ETag) while giving out its copy: the new page about
    # a second after the commit (a second, plus one revalidation), in both languages, and never the old one again.
    seen = {}
    while len(seen) < 2 and time.monotonic() - published < 2:
        for language, title in (("en", "Progress in 2014 to 2015"), ("fr", "Progrès en 2014-2015")):
            if language not in seen and title in get(f"/{language}/")[2].decode():
                seen[language] = time.monotonic() - published
        time.sleep(0.05)
    assert set(seen) == {"en", "fr"}, "the publication did not show through the proxy within 2 s"
    print(f"the publication seen through the proxy {seen['en']:.2f} s (en), {seen['fr']:.2f} s (fr) after it ended")
    for _ in range(10):
        assert "Progress in 2014 to 2015" in get("/en/")[2].decode()
        assert "Progrès en 2014-2015" in get("/fr/")[2].decode()


def test_public_pages_are_cached_and_compressed_staff_pages_never(stack):
    status, headers, body = get("/en/progress/2013-2014/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(body)
    assert b"<table" in html and len(body) < len(html) / 3
    assert "public" in headers["Cache-Control"] and "max-age=" in headers["Cache-Control"]  # the app's, unchanged
    assert get("/en/progress/2013-2014/")[1]["X-Cache-Status"] == "HIT"

    # The sign-in page sets a cookie: never stored, and never another visitor's.
    first, second = get("/admin/login/"), get("/admin/login/")
    assert first[0] == second[0] == 200 and "X-Cache-Status" not in second[1]
    assert "csrftoken" in first[1].get("Set-Cookie", "") and "csrftoken" in second[1].get("Set-Cookie", "")
    # A public-looking path that answers an error is not kept either.
    assert get("/en/progress/1999-2000/")[0] == 404
    assert get("/en/progress/1999-2000/")[1].get("X-Cache-Status") != "HIT"


def test_static_files_come_from_disk_with_long_lifetimes(stack):
    _, _, page = get("/en/")
    path = page.decode().split('href="/static/', 1)[1].split('"', 1)[0]
    status, headers, body = get(f"/static/{path}", {"Accept-Encoding": "gzip"})
    assert status == 200 and "immutable" in headers["Cache-Control"]
    assert headers.get("Content-Encoding") == "gzip"  # WhiteNoise's .gz file, from disk
    assert "X-Cache-Status" not in headers and body
