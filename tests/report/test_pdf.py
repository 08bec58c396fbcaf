"""What the PDF renderer may load: data: URLs and the project's static files; never the network or another file."""

import base64
import gc
import io
import socket
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from napreport.report import pdf as pdf_resources
from napreport.report.pdf import StaticFilesOnly, pdf_from_html

pytestmark = pytest.mark.pdf

ADMIN_ICON = Path(__import__("django").__file__).parent / "contrib/admin/static/admin/img/icon-yes.svg"


def png(colour="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def document(body):
    return f'<!DOCTYPE html><html lang="en"><head><title>Test</title></head><body><h1>Report</h1>{body}</body></html>'


def image_count(pdf):
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for, with "served" or the refusal."""
    calls = {}
    original = StaticFilesOnly.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception as error:
            calls[url] = f"refused: {error}"
            raise
        calls[url] = "served"
        return response

    monkeypatch.setattr(StaticFilesOnly, "fetch", spy)
    return calls


@pytest.fixture
def static_folder(tmp_path, settings):
    """A static folder of the project (STATICFILES_DIRS) holding a PNG, and a secret file beside it."""
    folder = tmp_path / "static"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "logo.png").write_bytes(png("blue"))
    (tmp_path / "secret.png").write_bytes(png("black"))
    (folder / "img" / "escape.png").symlink_to(tmp_path / "secret.png")
    (folder / "img" / "passwd").symlink_to("/etc/passwd")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, folder]
    return folder


@pytest.fixture
def listener():
    """A TCP port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def connected(server):
    try:
        connection, _address = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def test_a_data_image_and_static_images_render(fetched, static_folder):
    data_url = "data:image/png;base64," + base64.b64encode(png()).decode()
    html = document(
        f'<img src="{data_url}" alt="">'
        f'<img src="{(static_folder / "img" / "logo.png").as_uri()}" alt="">'
        f'<img src="{ADMIN_ICON.as_uri()}" alt="">'
        '<link rel="stylesheet" href="static/report/report.css">'
    )
    pdf = pdf_from_html(html)
    assert pdf.startswith(b"%PDF")
    assert fetched[data_url] == "served"
    assert fetched[(static_folder / "img" / "logo.png").as_uri()] == "served"
    assert fetched[ADMIN_ICON.as_uri()] == "served"  # an installed app's static folder
    assert fetched[(Path(settings.BASE_DIR) / "static" / "report" / "report.css").as_uri()] == "served"
    assert image_count(pdf) >= 2  # the two PNGs (the SVG is drawn as vectors)


def test_other_files_and_the_network_are_refused_and_the_pdf_still_renders(fetched, static_folder, listener):
    port = listener.getsockname()[1]
    static = Path(settings.BASE_DIR) / "static"
    hostile = [
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/x.css",
        f"https://127.0.0.1:{port}/x.png",
        f"file://{static}/report/../../pyproject.toml",
        f"file://{static}/%2e%2e/%2e%2e/etc/passwd",
        f"file://{static_folder}/img/escape.png",  # a symlink out of the static folder
        f"file://{static_folder}/img/passwd",
        f"file://127.0.0.1{static}/report/report.css",  # another host's file
        f"ftp://127.0.0.1:{port}/x.png",
    ]
    html = document(
        "".join(f'<img src="{url}" alt="">' for url in hostile if not url.endswith(".css"))
        + "".join(f'<link rel="stylesheet" href="{url}">' for url in hostile if url.endswith(".css"))
    )
    pdf = pdf_from_html(html)
    assert pdf.startswith(b"%PDF")
    assert image_count(pdf) == 0
    assert not connected(listener)
    refused = {url for url, outcome in fetched.items() if outcome.startswith("refused")}
    # WeasyPrint normalises some URLs (the ".." of the first traversal) before it asks; each is still refused.
    assert len(fetched) == len(hostile) and refused == set(fetched)
    assert f"http://127.0.0.1:{port}/x.css" in refused and "file:///etc/passwd" in refused


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.png",
        "file://localhost/etc/passwd",
        "FILE:///etc/passwd",
        "file:///etc/passwd?.css",
        "static/report/report.css",  # not an absolute URL
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_anything_but_data_and_static_files(url, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError(f"opened {url}")

    monkeypatch.setattr(pdf_resources.URLFetcher, "open", no_network)
    with pytest.raises(ValueError, match="may not load"):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_a_static_file_with_its_type():
    css = Path(settings.BASE_DIR) / "static" / "report" / "report.css"
    response = StaticFilesOnly().fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"


def test_weasyprint_lays_out_with_the_heap_left_out_of_collections_and_the_heap_back_after(monkeypatch):
    """The process's objects are frozen while WeasyPrint lays out and writes the PDF (so its many collections
    do not traverse them: the time is bench_publish.py's), and unfrozen after, however it ends."""
    frozen_while = []
    render, write = pdf_resources.HTML.render, pdf_resources.weasyprint.document.Document.write_pdf

    def recording_render(self, *args, **kwargs):
        frozen_while.append(("layout", gc.get_freeze_count()))
        return render(self, *args, **kwargs)

    def recording_write(self, *args, **kwargs):
        frozen_while.append(("writing", gc.get_freeze_count()))
        return write(self, *args, **kwargs)

    monkeypatch.setattr(pdf_resources.HTML, "render", recording_render)
    monkeypatch.setattr(pdf_resources.weasyprint.document.Document, "write_pdf", recording_write)
    assert pdf_from_html(document("<p>Text</p>")).startswith(b"%PDF")
    assert [stage for stage, _count in frozen_while] == ["layout", "writing"]
    assert all(count > 1000 for _stage, count in frozen_while), frozen_while  # Django's, pytest's objects
    assert gc.get_freeze_count() == 0

    def failing_render(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pdf_resources.HTML, "render", failing_render)
    with pytest.raises(MemoryError):
        pdf_from_html(document("<p>Text</p>"))
    assert gc.get_freeze_count() == 0
