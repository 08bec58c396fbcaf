"""The spreadsheets departments really produce (issue #14): French and older Excel's CSV, LibreOffice's,
status labels in either language, the XLSX template they fill in, and errors that name the row a person
sees. Every refused file leaves the statuses and their history exactly as they were."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.models import ReportingPeriod, StatusUpdate, Task
from commitments.spreadsheet_template import COLUMNS, machine_names, read_status
from commitments.spreadsheets import StatusUpdateResource
from tests.commitments.staff_requests import edited_export

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
CONFIRM_URL = reverse("admin:commitments_statusupdate_process_import")
EXPORT_URL = reverse("admin:commitments_statusupdate_export")
NOTE = "Terminé à Montréal – « vérifié »"


def signed_in(username, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(get_user_model().objects.get(username=username))
    return client


def export(client, file_format):
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    return client.post(EXPORT_URL, {"format": file_format, "resource": "0", **columns})


def preview(client, content, name, file_format):
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(IMPORT_URL, {"format": file_format, "resource": "0", "import_file": upload})
    return response.content.decode()


def hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def snapshot():
    rows = list(
        StatusUpdate.objects.order_by("pk").values_list(
            "pk", "status", "target_year", "note_en", "note_fr", "review", "version", "updated_at"
        )
    )
    return rows, StatusUpdate.history.count()


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


# ---- reading what people type


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("complete", ("complete", None)),
        ("Complete", ("complete", None)),
        ("Terminé", ("complete", None)),
        (" terminé ", ("complete", None)),
        ("En voie de réalisation", ("in_progress", None)),
        ("In progress", ("in_progress", None)),
        ("On track", ("on_track", None)),
        ("En bonne voie", ("on_track", None)),
        ("On track for 2015/2016", ("on_track", 2015)),
        ("En bonne voie pour 2015-2016", ("on_track", 2015)),
        ("ongoing", ("ongoing", None)),
    ],
)
def test_a_status_is_read_from_its_code_or_its_label_in_either_language(typed, read):
    assert read_status(typed) == read


@pytest.mark.parametrize("typed", ["Finished", "", None, "On track for soon"])
def test_a_status_that_is_no_status_is_refused(typed):
    with pytest.raises(Exception, match="is not a status"):
        read_status(typed)


def test_headers_are_read_in_english_french_or_as_machine_names():
    headers = ["ID (do not change)", "Version (ne pas modifier)", "État de cette année", "status", "Tâche", "other"]
    assert machine_names(headers) == ["id", "version", "status", "status", "task", "other"]


# ---- the exported template


def test_the_xlsx_export_is_a_template_to_fill_in(target):
    response = export(signed_in("rcmp"), "1")
    assert response["Content-Disposition"] == 'attachment; filename="RCMP-2014-2015-status.xlsx"'
    sheet = sheet_of(response)
    assert sheet.title == "RCMP 2014-2015"
    header = [cell.value for cell in sheet[1]]
    assert header == [str(label) for label in COLUMNS.values()]
    names = machine_names(header)
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == target.pk]
    cell = {name: row[index] for index, name in enumerate(names)}
    assert cell["id"].data_type == "n" and cell["version"].value == 1
    assert cell["deliverable"].value == target.deliverable.text_en  # the full text, not a cut
    assert cell["period"].value == "2014-2015"
    previous = StatusUpdate.objects.get(deliverable=target.deliverable, period__start_year=2013)
    assert (
        cell["previous_status"].value == str(previous.label)
        and (cell["previous_note"].value or "") == previous.note_en
    )
    assert cell["status"].value == str(target.label)
    # Locked except what the department types; a drop-down for the status and for the target year.
    assert sheet.protection.sheet
    assert {name for name, c in cell.items() if not c.protection.locked} == {
        "status",
        "target_year",
        "note_en",
        "note_fr",
        "slip_reason",
        "slip_note_en",
        "slip_note_fr",
    }
    letter = {name: c.column_letter for name, c in cell.items()}
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations[f"{letter['status']}2"] == '"Complete,Ongoing,In progress,On track"'
    assert validations[f"{letter['target_year']}2"].startswith('"2014-2015,2015-2016,')
    assert sheet.column_dimensions[letter["deliverable"]].width == 60
    assert sheet.column_dimensions[letter["version"]].hidden
    assert sheet.freeze_panes == "A2"


def test_the_template_speaks_french_to_a_french_speaking_department(target):
    response = export(signed_in("rcmp", "fr"), "1")
    assert response["Content-Disposition"].endswith('-2014-2015-etats.xlsx"')
    sheet = sheet_of(response)
    header = [cell.value for cell in sheet[1]]
    assert "Tâche" in header and "État de cette année" in header and "Note d’avancement (français)" in header
    names = machine_names(header)
    (row,) = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == target.pk]
    assert row[names.index("deliverable")] == target.deliverable.text_fr
    validation = next(v for v in sheet.data_validations.dataValidation if "Terminé" in v.formula1)
    assert validation.formula1 == '"Terminé,En cours,En voie de réalisation,En bonne voie"'


def test_codes_and_fiscal_years_are_text_cells_that_a_spreadsheet_keeps_as_typed(target):
    """Typed as text (format "@"), "1.10" stays "1.10" when Excel or LibreOffice saves the file, even in a cell
    typed again by hand; in a General cell it becomes the number 1.1."""
    task = target.deliverable.task
    Task.objects.filter(pk=task.pk).update(code=f"{task.objective.code}0")  # objective "1.1", task "1.10"
    StatusUpdate.objects.filter(pk=target.pk).update(status="on_track", target_year=2016)
    sheet = sheet_of(export(signed_in("rcmp"), "1"))
    names = machine_names([cell.value for cell in sheet[1]])
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == target.pk]
    cells = {name: row[names.index(name)] for name in ("task", "period", "target_year")}
    assert {name: cell.value for name, cell in cells.items()} == {
        "task": f"{task.objective.code}0",
        "period": "2014-2015",
        "target_year": "2016-2017",
    }
    assert {(cell.data_type, cell.number_format) for cell in cells.values()} == {("s", "@")}
    column = sheet[cells["target_year"].column_letter]
    assert {cell.number_format for cell in column[1:]} == {"@"}  # every row's, those left empty too


def test_the_csv_export_starts_with_a_byte_order_mark_for_excel(target):
    content = export(signed_in("rcmp", "fr"), "0").content
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Tâche" in content.decode("utf-8-sig").splitlines()[0]


@pytest.mark.parametrize("file_format", ["0", "1"])
def test_the_export_reads_the_same_few_queries_for_any_number_of_rows(target, file_format, django_assert_num_queries):
    client = signed_in("rcmp")
    assert StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").count() > 5
    # The session; the user; the user's own and group permissions; whether the user is the coordinator; the
    # rows with their deliverable, task, period and last year's status and notes (subqueries, one query);
    # the user's departments and the rows' years (file name and drop-down); the session's save
    # (savepoint, update, release).
    with django_assert_num_queries(11):
        response = export(client, file_format)
    assert response.status_code == 200


# ---- files departments save, imported back


def changed_csv(target, language, delimiter, line_end, encoding):
    """The template's CSV as a department's program saves it, with one row changed."""
    typed = {"status": "Terminé" if language == "fr" else "Complete", "note_fr": NOTE}
    return edited_export(signed_in("rcmp", language), {target.pk: typed}, delimiter, line_end, encoding)


VARIANTS = {
    "French Excel: semicolons, UTF-8 with BOM, CRLF": ("fr", ";", "\r\n", "utf-8-sig"),
    "older Excel: Windows-1252": ("en", ",", "\r\n", "cp1252"),
    "LibreOffice's default: Windows-1252, LF": ("fr", ",", "\n", "cp1252"),
    "Excel's Unicode text: tabs, UTF-16": ("en", "\t", "\r\n", "utf-16"),
    "comma-separated UTF-8": ("en", ",", "\n", "utf-8"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_csv_as_departments_programs_save_it_imports_exactly_its_changed_row(target, variant):
    content = changed_csv(target, *VARIANTS[variant])
    client = signed_in("rcmp")  # imported by a colleague working in English
    html = preview(client, content, "updates.csv", "0")
    assert "Confirm import" in html, html[-2000:]
    assert html.count('<tr class="update">') == 1 and NOTE in html
    assert client.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_fr, target.version) == ("complete", NOTE, 2)
    assert StatusUpdate.objects.filter(version__gt=1).count() == 1


def test_a_status_label_with_its_year_sets_the_target(target):
    # Complete last year: a later target is a slip, with its reason.
    header = "id,version,status,target_year,note_en,note_fr,slip_reason,slip_note_en,slip_note_fr\n"
    content = f"{header}{target.pk},1,On track for 2016/2017,,,,Funding,Budget,Budget\n".encode()
    client = signed_in("rcmp")
    html = preview(client, content, "updates.csv", "0")
    assert client.post(CONFIRM_URL, hidden_fields(html)).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.target_year) == ("on_track", 2016)


# ---- errors a person can act on


def test_an_error_names_the_row_as_the_spreadsheet_numbers_it_and_is_written_out(target):
    other = (
        StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp")
        .exclude(pk=target.pk)
        .first()
    )
    # Line 1 the header, line 2 a good row, line 3 blank, line 4 the bad one (a quoted note over two lines
    # before it does not shift the count: the spreadsheet shows it as one row).
    content = (
        "id,version,status,target_year,note_en,note_fr\n"
        f'{other.pk},1,Complete,,"Two\nlines",\n'
        ",,,,,\n"
        f"{target.pk},1,Finished,,x,\n"
    ).encode()
    before = snapshot()
    html = preview(signed_in("rcmp"), content, "updates.csv", "0")
    assert "Row 4: “Finished” is not a status; use one of Complete, Ongoing, In progress, On track." in html.replace(
        "&#x27;", "'"
    )
    assert "Row 2" not in html and "Row 3" not in html
    assert "validation-error-count" not in html  # on the page, not behind a badge
    assert "Confirm import" not in html and snapshot() == before


def test_an_error_is_told_in_french_with_the_french_row_word(target):
    content = f"id,version,status,target_year,note_en,note_fr\n{target.pk},1,Fini,,x,\n".encode()
    before = snapshot()
    html = preview(signed_in("rcmp", "fr"), content, "updates.csv", "0")
    assert "Ligne 2" in html and "« Fini » n’est pas un état" in html
    assert snapshot() == before


def test_a_status_and_a_target_that_disagree_are_refused(target):
    content = f"id,version,status,target_year,note_en,note_fr\n{target.pk},1,On track for 2016/2017,2018-2019,,\n"
    before = snapshot()
    html = preview(signed_in("rcmp"), content.encode(), "updates.csv", "0")
    assert "Row 2: The status says “On track for 2016/2017” but the target year is 2018-2019" in html
    assert snapshot() == before


def test_a_file_of_a_year_since_published_gets_one_message(target):
    client = signed_in("rcmp")
    exported = export(client, "1")
    sheet = sheet_of(exported)
    names = machine_names([cell.value for cell in sheet[1]])
    for row in sheet.iter_rows(min_row=2):
        row[names.index("note_en")].value = "Written offline while the year was open"
    edited = io.BytesIO()
    sheet.parent.save(edited)
    ReportingPeriod.objects.filter(start_year=2014).update(state="published", published_at=timezone.now())
    ReportingPeriod.objects.get(start_year=2014).open_next()
    before = snapshot()
    html = preview(client, edited.getvalue(), "old.xlsx", "1")
    assert html.count("is published") == 1
    assert "2014-2015 is published, so this file can no longer be imported; export the 2015-2016 file." in html
    assert "You may not change" not in html and "Confirm import" not in html
    assert snapshot() == before


def test_a_stale_row_of_an_xlsx_file_is_shown_beside_who_changed_it(target):
    client = signed_in("rcmp")
    exported = export(client, "1").content
    target.note_en = "CBSA's own note"
    target.save_unless_stale(get_user_model().objects.get(username="cbsa"), 1)
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    names = machine_names([cell.value for cell in sheet[1]])
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == target.pk]
    row[names.index("note_en")].value = "Mine"
    edited = io.BytesIO()
    sheet.parent.save(edited)
    before = snapshot()
    html = preview(client, edited.getvalue(), "stale.xlsx", "1")
    assert f"Row {row[0].row}:" in html and "Saved by cbsa, and your values" in html
    assert "CBSA&#x27;s own note</td><td>Mine</td>" in html
    assert snapshot() == before


def test_a_file_with_a_column_twice_is_refused_in_the_persons_language(target):
    """Two id columns, one by its English header: which would be read? The file is refused, nothing written."""
    content = f"id,version,status,target_year,note_en,note_fr,ID (do not change)\n{target.pk},1,complete,,x,,1\n"
    before = snapshot()
    for language, says in (
        ("en", "The file has the column “ID (do not change)” more than once: keep one of each."),
        ("fr", "Le fichier contient plus d’une fois la colonne «\u00a0Identifiant (ne pas modifier)\u00a0»\u00a0:"),
    ):
        html = preview(signed_in("rcmp", language), content.encode(), "updates.csv", "0")
        assert says in html, html[-3000:]
    assert snapshot() == before
