"""Issue #17, "downloads are files": the chart's CSV and JSON are written once, at publication, and served as
stored files; the downloads page reads their sizes from the records and renders no export."""

import hashlib

import pytest
from django.http import FileResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from commitments.models import ReportingPeriod
from napreport.public.published import published_rows
from napreport.public.templatetags.public_pages import file_size
from napreport.report import exports
from napreport.report.models import CHART_FORMATS, NarrativeSection, PublishedReport
from napreport.report.publishing import publish_period, report_directory
from tests.public.test_pages import LOCMEM

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
