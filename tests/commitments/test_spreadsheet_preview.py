"""The import's preview as a department reads it (issue #14): statuses and target years as labels in the
person's language, never the stored codes."""

import re

import pytest
from django.urls import reverse

from tests.commitments.staff_requests import client_for, csv_file

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
HEADER = "id,version,status,target_year,note_en,note_fr,slip_reason,slip_note_en,slip_note_fr\n"


def preview_cells(target, row, language):
    """The cells of the preview's changed row, as text (the diff's <del>/<ins> marks taken out)."""
    response = client_for("staff_a").post(
        IMPORT_URL,
        {"format": "0", "resource": "0", "import_file": csv_file(HEADER + row)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    html = response.content.decode()
    (changed,) = re.findall(r'<tr class="update">(.*?)</tr>', html, re.S)
    cells = re.findall(r"<td>(.*?)</td>", changed, re.S)
    return [re.sub(r"<[^>]+>", "|", cell).strip("|").replace("||", "|") for cell in cells]


@pytest.mark.parametrize(
    ("language", "status", "year"),
    [("en", "Complete|On track", "2015-2016"), ("fr", "Terminé|En bonne voie", "2015-2016")],
)
def test_the_preview_shows_statuses_and_target_years_as_labels_in_the_persons_language(target, language, status, year):
    assert target.status == "complete"
    # Complete last year: a later target is a slip, with its reason.
    cells = preview_cells(target, f"{target.pk},1,On track,2015-2016,Note,,Funding,Budget,Budget\n", language)
    assert status in cells and year in cells and {"en": "Funding", "fr": "Financement"}[language] in cells
    assert not {"complete", "on_track", "2015", "funding"} & {part for cell in cells for part in cell.split("|")}


def test_an_unchanged_label_reads_the_same_on_both_sides(target):
    cells = preview_cells(target, f"{target.pk},1,Terminé,,Une note,,,,\n", "fr")
    assert "Terminé" in cells  # the status did not change: one label, no diff marks
    assert "Une note" in cells
