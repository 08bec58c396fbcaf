"""Issue #15, open data that stands on its own: each edition's data package (datapackage.json) and every file it
describes pass Frictionless validation, as stored and as the public site serves them; the package says what a
stranger needs (licence, publisher, edition, each column in both languages, each file's size and SHA-256)."""

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from frictionless import Package, Resource

from commitments.models import PublishedDeliverable, Status, StatusUpdate
from napreport.report.columns import COLUMNS_DESCRIBED
from napreport.report.exports import COLUMNS
from napreport.report.models import PublishedReport
from tests.public.conftest import publish_second_year
from tests.public.open_data_files import csv_records, csv_rows, download_resource, validation_errors

pytestmark = pytest.mark.django_db

OGL = "https://open.canada.ca/en/open-government-licence-canada"
FRICTIONLESS = str(Path(sys.executable).parent / "frictionless")  # the command the dev dependency installs


def stored_package(period):
    record = PublishedReport.objects.get(period=period, format=PublishedReport.Format.DATAPACKAGE, language="")
    return record, json.loads(record.file.read())


def package_path(period):
    return Path(default_storage.path(stored_package(period)[0].file.name))


def url(language, name, *args):
    with translation.override(language):
        return reverse(f"public:{name}", args=args)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_stored_package_and_every_file_it_describes_are_valid_for_frictionless(published):
    package = Package(str(package_path(published)))
    assert sorted(resource.path for resource in package.resources) == sorted(
        f"action-items-{name}"
        for name in [
            "2013-2014-en.csv",
            "2013-2014-en.json",
            "2013-2014-fr.csv",
            "2013-2014-fr.json",
            "all-years-to-2013-2014-en.csv",
            "all-years-to-2013-2014-fr.csv",
        ]
    )
    rows = PublishedDeliverable.objects.filter(period=published).count()
    for resource in package.resources:
        assert validation_errors(resource) == [], resource.path
        with resource:
            assert len(resource.read_rows()) == rows, resource.path


def test_each_file_has_the_size_and_checksum_the_package_and_the_record_give(published):
    _record, package = stored_package(published)
    directory = package_path(published).parent
    records = {Path(r.file.name).name: r for r in PublishedReport.objects.filter(period=published)}
    for resource in package["resources"]:
        content = (directory / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content) == records[resource["path"]].size
        assert resource["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}"
        assert records[resource["path"]].sha256 == hashlib.sha256(content).hexdigest()


def test_frictionless_finds_a_file_that_does_not_match_its_package(published, tmp_path):
    """The validation has teeth: a status code outside the list, a row without its number, a changed byte."""
    _record, package = stored_package(published)
    described = next(r for r in package["resources"] if r["path"] == "action-items-2013-2014-en.csv")
    content = (package_path(published).parent / described["path"]).read_bytes()
    header, records = csv_rows(content)
    records[0]["status_code"] = "finished"
    records[1]["deliverable_id"] = ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *[list(record.values()) for record in records]])
    errors = validation_errors(download_resource(tmp_path, ("\ufeff" + buffer.getvalue()).encode(), described))
    assert any("status_code constraint-error" in error for error in errors)
    assert any("deliverable_id constraint-error" in error for error in errors)
    (tmp_path / described["path"]).write_bytes(content.replace(b"Ongoing", b"Ongoinh", 1))
    errors = validation_errors(Resource({**described}, basepath=str(tmp_path)))
    assert any("hash-count" in error for error in errors)


def test_the_package_names_its_licence_publisher_and_edition_and_describes_every_column_in_both_languages(published):
    _record, package = stored_package(published)
    assert package["licenses"] == [
        {
            "name": "OGL-Canada-2.0",
            "title": "Open Government Licence – Canada / Licence du gouvernement ouvert – Canada",
            "path": OGL,
        }
    ]
    assert package["contributors"][0]["role"] == "publisher"
    assert package["contributors"][0]["title"] == "Public Safety Canada / Sécurité publique Canada"
    assert package["edition"] == "2013-2014"
    assert package["created"].startswith(published.published_at.date().isoformat())
    assert " / " in package["title"] and "2013 to 2014" in package["title"] and "2013-2014" in package["title"]
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == COLUMNS
        language = resource["languages"][0]
        for field in fields:
            assert set(field["title_translated"]) == set(field["description_translated"]) == {"en", "fr"}
            assert field["title"] == field["title_translated"][language]
            assert field["description"] == field["description_translated"][language]
            assert all(field["title_translated"].values()) and all(field["description_translated"].values())
    fields = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}
    assert fields["task"]["title_translated"] == {"en": "Task", "fr": "Tâche"}
    assert fields["note"]["title_translated"] == {"en": "Progress note", "fr": "Note d’avancement"}
    assert fields["status_code"]["constraints"]["enum"] == [status.value for status in Status]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_csv_header_is_the_columns_titles_in_the_files_language_and_the_json_keys_are_their_names(
    client, published, language
):
    content = body(client.get(url(language, "chart-download", "2013-2014", "csv")))
    header, records = csv_rows(content)
    with translation.override(language):
        assert header == [str(column.title) for column in COLUMNS_DESCRIBED]
    assert ("Tâche" in header) == (language == "fr") and ("Task" in header) == (language == "en")
    data = json.loads(body(client.get(url(language, "chart-download", "2013-2014", "json"))))
    assert all(list(record) == COLUMNS for record in data)
    assert [record["deliverable_id"] for record in data] == [int(record["deliverable_id"]) for record in records]


def test_the_csv_is_rfc_4180_with_a_byte_order_mark_and_crlf(client, published):
    content = body(client.get(url("fr", "chart-download", "2013-2014", "csv")))
    header, records = csv_rows(content)
    rewritten = io.StringIO()
    csv.writer(rewritten, lineterminator="\r\n").writerows([header, *[list(record.values()) for record in records]])
    assert content == ("\ufeff" + rewritten.getvalue()).encode("utf-8")
    assert content.count(b"\r\n") >= len(records) + 1


def excel_text(content):
    """The text Excel reads from a CSV opened by double-click: UTF-8 if it starts with a byte-order mark, else the
    system's ANSI code page (Windows-1252 on an English or French Windows)."""
    return content[3:].decode("utf-8") if content.startswith(b"\xef\xbb\xbf") else content.decode("cp1252")


def test_excel_reads_the_french_accents(client, published):
    content = body(client.get(url("fr", "chart-download", "2013-2014", "csv")))
    text = excel_text(content)
    assert text.startswith("Exercice financier,")
    assert "Tâche" in text and "Prévention" in text and "Ã" not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_site_serves_the_package_and_its_relative_paths_lead_to_the_files(client, published, language):
    package_url = url(language, "open-data-file", "2013-2014", "datapackage.json")
    response = client.get(package_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    package = json.loads(body(response))
    assert package == stored_package(published)[1]
    for resource in package["resources"]:
        served = client.get(urljoin(package_url, resource["path"]))
        assert served.status_code == 200, resource["path"]
        content = body(served)
        assert len(content) == resource["bytes"] == int(served["Content-Length"])
        assert resource["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}"
        assert served["Content-Disposition"] == f'attachment; filename="{resource["path"]}"'


@pytest.mark.parametrize("name", ["nothing.csv", "action-items-2013-2014-de.csv", "annual-report-2013-2014-en.pdf"])
def test_a_name_that_is_no_open_data_file_of_the_year_is_a_404(client, published, name):
    assert client.get(url("en", "open-data-file", "2013-2014", name)).status_code == 404


def test_a_year_that_is_not_published_has_no_open_data_files(client, published):
    assert client.get(url("en", "open-data-file", "2014-2015", "datapackage.json")).status_code == 404


def test_the_all_years_file_has_one_row_per_deliverable_per_published_year_with_its_notes(
    client, demo, published, django_capture_on_commit_callbacks
):
    open_year = StatusUpdate.objects.filter(period__start_year=2014, status=Status.ON_TRACK).first()
    open_year.note_en, open_year.note_fr = "Trained 120 officers in Québec", "120 agents formés au Québec, l’été"
    open_year.save()
    second = publish_second_year(demo, published, django_capture_on_commit_callbacks)
    package = Package(str(package_path(second)))
    for resource in package.resources:
        assert validation_errors(resource) == [], resource.path
    name = "action-items-all-years-to-2014-2015-fr.csv"
    records = csv_records(body(client.get(url("fr", "open-data-file", "2014-2015", name))))
    by_year = {year: [r for r in records if r["fiscal_year"] == year] for year in ("2013-2014", "2014-2015")}
    assert len(records) == len(by_year["2013-2014"]) + len(by_year["2014-2015"])
    for period, label in (published, "2013-2014"), (second, "2014-2015"):
        rows = PublishedDeliverable.objects.filter(period=period).order_by("chart_order")
        assert [r["deliverable_id"] for r in by_year[label]] == [str(row.deliverable_id) for row in rows]
        assert [r["note"] for r in by_year[label]] == [row.note_fr for row in rows]
    for language, note in ("en", open_year.note_en), ("fr", open_year.note_fr):
        records = csv_records(body(client.get(url(language, "chart-download", "2014-2015", "csv"))))
        record = next(r for r in records if r["deliverable_id"] == str(open_year.deliverable_id))
        assert (record["note"], record["fiscal_year"], record["status_code"]) == (note, "2014-2015", "on_track")
        assert record["target_year"] == f"{open_year.target_year}-{open_year.target_year + 1}"
    # The earlier edition keeps its own files, as published.
    assert (
        client.get(url("en", "open-data-file", "2013-2014", "action-items-all-years-to-2013-2014-en.csv")).status_code
        == 200
    )


@pytest.mark.parametrize("query", ["department=rcmp", "status=ongoing", ""])
@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_filtered_download_of_the_progress_table_is_valid_for_the_packages_schema(
    client, published, tmp_path, query, file_format
):
    _record, package = stored_package(published)
    described = next(r for r in package["resources"] if r["path"] == f"action-items-2013-2014-fr.{file_format}")
    response = client.get(url("fr", "progress", "2013-2014") + f"?download={file_format}&{query}")
    assert response.status_code == 200
    resource = download_resource(tmp_path, body(response), described)
    assert validation_errors(resource) == []


def test_frictionless_validate_on_the_command_line_finds_no_error_in_the_package(published):
    """`frictionless validate datapackage.json`, the command a stranger would run on the published folder. The
    command cannot skip a check for one resource only, so it skips the size and hash checks that frictionless-py
    gets wrong for JSON (tests.public.open_data_files); the tests above check both for every file."""
    result = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "--skip-errors", "byte-count,hash-count", str(package_path(published))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert (report["valid"], report["errors"], [task["errors"] for task in report["tasks"]]) == (True, [], [[]] * 6)
    assert result.returncode == 0
