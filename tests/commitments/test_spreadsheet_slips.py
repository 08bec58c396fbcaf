"""Slips through the spreadsheet (issue #14): a row that moves the target later than last year's carries its
reason and a sentence in each language, as the form asks; without them the preview refuses that row, naming
it as the spreadsheet shows it, in the person's language. The history and the dashboard keep the reason."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from commitments.models import Status, StatusUpdate
from commitments.spreadsheet_template import machine_names, read_slip_reason
from tests.commitments.staff_requests import client_for, csv_file, export_form, import_and_confirm

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
HEADER = "id,version,status,target_year,note_en,note_fr,slip_reason,slip_note_en,slip_note_fr\n"
WHY_EN = "The province moved its part to next year."
WHY_FR = "La province a reporté son volet à l’an prochain."


@pytest.fixture
def on_track_last_year(target):
    """The target's 2013-2014 status was “On track for 2014/2015”, and so is its 2014-2015 one, so far."""
    StatusUpdate.objects.filter(deliverable_id=target.deliverable_id, period__start_year=2013).update(
        status=Status.ON_TRACK, target_year=2014
    )
    StatusUpdate.objects.filter(pk=target.pk).update(status=Status.ON_TRACK, target_year=2014)
    target.refresh_from_db()
    return target


def snapshot(update):
    row = StatusUpdate.objects.filter(pk=update.pk)
    fields = ("status", "target_year", "note_en", "slip_reason", "slip_note_en", "slip_note_fr", "version")
    return row.values(*fields).get(), update.history.count()


def preview(row, language="en", header=HEADER):
    response = client_for("staff_a").post(
        IMPORT_URL,
        {"format": "0", "resource": "0", "import_file": csv_file(header + row)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("partner_dependency", "partner_dependency"),
        ("Partner dependency", "partner_dependency"),
        ("Dépendance envers un partenaire", "partner_dependency"),
        (" financement ", "funding"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_slip_reason_is_read_from_its_code_or_its_label_in_either_language(typed, read):
    assert read_slip_reason(typed) == read


def test_a_reason_that_is_not_in_the_list_is_refused_by_name(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    html = preview(f"{target.pk},1,On track,2015-2016,,,Weather,{WHY_EN},{WHY_FR}\n")
    assert "Row 2: “Weather” is not one of the reasons; use one of Funding, Partner dependency," in html
    assert "Confirm import" not in html and snapshot(target) == before


def test_the_template_asks_for_the_reason_with_a_drop_down_in_the_persons_language(target):
    for language, reasons in [
        ("en", '"Funding,Partner dependency,Scope change,Legislative timing,Other"'),
        ("fr", '"Financement,Dépendance envers un partenaire,Changement de portée,Calendrier législatif,Autre"'),
    ]:
        exported = client_for("staff_a").post(
            reverse("admin:commitments_statusupdate_export"), export_form("1"), HTTP_ACCEPT_LANGUAGE=language
        )
        sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
        header = [cell.value for cell in sheet[1]]
        names = machine_names(header)
        assert names[-3:] == ["slip_reason", "slip_note_en", "slip_note_fr"]
        assert header[-3] == {"en": "Reason for the later target", "fr": "Motif du report de l’échéance"}[language]
        letter = sheet.cell(row=2, column=len(names) - 2).column_letter
        validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
        assert validations[f"{letter}2"] == reasons
        assert not sheet.cell(row=2, column=len(names) - 2).protection.locked


def test_a_later_target_without_a_reason_is_refused_naming_the_row(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    html = preview(f"{target.pk},1,On track,2015-2016,Delayed,,,,\n")
    assert (
        "Row 2: Reason for the later target: Last year this was “On track for 2014/2015”: "
        "say why the target moved later." in html
    )
    assert "Why the target moved (English): Say in a sentence why the target moved, in each official language." in html
    assert "Confirm import" not in html and snapshot(target) == before


def test_a_later_target_without_a_reason_is_refused_in_french(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    html = preview(f"{target.pk},1,En bonne voie,2015-2016,,,,,\n", "fr")
    assert "Ligne 2" in html
    assert "Motif du report de l’échéance\u00a0: L’an dernier, l’état était « En bonne voie pour 2014/2015 »" in html
    assert "indiquez pourquoi l’échéance a été reportée" in html
    assert "Confirm import" not in html and snapshot(target) == before


def test_a_reason_without_both_sentences_is_not_enough(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    html = preview(f"{target.pk},1,On track,2015-2016,,,Funding,{WHY_EN},\n")
    assert "Row 2: Why the target moved (English): Say in a sentence why the target moved" in html
    assert snapshot(target) == before


def test_a_file_without_the_reason_columns_says_to_export_it_again(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    html = preview(f"{target.pk},1,On track,2015-2016,,\n", header="id,version,status,target_year,note_en,note_fr\n")
    assert "Row 2: This is later than last year's “On track for 2014/2015”, and the file has no column" in html
    assert snapshot(target) == before


def test_a_later_target_with_its_reason_is_imported_kept_in_the_history_and_on_the_dashboard(on_track_last_year):
    target = on_track_last_year
    row = f"{target.pk},1,En bonne voie,2015-2016,,,Dépendance envers un partenaire,{WHY_EN},{WHY_FR}\n"
    response, html = import_and_confirm(client_for("staff_a"), csv_file(HEADER + row), "0")
    assert "Partner dependency" in html  # the preview names the reason, not its code
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.target_year, target.slip_reason, target.slip_note_fr) == (2015, "partner_dependency", WHY_FR)
    recorded = target.history.first()
    assert (recorded.slip_reason, recorded.slip_note_en, recorded.history_user.username) == (
        "partner_dependency",
        WHY_EN,
        "rcmp",
    )
    dashboard = client_for("coordinator").get(reverse("admin:commitments_dashboard")).content.decode()
    assert "Target moved from 2014 to 2015 to 2015 to 2016: partner dependency." in dashboard and WHY_EN in dashboard


def test_a_reason_given_where_nothing_slipped_is_not_kept(on_track_last_year):
    target = on_track_last_year
    row = f"{target.pk},1,Complete,,Done,,Funding,{WHY_EN},{WHY_FR}\n"
    response, html = import_and_confirm(client_for("staff_a"), csv_file(HEADER + row), "0")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.slip_reason, target.slip_note_en, target.slip_note_fr) == ("complete", "", "", "")


def test_an_exported_slip_imports_back_unchanged(on_track_last_year):
    target = on_track_last_year
    StatusUpdate.objects.filter(pk=target.pk).update(
        target_year=2015, slip_reason="funding", slip_note_en=WHY_EN, slip_note_fr=WHY_FR
    )
    exported = client_for("staff_a").post(reverse("admin:commitments_statusupdate_export"), export_form("0"))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    names = machine_names(rows[0])
    (mine,) = [row for row in rows if row[0] == str(target.pk)]
    assert mine[names.index("slip_reason")] == "Funding"
    html = preview("", header=exported.content.decode("utf-8-sig"))
    assert "Confirm import" in html and not re.search(r'<tr class="update">', html)  # nothing changed
