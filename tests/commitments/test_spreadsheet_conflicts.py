"""Nothing typed in a spreadsheet is lost (issue #14): a row someone else saved since the file was exported is
left out of the import and shown with the person's values beside the other person's (status, target, both
notes), in the preview and again after the confirmation, with one click to keep theirs; the file's other
rows import."""

import re

import pytest
from django.urls import reverse

from tests.commitments.staff_requests import change_data, client_for, csv_file, hidden_fields

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:commitments_statusupdate_import")
CONFIRM_URL = reverse("admin:commitments_statusupdate_process_import")
HEADER = "id,version,status,target_year,note_en,note_fr\n"


def snapshot(*updates):
    for update in updates:
        update.refresh_from_db()
    return [(u.status, u.target_year, u.note_en, u.note_fr, u.version, u.updated_by_id) for u in updates]


def saved_by_cbsa(update, **changes):
    response = client_for("co_lead").post(
        reverse("admin:commitments_statusupdate_change", args=[update.pk]), change_data(update, **changes)
    )
    assert response.status_code == 302


def file_of(target, other):
    """The file RCMP exported before CBSA's save (both rows at version 1), with a row of its own typed in each."""
    return (
        HEADER + f"{target.pk},1,In progress,,My offline note,Ma note hors ligne\n" + f"{other.pk},1,Complete,,Mine,\n"
    )


def preview(client, content, language="en"):
    response = client.post(
        IMPORT_URL, {"format": "0", "resource": "0", "import_file": csv_file(content)}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def stale_section(html):
    (section,) = re.findall(r'<section class="module" aria-labelledby="stale-rows-title">(.*?)</section>', html, re.S)
    return section


def test_the_preview_shows_a_row_saved_since_the_export_beside_theirs_and_offers_the_others(rcmp_pair):
    target, other = rcmp_pair
    saved_by_cbsa(target, status="ongoing", note_en="CBSA's note")
    before = snapshot(target, other)
    html = preview(client_for("staff_a"), file_of(target, other))
    section = stale_section(html)
    assert "Row 2:" in section and target.deliverable.task.code in section
    assert "Saved by cbsa, and your values" in section
    # Theirs beside mine: status (as labels), both notes.
    assert re.search(r"Status</th><td>Ongoing</td><td>In progress</td>", section, re.I)
    assert re.search(r"On track for</th><td>—</td><td>—</td>", section, re.I)  # the target, empty on both sides
    assert "CBSA&#x27;s note</td><td>My offline note" in section and "Ma note hors ligne" in section
    assert "Confirm import" in html  # the other row is still importable …
    assert html.count('<tr class="update">') == 1 and "Mine" in html  # … and it alone is in the preview
    assert snapshot(target, other) == before  # a preview writes nothing


def test_the_preview_of_a_row_saved_since_the_export_is_in_french(rcmp_pair):
    target, other = rcmp_pair
    saved_by_cbsa(target, status="ongoing", note_en="CBSA's note")
    section = stale_section(preview(client_for("staff_a"), file_of(target, other), "fr"))
    assert "Lignes enregistrées par une autre personne depuis l’exportation du fichier" in section
    assert "Ligne 2" in section and "Enregistrée par cbsa, et vos valeurs" in section
    assert re.search(r"État</th><td>En cours</td><td>En voie de réalisation</td>", section, re.I)


def test_confirming_imports_the_other_rows_and_keeps_mine_one_click_away(rcmp_pair):
    target, other = rcmp_pair
    saved_by_cbsa(target, status="ongoing", note_en="CBSA's note")
    theirs = snapshot(target)
    client = client_for("staff_a")
    html = preview(client, file_of(target, other))
    confirmed = client.post(CONFIRM_URL, hidden_fields(html))
    assert confirmed.status_code == 409
    assert snapshot(target) == theirs  # theirs stands …
    other.refresh_from_db()
    assert (other.status, other.note_en, other.version) == ("complete", "Mine", 2)  # … the other row is imported
    page = confirmed.content.decode()
    assert "The other rows of your file were imported." in page
    assert "CBSA&#x27;s note" in page and "My offline note" in page and "Ma note hors ligne" in page
    # Keep mine: the status's form at the version now current, with everything I typed in the file.
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    assert (fields["status"], fields["note_en"], fields["note_fr"]) == (
        "in_progress",
        "My offline note",
        "Ma note hors ligne",
    )
    assert fields["read_version"] == str(target.version) and fields["target_year"] == ""
    assert client.post(form[1], {**fields, "_save": "Save"}).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_en, target.note_fr, target.updated_by.username) == (
        "in_progress",
        "My offline note",
        "Ma note hors ligne",
        "rcmp",
    )


def test_a_row_saved_between_the_preview_and_the_confirmation_is_shown_and_the_others_import(rcmp_pair):
    target, other = rcmp_pair
    client = client_for("staff_a")
    html = preview(client, file_of(target, other))
    assert "stale-rows-title" not in html and html.count('<tr class="update">') == 2
    saved_by_cbsa(target, note_en="CBSA's note")
    theirs = snapshot(target)
    confirmed = client.post(CONFIRM_URL, hidden_fields(html))
    assert confirmed.status_code == 409
    assert snapshot(target) == theirs and snapshot(other)[0][2] == "Mine"
    page = confirmed.content.decode()
    assert "CBSA&#x27;s note" in page and "My offline note" in page and "Keep mine" in page


def test_a_row_unchanged_since_the_export_is_not_a_conflict(rcmp_pair):
    target, other = rcmp_pair
    saved_by_cbsa(target, note_en="CBSA's note")
    target.refresh_from_db()
    # The file holds exactly what CBSA saved (read at the old version): nothing to choose between.
    content = HEADER + f"{target.pk},1,{target.status},,CBSA's note,\n" + f"{other.pk},1,Complete,,Mine,\n"
    html = preview(client_for("staff_a"), content)
    assert "stale-rows-title" not in html and "Confirm import" in html
