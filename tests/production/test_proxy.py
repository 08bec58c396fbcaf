"""nginx in front of two gunicorn instances, with the deployment's own configuration (deploy/nginx.conf.template):
slow clients do not delay other readers, a publication shows through the proxy's cache a second after it commits,
public pages and the report's editions are cached and revalidated, compressed where they are text, staff pages and
pages for one visitor never are, static files come from disk, a large PDF is held in memory by neither gunicorn nor
nginx, and with no instance up nginx answers its own bilingual 503 page.

Runs against a copy of the session's demo database, of the suite's kind (PostgreSQL in CI, an SQLite file otherwise;
tests/production/demo_databases.py). nginx is installed by `make test`; without it the test is skipped locally and
fails under CI=true.
"""

import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.benchmarks import proxy_stack
from tests.production.demo_databases import READY, DemoCopies, demo_templates

PROXY, FIRST, SECOND = 8841, 8842, 8843
PUBLISH = """
from commitments.models import ReportingPeriod
from napreport.report.publishing import publish_period
publish_period(ReportingPeriod.objects.get(start_year=2014))
"""
SLOW_CLIENTS = 200


def get(path, headers=None, port=PROXY, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Host": "localhost", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def report_url(language, file_format, year="2013-2014"):
    """A report edition's public address (in the edition's language: the path is translated)."""
    with translation.override(language):
        return reverse("public:report-file", args=[year, language, file_format])


@pytest.fixture(scope="module")
def stack(request):
    if proxy_stack.NGINX is None:
        message = "nginx is not installed (make test installs Debian's nginx-light)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    # Outside pytest's own temporary folders, which another pytest session on the machine may clean up.
    workdir = Path(tempfile.mkdtemp(prefix="napreport-proxy-"))
    databases = DemoCopies(demo_templates(request.config), workdir)
    stack = None
    try:
        demo = databases.copy(READY, "proxy")
        env = proxy_stack.app_env(
            workdir, demo.database_url, MEDIA_ROOT=str(demo.media_root), STATIC_ROOT=str(demo.static_root)
        )
        stack = proxy_stack.Stack(workdir, env)
        stack.gunicorn(FIRST, access_log=True)
        stack.gunicorn(SECOND, access_log=True)
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
    # The year's report is not there yet, and its absence is not kept: an error is never stored.
    new_edition = report_url("en", "pdf", "2014-2015")
    assert get(new_edition)[0] == 404
    status, headers, _ = get(new_edition)
    assert status == 404 and headers["X-Cache-Status"] == "MISS"

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
    # A new edition has a new address, which nginx never held: there at once.
    status, headers, body = get(new_edition)
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
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


# Served by nginx from its cache, or from its copy while it asks the app in the background (STALE, UPDATING), or
# after the app said 304 (REVALIDATED): anything but fetched anew (MISS, EXPIRED).
FROM_THE_PROXY = {"HIT", "STALE", "UPDATING", "REVALIDATED"}


def test_the_report_editions_are_kept_by_the_proxy_and_revalidated_with_a_304(stack):
    editions = [report_url(language, file_format) for language in ("en", "fr") for file_format in ("pdf", "html")]
    for path in editions:
        status, headers, body = get(path)
        assert status == 200 and headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
        assert "public" in headers["Cache-Control"] and "max-age=" in headers["Cache-Control"]  # the app's
        assert headers["Last-Modified"].endswith(" GMT")
        again = get(path)
        assert again[0] == 200 and again[2] == body and again[1]["X-Cache-Status"] in FROM_THE_PROXY
        # A browser's own question is answered from nginx's copy.
        asked = get(path, {"If-None-Match": headers["ETag"]})
        assert asked[0] == 304 and asked[2] == b"" and asked[1]["X-Cache-Status"] in FROM_THE_PROXY

    # Past nginx's second (counted in whole seconds: up to two), readers still get its copy, while it asks the app
    # again with the copy's ETag and date; the app answers 304.
    path = editions[0]
    revalidated = re.compile(rf'"GET {re.escape(path)} HTTP/1\.[01]" 304 ')
    logs = [stack.log_path(port) for port in (FIRST, SECOND)]
    for _ in range(50):
        status, headers, _ = get(path)
        assert status == 200 and headers["X-Cache-Status"] in FROM_THE_PROXY
        if any(revalidated.search(log.read_text()) for log in logs):
            break
        time.sleep(0.1)
    else:
        asked = [line for log in logs for line in log.read_text().splitlines() if path in line]
        raise AssertionError(f"the app never answered nginx's revalidation of {path} with a 304: {asked}")


LARGE_PDF = 128 * 1024 * 1024
# Makes 2013-2014's French PDF a large file (or gives it back its own bytes): its stored file and its record.
REPLACE_PDF = """
import hashlib, shutil, sys
from pathlib import Path
from napreport.report.models import PublishedReport
report = PublishedReport.objects.get(period__start_year=2013, language="fr", format="pdf")
source, size, digest = Path({source!r}), 0, hashlib.sha256()
with source.open("rb") as file:
    while chunk := file.read(1 << 20):
        size += len(chunk)
        digest.update(chunk)
with source.open("rb") as file, report.file.open("wb") as stored:
    shutil.copyfileobj(file, stored, 1 << 20)
PublishedReport.objects.filter(pk=report.pk).update(size=size, sha256=digest.hexdigest())
"""


def children(pid):
    """The processes whose parent is `pid` (gunicorn's workers, nginx's)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def peak_memory(pid):
    """The most memory the process has held at once (VmHWM, its peak resident set), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


def test_a_large_pdf_is_streamed_held_in_memory_by_neither_gunicorn_nor_nginx(stack):
    """A 128 MB PDF through nginx (its first request: from the app, which streams it with sendfile; nginx writes
    it to its cache file as it comes) raises no worker's peak memory by a tenth of its size."""
    path = report_url("fr", "pdf")
    # Asked under an address nginx holds no copy of (the app reads no query here), so it comes from the app.
    unseen = f"{path}?large={time.monotonic_ns()}"
    original = stack.workdir / "original.pdf"
    large = stack.workdir / "large.pdf"
    with large.open("wb") as file:
        block = b"%PDF-1.7\n" + bytes(range(256)) * 4096
        while file.tell() < LARGE_PDF:
            file.write(block)
    status, _, body = get(path)
    assert status == 200
    original.write_bytes(body)
    proxy_stack.manage(stack.env, "shell", "--no-imports", "-c", REPLACE_PDF.format(source=str(large)))
    try:
        workers = [pid for process in stack.processes for pid in children(process.pid)]
        before = {pid: peak_memory(pid) for pid in workers}
        connection = http.client.HTTPConnection("127.0.0.1", PROXY, timeout=60)
        try:
            connection.request("GET", unseen, headers={"Host": "localhost"})
            response = connection.getresponse()
            received, digest = 0, hashlib.sha256()
            while chunk := response.read(1 << 20):
                received += len(chunk)
                digest.update(chunk)
            assert response.status == 200 and response.getheader("X-Cache-Status") not in FROM_THE_PROXY
        finally:
            connection.close()
        with large.open("rb") as file:
            expected = hashlib.file_digest(file, "sha256").hexdigest()
        assert received == large.stat().st_size and digest.hexdigest() == expected
        grown = {pid: peak_memory(pid) - before[pid] for pid in workers}
        print(f"peak memory grown by at most {max(grown.values()) / 2**20:.1f} MB for a {received / 2**20:.0f} MB PDF")
        assert max(grown.values()) < received / 10, grown
    finally:
        proxy_stack.manage(stack.env, "shell", "--no-imports", "-c", REPLACE_PDF.format(source=str(original)))
        large.unlink()


def test_with_no_instance_up_nginx_answers_its_own_bilingual_503_page(stack):
    page = (proxy_stack.PROJECT / "deploy" / "unavailable.html").read_bytes()
    assert get("/en/")[0] == 200  # held by nginx from now on
    unseen = f"/en/progress/2013-2014/?unseen={time.monotonic_ns()}"  # a page nginx has no copy of
    stack.stop_instance(FIRST)
    stack.stop_instance(SECOND)
    try:
        for path in (unseen, "/", "/healthz", "/admin/login/", report_url("fr", "html", "1999-2000")):
            status, headers, body = get(path)
            assert status == 503 and body == page, path
            assert headers["Retry-After"] == "30" and headers["Cache-Control"] == "no-store" and "ETag" not in headers
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert headers.get("X-Cache-Status") != "HIT"
        status, headers, body = get("/admin/login/", method="HEAD")
        assert status == 503 and body == b"" and headers["Retry-After"] == "30"
        # A sign-in (a POST) gets the page too, not nginx's 405 for a POST to a file.
        status, _, body = get("/admin/login/", method="POST")
        assert status == 503 and body == page
        assert "Service temporairement non disponible" in page.decode()  # both languages
        # What nginx holds it still gives, and its page is not an address of its own.
        assert get("/en/")[0] == 200
        assert get("/napreport-unavailable.html")[0] == 404
    finally:
        stack.gunicorn(FIRST, access_log=True)
    started = time.monotonic()
    while get(unseen)[0] != 200:
        # nginx tries a server it saw fail again after fail_timeout (10 s by default): up to that, and the start.
        assert time.monotonic() - started < 20, "pages did not come back within 20 s of an instance starting"
        time.sleep(0.1)
    print(f"pages again {time.monotonic() - started:.2f} s after one instance was up")
    status, headers, body = get(unseen)
    assert status == 200 and b"<table" in body  # the 503 was never kept for this address
    stack.gunicorn(SECOND, access_log=True)
