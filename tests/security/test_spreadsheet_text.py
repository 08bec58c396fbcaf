"""What a spreadsheet's notes may hold (security issue #11, items 6 and 7): exports run no formulas and a round
trip gives back what was typed; control characters are cleaned on every way in and never break an export; an
imported note past the length limit is refused and writes nothing."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from commitments.models import StatusUpdate
from commitments.spreadsheet_template import machine_names
from commitments.spreadsheets import neutralise_formula, restore_formula
from tests.commitments.staff_requests import change_data, csv_file, export_form, hidden_fields, list_data
from tests.security.spreadsheet_requests import CONFIRM_URL, EXPORT_URL, HEADER, named, preview, signed_in, snapshot

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://example.com/x","Click")', "+1+1", "-2+3", "@SUM(1,2)", "'=already quoted"]


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
