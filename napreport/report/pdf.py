"""The report's PDF: WeasyPrint, allowed to load only embedded data and the project's static files, with the
tag tree of napreport.report.pdf_tags (tagged PDF/UA-1 that screen readers and checkers can follow).

Imported only where a PDF is rendered, inside the function that renders it: WeasyPrint loads Pango on
import, and web workers that never render a PDF should not pay for it.
"""

import gc
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint.pdf
from django.apps import apps
from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from napreport.report import pdf_tags

# WeasyPrint offers no hook for its tag tree: the report's builder stands in for WeasyPrint's while a laid-out
# report is written, one at a time, so that no other WeasyPrint call in the process sees the exchange.
TAGS_LOCK = threading.Lock()


def static_roots() -> list[Path]:
    """The folders the PDF may read files from: the project's static/ and each installed app's static/."""
    roots = [Path(settings.BASE_DIR) / "static"]
    roots += [Path(str(entry[1] if isinstance(entry, tuple | list) else entry)) for entry in settings.STATICFILES_DIRS]
    roots += [Path(app.path) / "static" for app in apps.get_app_configs()]
    return [root.resolve() for root in roots if root.is_dir()]


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's url_fetcher for the report: `data:` URLs and the project's own static files, nothing else.

    Never the network, never another file: a `file:` URL is resolved (`..` and symlinks followed) and read only
    if the real path lies inside a static folder. A refused resource is left out and the PDF still renders.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
        self.roots = static_roots()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.static_file(url) if scheme == "file" else None
        if path is None:
            raise ValueError(f"The report may not load {url[:200]}: only data: URLs and static files are allowed.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def static_file(self, url: str) -> Path | None:
        """The real path of a `file:` URL when it is a file inside a static folder, else None."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
            return path
        return None


@contextmanager
def report_tag_tree() -> Iterator[None]:
    """WeasyPrint's PDF writer builds the tag tree with napreport.report.pdf_tags (see why there)."""
    with TAGS_LOCK:
        weasyprint_add_tags = weasyprint.pdf.add_tags
        weasyprint.pdf.add_tags = pdf_tags.add_tags
        try:
            yield
        finally:
            weasyprint.pdf.add_tags = weasyprint_add_tags


@contextmanager
def heap_left_out_of_collections() -> Iterator[None]:
    """Python's cyclic garbage collector leaves out the objects this process already holds while the block runs:
    they are collected first, then frozen (gc.freeze), and unfrozen after, however the block ends.

    WeasyPrint's layout allocates millions of objects, and each full collection during it traverses every object
    of the process: in the publish task, Django's, the report's rows and HTML, and what the first PDF left. That
    made the task's PDFs some 0.3 s slower than WeasyPrint alone at 1x (bench_publish.py). Collecting first keeps
    the frozen objects to those still in use: frozen garbage (the first PDF's boxes) would stay for the second
    PDF's layout (at 10x, 394 MB at its peak against 309). Other threads' objects are frozen with the rest: they
    are only collected later. Freezing is not counted: a thread that unfreezes ends another's freeze too, which
    costs time, not correctness."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def pdf_from_html(html: str) -> bytes:
    """The tagged PDF/UA-1 of an already rendered report."""
    # The document's language and title come from <html lang> and <title>; pdf/ua-1 tags the structure.
    source = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=StaticFilesOnly())
    with heap_left_out_of_collections():
        # One layout: the "(continued)" labels are margin boxes (napreport.report.continued).
        laid_out = source.render(pdf_variant="pdf/ua-1")  # the slow part, outside the lock
        with report_tag_tree():
            return laid_out.write_pdf(pdf_variant="pdf/ua-1")
