"""The spreadsheet import against hostile files and requests (security issue #11, items 4, 5, 10, 11): a
confirmation reads only its own preview, uploads are bounded in size and memory, and staff read sentences, never
tracebacks. Every refusal leaves the statuses and their history exactly as they were. (What notes may hold,
items 6 and 7: test_spreadsheet_text.py.)"""

import csv
import io
import logging
import os
import random
import sys
import tempfile
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart

from commitments.spreadsheets import StatusUpdateResource
from tests.commitments.staff_requests import csv_file, hidden_fields
from tests.security.spreadsheet_requests import (
    CONFIRM_URL,
    HEADER,
    IMPORT_URL,
    assert_no_internals,
    named,
    preview,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.django_db

MEMORY_BOUND = 50 * 1024 * 1024  # the worst file may cost the worker this much, no more


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


# ---- 10. staff read sentences: no traceback, no server path, no Python repr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"wrong,headers\n1,2\n", "The file lacks the columns: id, note_en, note_fr, status, target_year, version."),
        (  # which id would be read? import-export takes the last column, tablib the first
            HEADER.strip().encode() + b",ID (do not change)\n1,1,complete,,x,,2\n",
            "The file has the column “ID (do not change)” more than once: keep one of each.",
        ),
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


def test_an_unclosed_quote_is_refused_whatever_csv_limit_another_library_set(target):
    """frictionless, imported by the open-data tests, raises the csv module's one global cell limit: the import
    keeps its own, so the same file is refused whatever ran before it in the process."""
    content = b'id,note_en\n1,"never closed\n' + b"x" * 200_000
    before, process_limit = snapshot(), csv.field_size_limit(sys.maxsize)
    try:
        response, html = preview(signed_in("rcmp"), named(content, "updates.csv"))
        assert csv.field_size_limit() == sys.maxsize  # left as the other library set it
    finally:
        csv.field_size_limit(process_limit)
    assert "could not be read as CSV" in html and snapshot() == before


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
