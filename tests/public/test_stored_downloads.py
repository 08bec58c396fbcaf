"""Issue #17, "downloads are files": the chart's CSV and JSON are written once, at publication, and served as
stored files; the downloads page reads their sizes from the records and renders no export. The report's PDF and
HTML editions are served as the stored files they are too, streamed, with what a browser or nginx needs to keep
them (public, their SHA-256 as ETag, their publication as Last-Modified) and 304s for conditional requests."""

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date

from commitments.models import ReportingPeriod
from napreport.public.published import published_rows
from napreport.public.templatetags.public_pages import file_size
from napreport.report import exports
from napreport.report.models import CHART_FORMATS, NarrativeSection, PublishedReport
from napreport.report.publishing import publish_period, report_directory
from tests.public.caches import LOCMEM

pytestmark = pytest.mark.django_db

KINDS = [(language, file_format) for language in ("en", "fr") for file_format in ("csv", "json")]


def url(language, name, *args):
    """A public URL in `language` (the paths are translated: /fr/telechargements/…)."""
    with translation.override(language):
        return reverse(f"public:{name}", args=args)


def chart_url(language, file_format):
    return url(language, "chart-download", "2013-2014", file_format)


def stored(period, language, file_format):
    return PublishedReport.objects.get(period=period, language=language, format=file_format)


def fails_if_rendered(*args, **kwargs):
    raise AssertionError("an export was rendered")


@pytest.mark.parametrize(("language", "file_format"), KINDS)
def test_publication_stores_each_download_with_its_size_and_checksum(published, language, file_format):
    download = stored(published, language, file_format)
    assert download.file.name == f"{report_directory(published)}/action-items-2013-2014-{language}.{file_format}"
    with download.file.open("rb") as file:
        content = file.read()
    assert len(content) == download.size > 10_000
    assert hashlib.sha256(content).hexdigest() == download.sha256
    # The very bytes the download rendered before it was stored: the frozen rows, in the file's language.
    assert content == exports.render_export(published_rows(published), file_format, language).encode("utf-8")


@pytest.mark.parametrize(("language", "file_format"), KINDS)
def test_the_download_serves_the_stored_file_under_its_old_type_and_name(
    client, published, monkeypatch, language, file_format
):
    expected = exports.render_export(published_rows(published), file_format, language).encode("utf-8")
    monkeypatch.setattr(exports, "render_export", fails_if_rendered)
    monkeypatch.setattr("napreport.public.views.render_export", fails_if_rendered)
    response = client.get(chart_url(language, file_format))
    assert response.status_code == 200 and isinstance(response, FileResponse)
    assert response.getvalue() == expected
    assert response["Content-Type"] == exports.CONTENT_TYPES[file_format]
    assert response["Content-Disposition"] == f'attachment; filename="action-items-2013-2014-{language}.{file_format}"'
    assert int(response["Content-Length"]) == len(expected)
    assert "public" in response["Cache-Control"]


def test_a_stored_download_answers_a_conditional_request_by_its_checksum(client, published):
    etag = client.get(chart_url("en", "csv"))["ETag"]
    assert etag == f'"{stored(published, "en", "csv").sha256}"'
    assert client.get(chart_url("en", "csv"), headers={"if-none-match": etag}).status_code == 304


def test_the_report_file_url_does_not_serve_a_chart_download(client, published):
    # The report URL serves HTML inline: a CSV given there would be a page of staff-written text.
    assert client.get(url("en", "report-file", "2013-2014", "en", "csv")).status_code == 404
    assert client.get(url("en", "report-file", "2013-2014", "en", "json")).status_code == 404


def publish_the_open_year(demo):
    period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period__start_year=2013):
        section.pk, section.period = None, period
        section.save()
    period.start_review()
    return publish_period(period)


@override_settings(CACHES=LOCMEM)
def test_the_downloads_page_renders_no_export_and_runs_the_same_queries_for_any_number_of_years(
    client, published, demo, monkeypatch, django_assert_num_queries
):
    from django.core.cache import caches

    def page(language):
        caches["public"].clear()
        with django_assert_num_queries(4):  # last publication, plan, published years, their stored files
            response = client.get(url(language, "downloads"))
        assert response.status_code == 200
        return response.content.decode()

    monkeypatch.setattr(exports, "render_export", fails_if_rendered)
    monkeypatch.setattr("napreport.public.views.render_export", fails_if_rendered)
    for language, file_format in KINDS:
        with translation.override(language):
            size = file_size(stored(published, language, file_format).size)
        assert f"({file_format.upper()}, {size})" in page(language)

    monkeypatch.undo()
    publish_the_open_year(demo)
    monkeypatch.setattr(exports, "render_export", fails_if_rendered)
    monkeypatch.setattr("napreport.public.views.render_export", fails_if_rendered)
    html = page("en")
    # Each year: its chart as CSV and JSON, the CSV of every year published up to it, its data package (JSON).
    assert "2014 to 2015" in html and html.count("(CSV, ") == 4 and html.count("(JSON, ") == 4


def test_a_year_published_without_stored_downloads_still_downloads_rendered(client, published):
    """A year published before the downloads were stored at publication: rendered on request (the fallback)."""
    expected = {kind: stored(published, *kind) for kind in KINDS}
    contents = {kind: download.file.read() for kind, download in expected.items()}
    PublishedReport.objects.filter(period=published, format__in=CHART_FORMATS).delete()  # the records only
    for (language, file_format), content in contents.items():
        response = client.get(chart_url(language, file_format))
        assert response.status_code == 200 and not response.streaming  # rendered, not a stored file
        assert response.content == content
        assert response["Content-Type"] == exports.CONTENT_TYPES[file_format]
        name = f"action-items-2013-2014-{language}.{file_format}"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    html = client.get(url("en", "downloads")).content.decode()
    assert "(CSV)" in html and "(JSON)" in html  # no size to say, and none measured by rendering


EDITIONS = [(language, file_format) for language in ("en", "fr") for file_format in ("pdf", "html")]


def edition_url(language, file_format):
    return url(language, "report-file", "2013-2014", language, file_format)


@pytest.mark.parametrize(("language", "file_format"), EDITIONS)
def test_a_report_edition_may_be_kept_by_its_checksum_and_publication_date(client, published, language, file_format):
    edition = stored(published, language, file_format)
    response = client.get(edition_url(language, file_format))
    assert response.status_code == 200 and isinstance(response, FileResponse)
    with edition.file.open("rb") as file:
        assert response.getvalue() == file.read()
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    assert response["ETag"] == f'"{edition.sha256}"'
    assert response["Last-Modified"] == http_date(published.published_at.timestamp())
    assert int(response["Content-Length"]) == edition.size


def test_a_report_edition_answers_if_none_match_with_a_304_without_opening_its_file(
    client, published, monkeypatch, django_assert_num_queries
):
    edition = stored(published, "en", "pdf")
    etag = f'"{edition.sha256}"'
    monkeypatch.setattr(FieldFile, "open", fails_if_opened)
    for method in (client.get, client.head):
        with django_assert_num_queries(3):  # the plan, the published year, its file's record
            response = method(edition_url("en", "pdf"), headers={"if-none-match": etag})
        assert response.status_code == 304 and response.content == b""
        # What the 200 would say of keeping it, so a cache refreshes its copy.
        assert response["ETag"] == etag and response["Cache-Control"].startswith("public, max-age=")
        assert response["Last-Modified"] == http_date(published.published_at.timestamp())


def test_a_report_edition_is_not_modified_since_its_publication(client, published):
    path = edition_url("fr", "html")
    publication = published.published_at.timestamp()
    for method in (client.get, client.head):
        assert method(path, headers={"if-modified-since": http_date(publication)}).status_code == 304
        assert method(path, headers={"if-modified-since": http_date(publication - 1)}).status_code == 200
        # Another ETag (another file's) wins over the date: the file.
        answered = method(path, headers={"if-none-match": '"another"', "if-modified-since": http_date(publication)})
        assert answered.status_code == 200


def test_a_report_edition_answers_head_with_its_headers_only(client, published):
    edition = stored(published, "en", "pdf")
    response = client.head(edition_url("en", "pdf"))
    assert response.status_code == 200 and response.getvalue() == b""
    assert int(response["Content-Length"]) == edition.size and response["ETag"] == f'"{edition.sha256}"'
    assert response["Content-Type"] == "application/pdf"


def test_a_report_edition_refuses_an_if_match_for_another_file(client, published):
    assert client.get(edition_url("en", "pdf"), headers={"if-match": '"another"'}).status_code == 412


def test_a_large_report_edition_is_streamed_never_read_into_memory(client, published):
    """A 32 MB PDF goes out in blocks: the most Python holds at once while it is served is a small part of it."""
    edition = stored(published, "en", "pdf")
    name = f"{report_directory(published)}/large-edition-test.pdf"
    path = Path(settings.MEDIA_ROOT) / name
    size, digest = 32 * 1024 * 1024, hashlib.sha256()
    block = bytes(range(256)) * 4096
    with path.open("wb") as file:
        for _ in range(size // len(block)):
            file.write(block)
            digest.update(block)
    PublishedReport.objects.filter(pk=edition.pk).update(file=name, size=size, sha256=digest.hexdigest())
    served = hashlib.sha256()
    tracemalloc.start()
    try:
        response = client.get(edition_url("en", "pdf"))
        received = 0
        # Read to the end, the test client closes the response itself, as a server would. (A second close() would
        # send request_finished again without the client's guard, and close the test's database connection.)
        for chunk in response.streaming_content:
            received += len(chunk)
            served.update(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        path.unlink()
    assert received == size and served.hexdigest() == digest.hexdigest()
    assert peak < size / 16, f"{peak / 2**20:.1f} MB held at once"


def fails_if_opened(*args, **kwargs):
    raise AssertionError("the stored file was opened")
