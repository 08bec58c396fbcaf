"""The exported template through a real spreadsheet program (issue #14): LibreOffice Calc, headless, saves
the edited file as XLSX, as Windows-1252 CSV and as semicolon CSV, and each imports back through the admin
showing exactly the changed rows, accents intact.

CI installs LibreOffice (`make test`: libreoffice-calc-nogui); there a missing LibreOffice fails the test.
Elsewhere it is skipped, saying why.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from commitments.models import StatusUpdate, Task
from commitments.spreadsheet_template import machine_names
from commitments.spreadsheets import StatusUpdateResource

pytestmark = pytest.mark.django_db

NOTE_FR = "Terminé à Montréal – « vérifié », l’été"
NOTE_EN = "Trained 120 officers; Québec, Ontario"
# LibreOffice's CSV filter options: field separator, text delimiter (34 is "), character set (1 is
# Windows-1252, 76 UTF-8).
# The options LibreOffice opens the CSV export with, as its dialog offers them for that file: commas, ",
# UTF-8, from row 1, standard column types, in English (Canada): "1.10" is read as the number 1.1.
OPENED_AS_CSV = "CSV:44,34,76,1,,4105"
SAVED_AS = {
    "XLSX": ("xlsx", "xlsx", "1"),
    "CSV in Windows-1252": ("csv:Text - txt - csv (StarCalc):44,34,1", "csv", "0"),
    "CSV with semicolons": ("csv:Text - txt - csv (StarCalc):59,34,76", "csv", "0"),
}


@pytest.fixture
def soffice():
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program:
        return program
    if os.environ.get("CI"):
        pytest.fail("LibreOffice is not installed: CI needs Debian's libreoffice-calc-nogui (`make system-test`).")
    pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui); CI fails without it.")


def save_with_libreoffice(soffice, source, convert_to, workdir, infilter=None):
    """The file LibreOffice writes when it opens `source` (a CSV file with the `infilter` options) and saves
    it as `convert_to`."""
    outdir = workdir / "saved"
    # A profile of its own, so parallel test workers never share (or lock) one.
    profile = workdir / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            convert_to,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (saved,) = outdir.iterdir()
    return saved.read_bytes()


@pytest.mark.parametrize("saved_as", list(SAVED_AS))
def test_the_template_saved_by_libreoffice_imports_exactly_the_changed_rows(demo, soffice, tmp_path, saved_as):
    convert_to, extension, file_format = SAVED_AS[saved_as]
    client = Client(headers={"accept-language": "fr"})
    client.force_login(get_user_model().objects.get(username="rcmp"))
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    exported = client.post(
        reverse("admin:commitments_statusupdate_export"), {"format": "1", "resource": "0", **columns}
    )
    mine = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").order_by("pk")
    first, second = mine[0], mine[1]

    # The department's changes, as a person types them in the French template.
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = workbook.active
    names = machine_names([cell.value for cell in sheet[1]])
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    rows[first.pk][names.index("status")].value = "Terminé"
    rows[first.pk][names.index("target_year")].value = None
    rows[first.pk][names.index("note_fr")].value = NOTE_FR
    rows[second.pk][names.index("note_en")].value = NOTE_EN
    edited = tmp_path / "RCMP-2014-2015-etats.xlsx"
    workbook.save(edited)

    content = save_with_libreoffice(soffice, edited, convert_to, tmp_path)
    if "44,34,1" in convert_to:
        assert "Terminé".encode("cp1252") in content  # really Windows-1252, not UTF-8
    if "59," in convert_to:
        assert content.decode("utf-8").splitlines()[0].count(";") == len(names) - 1
    upload = io.BytesIO(content)
    upload.name = f"from-libreoffice.{extension}"
    before = list(mine.values_list("pk", "status", "note_en", "note_fr", "version"))
    response = client.post(
        reverse("admin:commitments_statusupdate_import"),
        {"format": file_format, "resource": "0", "import_file": upload},
    )
    html = response.content.decode()
    assert 'name="confirm"' in html, html[-3000:]  # the preview offers its confirmation
    assert html.count('<tr class="update">') == 2  # exactly the changed rows
    changed = "".join(re.findall(r'<tr class="update">(.*?)</tr>', html, re.S))
    assert ">Terminé<" in changed and ">complete<" not in changed  # the status as a label, in French
    assert NOTE_FR in html
    assert NOTE_EN in html
    assert (
        list(mine.values_list("pk", "status", "note_en", "note_fr", "version")) == before
    )  # a preview writes nothing

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert client.post(reverse("admin:commitments_statusupdate_process_import"), fields).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.target_year, first.note_fr) == ("complete", None, NOTE_FR)
    assert second.note_en == NOTE_EN
    assert StatusUpdate.objects.filter(version__gt=1).count() == 2


@pytest.mark.parametrize("saved_as", ["XLSX", "CSV in Windows-1252"])
def test_a_slip_typed_in_the_template_keeps_its_reason_through_libreoffice(demo, soffice, tmp_path, saved_as):
    convert_to, extension, file_format = SAVED_AS[saved_as]
    client = Client(headers={"accept-language": "fr"})
    client.force_login(get_user_model().objects.get(username="rcmp"))
    slipped = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").order_by("pk")[0]
    # Last year “On track for 2014/2015”; this year the department moves it a year later, with its reason.
    StatusUpdate.objects.filter(deliverable_id=slipped.deliverable_id, period__start_year__in=[2013, 2014]).update(
        status="on_track", target_year=2014
    )
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    exported = client.post(
        reverse("admin:commitments_statusupdate_export"), {"format": "1", "resource": "0", **columns}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = workbook.active
    names = machine_names([cell.value for cell in sheet[1]])
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == slipped.pk]
    row[names.index("target_year")].value = "2015-2016"
    row[names.index("slip_reason")].value = "Dépendance envers un partenaire"  # as the French drop-down offers it
    row[names.index("slip_note_en")].value = NOTE_EN
    row[names.index("slip_note_fr")].value = NOTE_FR
    edited = tmp_path / "RCMP-2014-2015-etats.xlsx"
    workbook.save(edited)

    upload = io.BytesIO(save_with_libreoffice(soffice, edited, convert_to, tmp_path))
    upload.name = f"from-libreoffice.{extension}"
    response = client.post(
        reverse("admin:commitments_statusupdate_import"),
        {"format": file_format, "resource": "0", "import_file": upload},
    )
    html = response.content.decode()
    assert 'name="confirm"' in html, html[-3000:]
    assert html.count('<tr class="update">') == 1 and "Dépendance envers un partenaire" in html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert client.post(reverse("admin:commitments_statusupdate_process_import"), fields).status_code == 302
    slipped.refresh_from_db()
    assert (slipped.target_year, slipped.slip_reason) == (2015, "partner_dependency")
    assert (slipped.slip_note_en, slipped.slip_note_fr) == (NOTE_EN, NOTE_FR)
    assert slipped.history.first().slip_reason == "partner_dependency"


def test_a_row_saved_by_someone_else_since_the_export_survives_libreoffice_beside_theirs(demo, soffice, tmp_path):
    convert_to, extension, file_format = SAVED_AS["CSV in Windows-1252"]
    client = Client(headers={"accept-language": "fr"})
    client.force_login(get_user_model().objects.get(username="rcmp"))
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    exported = client.post(
        reverse("admin:commitments_statusupdate_export"), {"format": "1", "resource": "0", **columns}
    )
    mine = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").order_by("pk")
    first, second = mine[0], mine[1]
    first.note_fr = "Note de l’ASFC, enregistrée après l’exportation"
    first.save_unless_stale(get_user_model().objects.get(username="cbsa"), first.version)

    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = workbook.active
    names = machine_names([cell.value for cell in sheet[1]])
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    rows[first.pk][names.index("note_fr")].value = NOTE_FR
    rows[second.pk][names.index("note_en")].value = NOTE_EN
    edited = tmp_path / "RCMP-2014-2015-etats.xlsx"
    workbook.save(edited)

    upload = io.BytesIO(save_with_libreoffice(soffice, edited, convert_to, tmp_path))
    upload.name = f"from-libreoffice.{extension}"
    html = client.post(
        reverse("admin:commitments_statusupdate_import"),
        {"format": file_format, "resource": "0", "import_file": upload},
    ).content.decode()
    assert 'name="confirm"' in html, html[-3000:]  # the other row is still importable
    (stale,) = re.findall(r'aria-labelledby="stale-rows-title">(.*?)</section>', html, re.S)
    assert "Note de l’ASFC, enregistrée après l’exportation" in stale and NOTE_FR in stale  # theirs, mine
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    confirmed = client.post(reverse("admin:commitments_statusupdate_process_import"), fields)
    assert confirmed.status_code == 409 and NOTE_FR in confirmed.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.note_fr == "Note de l’ASFC, enregistrée après l’exportation" and second.note_en == NOTE_EN


@pytest.mark.parametrize("saved_as", ["CSV in Windows-1252", "XLSX"])
def test_a_task_code_that_libreoffice_turns_into_a_number_leaves_the_import_as_it_was(
    demo, soffice, tmp_path, saved_as
):
    """The CSV export opened in LibreOffice and saved (as CSV or XLSX) has the task "1.10" as the number 1.1: the
    import reads each row by its ID column, never by its task, so the changed row imports, and only it."""
    convert_to, extension, file_format = SAVED_AS[saved_as]
    client = Client(headers={"accept-language": "fr"})
    client.force_login(get_user_model().objects.get(username="rcmp"))
    first = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").order_by("pk")[0]
    task = first.deliverable.task
    code = f"{task.objective.code}0"  # objective "1.1", task "1.10"
    Task.objects.filter(pk=task.pk).update(code=code)
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    exported = client.post(
        reverse("admin:commitments_statusupdate_export"), {"format": "0", "resource": "0", **columns}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    names = machine_names(rows[0])
    (row,) = [row for row in rows[1:] if row[0] == str(first.pk)]
    assert row[names.index("task")] == code
    row[names.index("note_fr")] = NOTE_FR  # the department's change, typed in the CSV
    edited = tmp_path / "RCMP-2014-2015-etats.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows)

    content = save_with_libreoffice(soffice, edited, convert_to, tmp_path, infilter=OPENED_AS_CSV)
    if extension == "csv":
        saved = list(csv.reader(io.StringIO(content.decode("cp1252"))))
        (saved_row,) = [line for line in saved if line[0] == str(first.pk)]
        assert saved_row[names.index("task")] == code[:-1]  # "1.1": the code did not survive
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        (saved_row,) = [line for line in sheet.iter_rows(min_row=2, values_only=True) if line[0] == first.pk]
        assert saved_row[names.index("task")] == float(code)  # a number, 1.1
    upload = io.BytesIO(content)
    upload.name = f"from-libreoffice.{extension}"
    html = client.post(
        reverse("admin:commitments_statusupdate_import"),
        {"format": file_format, "resource": "0", "import_file": upload},
    ).content.decode()
    assert 'name="confirm"' in html, html[-3000:]
    assert html.count('<tr class="update">') == 1 and NOTE_FR in html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert client.post(reverse("admin:commitments_statusupdate_process_import"), fields).status_code == 302
    first.refresh_from_db()
    assert first.note_fr == NOTE_FR and first.version == 2
    assert Task.objects.get(pk=task.pk).code == code  # the file's task column changed nothing
    assert StatusUpdate.objects.filter(version__gt=1).count() == 1


def test_the_xlsx_template_keeps_its_task_codes_as_text_through_libreoffice(demo, soffice, tmp_path):
    """The XLSX export's codes are text cells: LibreOffice saves "1.10" as "1.10", in XLSX and in CSV."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="rcmp"))
    first = StatusUpdate.objects.filter(period__start_year=2014, deliverable__leads__slug="rcmp").order_by("pk")[0]
    task = first.deliverable.task
    code = f"{task.objective.code}0"
    Task.objects.filter(pk=task.pk).update(code=code)
    columns = {f"statusupdateresource_{column}": "on" for column in StatusUpdateResource.Meta.fields}
    exported = tmp_path / "RCMP-2014-2015-status.xlsx"
    exported.write_bytes(
        client.post(
            reverse("admin:commitments_statusupdate_export"), {"format": "1", "resource": "0", **columns}
        ).content
    )
    workbook = openpyxl.load_workbook(io.BytesIO(save_with_libreoffice(soffice, exported, "xlsx", tmp_path / "x")))
    names = machine_names([cell.value for cell in workbook.active[1]])
    (row,) = [row for row in workbook.active.iter_rows(min_row=2) if row[0].value == first.pk]
    assert (row[names.index("task")].value, row[names.index("task")].number_format) == (code, "@")
    saved = save_with_libreoffice(soffice, exported, SAVED_AS["CSV in Windows-1252"][0], tmp_path / "c")
    (line,) = [line for line in csv.reader(io.StringIO(saved.decode("cp1252"))) if line[0] == str(first.pk)]
    assert line[names.index("task")] == code
