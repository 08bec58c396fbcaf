"""The spreadsheet import and export against hostile files and requests (security issue #11, items 4-7, 10, 11):
a confirmation reads only its own preview, uploads are bounded in size and memory, exports run no formulas
and survive control characters, and staff read sentences, never tracebacks. Every refusal leaves the
statuses and their history exactly as they were."""

import csv
import io
import logging
import os
import random
import tempfile
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from django.urls import reverse

from commitments.models import StatusUpdate
from commitments.spreadsheet_template import machine_names
from commitments.spreadsheets import StatusUpdateResource, neutralise_formula, restore_formula
from tests.commitments.staff_requests import change_data, csv_file, export_form, hidden_fields, list_data

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
CONFIRM_URL = reverse("admin:commitments_statusupdate_process_import")
EXPORT_URL = reverse("admin:commitments_statusupdate_export")
HEADER = "id,version,status,target_year,note_en,note_fr\n"
MEMORY_BOUND = 50 * 1024 * 1024  # the worst file may cost the worker this much, no more
FORMULAS = ['=HYPERLINK("http://example.com/x","Click")', "+1+1", "-2+3", "@SUM(1,2)", "'=already quoted"]


@pytest.fixture
def target(demo):
    """2014-2015's status of a deliverable led by RCMP and co-led by CBSA."""
    return StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Dedicated Integrated Enforcement Team"
    )


@pytest.fixture
def other(target):
    """Another of RCMP's 2014-2015 statuses."""
    return (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def snapshot():
    """Every status's values and version, and the number of history records."""
    rows = list(
        StatusUpdate.objects.order_by("pk").values_list(
            "pk", "status", "target_year", "note_en", "note_fr", "review", "review_comment", "version", "updated_at"
        )
    )
    return rows, StatusUpdate.history.count()


def named(content, name):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def preview(client, upload, file_format="0"):
    response = client.post(IMPORT_URL, {"format": file_format, "resource": "0", "import_file": upload})
    return response, response.content.decode()


def assert_no_internals(html):
    assert "Traceback" not in html and 'File "/' not in html and "['" not in html and "Error'" not in html


# ---- 4. the confirmation reads only a preview this user was shown


def test_a_confirmation_naming_a_file_in_the_temporary_folder_neither_reads_nor_deletes_it(target):
    # The file would import (it is a valid change of RCMP's own row) if the confirmation read it.
    with tempfile.NamedTemporaryFile("w", dir=tempfile.gettempdir(), suffix=".csv", delete=False) as planted:
        planted.write(HEADER + f"{target.pk},1,complete,,From the temp folder,\n")
    before = snapshot()
    try:
        response = signed_in("rcmp").post(
            CONFIRM_URL,
            {
                "import_file_name": os.path.basename(planted.name),
                "original_file_name": "updates.csv",
                "format": "0",
                "resource": "0",
            },
            follow=True,
        )
        assert os.path.exists(planted.name)
    finally:
        os.remove(planted.name)
    assert response.status_code == 200 and "this preview is not one you were shown" in response.content.decode()
    assert snapshot() == before


def test_a_preview_shown_to_another_user_cannot_be_confirmed(target):
    cbsa = signed_in("cbsa")  # co-leads the row, so its preview is valid
    response, html = preview(cbsa, csv_file(HEADER + f"{target.pk},1,complete,,CBSA's file,\n"))
    assert "Confirm import" in html
    before = snapshot()
    refused = signed_in("rcmp").post(CONFIRM_URL, hidden_fields(html), follow=True)
    assert "this preview is not one you were shown" in refused.content.decode()
    assert snapshot() == before
    # The preview is still its owner's to confirm, once.
    assert cbsa.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert target.note_en == "CBSA's file" and target.updated_by.username == "cbsa"
    after = snapshot()
    again = cbsa.post(CONFIRM_URL, hidden_fields(html), follow=True)
    assert "this preview is not one you were shown" in again.content.decode() and snapshot() == after


# ---- 11. a tampered confirmation is a message, never a 500


@pytest.mark.parametrize(
    "tamper",
    [
        {"format": "7"},
        {"format": "1"},
        {"format": "x"},
        {"resource": "5"},
        {"original_file_name": "someone-else.csv"},
        {"import_file_name": None},
        {"import_file_name": "../../etc/passwd"},
    ],
)
def test_a_tampered_confirmation_is_refused_with_a_message_and_writes_nothing(target, tamper):
    client = signed_in("rcmp")
    response, html = preview(client, csv_file(HEADER + f"{target.pk},1,complete,,Mine,\n"))
    fields = {**hidden_fields(html), **tamper}
    before = snapshot()
    refused = client.post(CONFIRM_URL, {name: value for name, value in fields.items() if value is not None})
    assert refused.status_code == 302 and refused["Location"] == IMPORT_URL
    page = client.get(IMPORT_URL).content.decode()
    assert "Nothing was imported" in page
    assert snapshot() == before
    # The untampered preview can still be confirmed.
    assert client.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert target.note_en == "Mine"


def test_an_unknown_format_on_upload_is_a_form_error(target):
    before = snapshot()
    response, html = preview(signed_in("rcmp"), csv_file(HEADER + f"{target.pk},1,complete,,Mine,\n"), "7")
    assert response.status_code == 200 and "errorlist" in html and "Confirm import" not in html
    assert snapshot() == before


# ---- 5. bounded uploads: each file is refused, or read, within MEMORY_BOUND


def workbook_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(xlsx, sheet):
    """The workbook with its sheet XML replaced by `sheet(original)`, an iterable of byte chunks."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with archive.open(member.filename, "w", force_zip64=True) as part:
                    for chunk in sheet(source.read(member)):
                        part.write(chunk)
            else:
                archive.writestr(member, source.read(member))
    return out.getvalue()


def row_for(target, note):
    return [target.pk, target.version, "complete", None, note, ""]


def huge_declared_dimension(target):
    xlsx = workbook_bytes([HEADER.strip().split(","), row_for(target, "Declared huge")])
    return with_sheet(
        xlsx, lambda xml: [xml.replace(b'<dimension ref="A1:F2"/>', b'<dimension ref="A1:XFD1048576"/>')]
    )


def value_in_the_last_row(target):
    last = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    xlsx = workbook_bytes([HEADER.strip().split(","), row_for(target, "Far away")])
    return with_sheet(xlsx, lambda xml: [xml.replace(b"</sheetData>", last)])


def deflate_bomb(target):
    xlsx = workbook_bytes([HEADER.strip().split(","), row_for(target, "Bomb")])
    return with_sheet(xlsx, lambda xml: (b"0" * 2**20 for _ in range(400)))  # 400 MiB of zeros


def hundred_thousand_rows_of_200_cells(target):
    row = b"<row>" + b"<c><v>1</v></c>" * 200 + b"</row>"

    def sheet(xml):
        head, tail = xml.split(b"<sheetData>")
        yield head + b"<sheetData>"
        for _ in range(100):
            yield row * 1000
        yield b"</sheetData>" + tail.split(b"</sheetData>")[1]

    return with_sheet(workbook_bytes([HEADER.strip().split(",")]), sheet)


def three_thousand_rows(target):
    rows = [HEADER.strip().split(",")] + [row_for(target, "x")] * 3000
    return workbook_bytes(rows)


BOMBS = {
    # name: (file name, format, content builder, what the page says)
    "huge declared dimension": ("dimension.xlsx", "1", huge_declared_dimension, "Confirm import"),
    "a value in the last row": ("far.xlsx", "1", value_in_the_last_row, "more than 2,000 rows"),
    "deflate bomb": ("bomb.xlsx", "1", deflate_bomb, "holds more than"),
    "100k x 200 cells": ("cells.xlsx", "1", hundred_thousand_rows_of_200_cells, "holds more than"),
    "3,000 rows": ("rows.xlsx", "1", three_thousand_rows, "more than 2,000 rows"),
    "1,000,000 empty CSV rows": ("rows.csv", "0", lambda target: HEADER.encode() + b",\n" * 10**6, "more than 2,000"),
    "1,000,000 CSV rows": (
        "rows.csv",
        "0",
        lambda target: HEADER.encode() + f"{target.pk},1,complete,,x,\n".encode() * 10**6,
        "a department&#x27;s spreadsheet is at most 2.0",
    ),
    "50 MB CSV": (
        "big.csv",
        "0",
        lambda target: HEADER.encode() + b"x" * (50 * 2**20),
        "a department&#x27;s spreadsheet is at most 2.0",
    ),
    "100k x 200 CSV": ("cells.csv", "0", lambda target: (b"1," * 200 + b"\n") * 10**5, "at most 2.0"),
}


def post_measuring_memory(client, fields):
    """POST the multipart form, tracing Python's memory only while the server handles it."""
    payload = FakePayload(encode_multipart(BOUNDARY, fields))  # built before tracing: it is the client's
    tracemalloc.start()
    try:
        response = client.request(
            REQUEST_METHOD="POST",
            PATH_INFO=IMPORT_URL,
            CONTENT_TYPE=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(len(payload)),
            **{"wsgi.input": payload},
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_hostile_upload_is_refused_or_read_within_bounded_memory(target, bomb):
    file_name, file_format, build, says = BOMBS[bomb]
    content = build(target)
    client = signed_in("rcmp")
    before = snapshot()
    response, peak = post_measuring_memory(
        client, {"format": file_format, "resource": "0", "import_file": named(content, file_name)}
    )
    html = response.content.decode()
    assert response.status_code == 200 and says in html, html[-3000:]
    assert peak < MEMORY_BOUND, f"{bomb}: {peak / 2**20:.1f} MiB"
    assert_no_internals(html)
    assert snapshot() == before
    if says != "Confirm import":
        assert "errorlist" in html and "Confirm import" not in html


def test_the_limits_are_settings(target, settings):
    settings.SPREADSHEET_IMPORT_MAX_ROWS = 1
    body = f"{target.pk},1,complete,,x,\n{target.pk},1,complete,,y,\n"
    response, html = preview(signed_in("rcmp"), csv_file(HEADER + body))
    assert "more than 1 rows" in html and "Confirm import" not in html


def test_more_columns_than_allowed_are_refused(target):
    before = snapshot()
    response, html = preview(signed_in("rcmp"), csv_file(HEADER.strip() + ",x" * 60 + "\n"))
    assert "more than 50 columns" in html and snapshot() == before


# ---- 6. exports run no formulas; a round trip gives back what was typed


@pytest.fixture
def formula_notes(target, other):
    StatusUpdate.objects.filter(pk=target.pk).update(note_en=FORMULAS[0], note_fr=FORMULAS[1])
    StatusUpdate.objects.filter(pk=other.pk).update(note_en=FORMULAS[2], note_fr=FORMULAS[3])
    return {target.pk: FORMULAS[:2], other.pk: FORMULAS[2:4]}


def test_the_xlsx_export_holds_formula_looking_notes_as_text(formula_notes):
    exported = signed_in("rcmp").post(EXPORT_URL, export_form("1"))
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    header = machine_names([cell.value for cell in sheet[1]])
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in formula_notes:
            for column, typed in zip(("note_en", "note_fr"), formula_notes[row[0].value], strict=True):
                cell = row[header.index(column)]
                assert cell.data_type == "s" and cell.value == "'" + typed
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def csv_rows(content):
    """The exported CSV's rows, keyed by the columns' machine names (the headers are in the user's language)."""
    for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))):
        yield dict(zip(machine_names(row), row.values(), strict=True))


def test_the_csv_export_holds_formula_looking_notes_as_text(formula_notes):
    exported = signed_in("rcmp").post(EXPORT_URL, export_form("0"))
    rows = {int(row["id"]): row for row in csv_rows(exported.content)}
    for pk, (note_en, note_fr) in formula_notes.items():
        assert (rows[pk]["note_en"], rows[pk]["note_fr"]) == ("'" + note_en, "'" + note_fr)


@pytest.mark.parametrize("file_format", ["0", "1"])
def test_an_exported_file_imported_back_unchanged_changes_nothing(formula_notes, file_format):
    client = signed_in("rcmp")
    exported = client.post(EXPORT_URL, export_form(file_format))
    before = snapshot()
    response, html = preview(client, named(exported.content, "back." + ("csv", "xlsx")[int(file_format)]), file_format)
    confirmed = client.post(CONFIRM_URL, hidden_fields(html), follow=True)
    assert "0 updated" in confirmed.content.decode()
    assert snapshot() == before


def test_a_formula_looking_note_survives_an_offline_edit_of_its_row(formula_notes, target):
    client = signed_in("rcmp")
    workbook = openpyxl.load_workbook(io.BytesIO(client.post(EXPORT_URL, export_form("1")).content))
    sheet = workbook.active
    header = machine_names([cell.value for cell in sheet[1]])
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == target.pk]
    row[header.index("status")].value = "complete"
    edited = io.BytesIO()
    workbook.save(edited)
    response, html = preview(client, named(edited.getvalue(), "edited.xlsx"), "1")
    assert client.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_en, target.note_fr) == ("complete", *formula_notes[target.pk])


@pytest.mark.parametrize("typed", [*FORMULAS, "plain", "'plain", "", None, 12])
def test_restore_formula_undoes_neutralise_formula(typed):
    assert restore_formula(neutralise_formula(typed)) == typed


# ---- 7. control characters are cleaned on save and never break an export


def test_the_change_form_stores_a_note_without_control_characters(target):
    signed_in("rcmp").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, note_en="Line one\x0bline two\x07", note_fr="Ligne\x1f un"),
    )
    target.refresh_from_db()
    assert (target.note_en, target.note_fr) == ("Line one\nline two", "Ligne un")


def test_the_coordinator_stores_a_review_comment_without_control_characters(target):
    signed_in("coordinator").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, review="returned", review_comment="Please\x0bcheck\x7f."),
    )
    target.refresh_from_db()
    assert target.review_comment == "Please\ncheck."


def test_the_quick_update_list_stores_a_note_without_control_characters(target, other):
    response = signed_in("rcmp").post(
        reverse("admin:commitments_statusupdate_changelist"),
        list_data([target, other], {target.pk: {"note_en": "Pasted\x0bfrom Word\x0c"}}),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "Pasted\nfrom Word"  # the form strips the trailing newline


def test_the_import_stores_a_note_without_control_characters(target):
    client = signed_in("rcmp")
    response, html = preview(client, csv_file(HEADER + f"{target.pk},1,complete,,Pasted\x0bfrom Word\x01,\n"))
    assert client.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert target.note_en == "Pasted\nfrom Word"


@pytest.mark.parametrize("file_format", ["0", "1"])
def test_a_note_stored_with_control_characters_before_the_fix_does_not_break_the_export(target, file_format):
    StatusUpdate.objects.filter(pk=target.pk).update(note_en="Stored\x0bbefore\x1b the fix")
    exported = signed_in("rcmp").post(EXPORT_URL, export_form(file_format))
    assert exported.status_code == 200 and exported["Content-Disposition"].startswith("attachment")
    if file_format == "1":
        rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
        notes = [row[machine_names(rows[0]).index("note_en")] for row in rows[1:]]
    else:
        notes = [row["note_en"] for row in csv_rows(exported.content)]
    assert "Stored\nbefore the fix" in notes


def test_an_imported_note_past_the_length_limit_is_refused_and_nothing_is_written(target):
    before = snapshot()
    response, html = preview(signed_in("rcmp"), csv_file(HEADER + f"{target.pk},1,complete,,{'x' * 100_000},\n"))
    assert "at most 2000 characters" in html and "Confirm import" not in html
    assert snapshot() == before


# ---- 10. staff read sentences: no traceback, no server path, no Python repr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"wrong,headers\n1,2\n", "The file lacks the columns: id, note_en, note_fr, status, target_year, version."),
        (random.Random(11).randbytes(4096) + b"\x00", "This is not a CSV file."),
        (b"\x81\x8d\x8f\x90\x9d,x\n", "neither UTF-8 nor Windows-1252"),
        (b'id,note_en\n1,"never closed\n' + b"x" * 200_000, "could not be read as CSV"),
    ],
)
def test_an_unreadable_file_gets_a_sentence_not_internals(target, content, says):
    before = snapshot()
    response, html = preview(signed_in("rcmp"), named(content, "updates.csv"))
    assert response.status_code == 200 and says in html.replace("&#x27;", "'")
    assert_no_internals(html)
    assert snapshot() == before


def test_a_windows_1252_csv_from_excel_imports(target):
    content = (HEADER + f"{target.pk},1,complete,,Terminé à Montréal – « vérifié »,\n").encode("cp1252")
    response, html = preview(signed_in("rcmp"), named(content, "excel.csv"))
    assert "Terminé à Montréal – « vérifié »" in html and "Confirm import" in html
    assert_no_internals(html)


def test_a_french_excel_csv_with_semicolons_imports(target):
    content = HEADER.replace(",", ";") + f"{target.pk};1;complete;;Terminé, vérifié;\n"
    response, html = preview(signed_in("rcmp"), csv_file(content))
    assert "Terminé, vérifié" in html and "Confirm import" in html


def test_an_unexpected_error_is_logged_with_its_traceback_and_told_in_plain_words(target, monkeypatch, caplog):
    def fail(self, row, **kwargs):
        raise RuntimeError("failure in /srv/napreport/secret.py")

    monkeypatch.setattr(StatusUpdateResource, "before_import_row", fail)
    before = snapshot()
    with caplog.at_level(logging.ERROR, logger="commitments.spreadsheets"):
        response, html = preview(signed_in("rcmp"), csv_file(HEADER + f"{target.pk},1,complete,,x,\n"))
    assert "error on our side, which has been recorded" in html
    assert "secret.py" not in html
    assert_no_internals(html)
    (record,) = [record for record in caplog.records if record.name == "commitments.spreadsheets"]
    assert record.levelno == logging.ERROR and record.exc_info[0] is RuntimeError
    assert snapshot() == before


def test_a_refusal_is_told_in_french_on_the_french_staff_screens(target):
    from django.utils import translation

    from commitments.spreadsheet_formats import LimitedCSV, SpreadsheetRefused

    with translation.override("fr"), pytest.raises(SpreadsheetRefused) as refused:
        LimitedCSV().create_dataset((HEADER + ",\n" * 3000).encode())
    assert refused.value.messages == [
        "Le fichier compte plus de 2\xa0000 lignes; importez au plus 2\xa0000 états à la fois."
    ]


def test_a_workbook_declaring_xml_entities_is_refused_before_they_expand(target):
    """A billion-laughs sheet: entities that expand to gigabytes. defusedxml refuses the declaration itself."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    xlsx = with_sheet(workbook_bytes([HEADER.strip().split(","), row_for(target, "Laughs")]), lambda _sheet: [laughs])
    before = snapshot()
    tracemalloc.start()
    response, html = preview(signed_in("rcmp"), named(xlsx, "laughs.xlsx"), file_format="1")
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200
    assert "This is not an Excel workbook" in html
    assert peak < MEMORY_BOUND
    assert snapshot() == before
