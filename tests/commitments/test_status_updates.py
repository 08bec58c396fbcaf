"""The status updates admin (commitments.admin.status_updates): the change form and the quick-update list, no lost
updates, bad input, escaping, query counts, the French screens."""

import re

import pytest
from django.db.models import F
from django.urls import reverse

from commitments.models import Deliverable, ReportingPeriod, StatusUpdate
from tests.commitments.staff_requests import (
    change_data,
    client_for,
    grow_open_period,
    list_data,
)


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_shows_the_other_change(target):
    first, second = client_for("staff_a"), client_for("co_lead")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    read = change_data(target)  # both opened the form at this version
    assert first.post(url, {**read, "note_en": "RCMP's note"}).status_code == 302
    refused = second.post(url, {**read, "note_en": "CBSA's note"}, follow=True)
    target.refresh_from_db()
    assert target.note_en == "RCMP's note"
    page = refused.content.decode()
    assert "Not saved" in page and "rcmp" in page and "RCMP&#x27;s note" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": "bogus"}, "Select a valid choice"),
        ({"status": "on_track", "target_year": ""}, "Say which fiscal year"),
        ({"status": "complete", "target_year": "2015"}, "Only “On track” takes a target year"),
        ({"status": "on_track", "target_year": "2001"}, "cannot come before the start"),
        ({"note_en": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(target, changes, message):
    client = client_for("staff_a")
    before = (target.status, target.note_en, target.version)
    response = client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert (target.status, target.note_en, target.version) == before


@pytest.mark.django_db
def test_html_in_a_note_is_stored_as_text_and_shown_escaped(target):
    client = client_for("staff_a")
    client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, note_en="<script>alert(1)</script>"),
    )
    target.refresh_from_db()
    assert target.note_en == "<script>alert(1)</script>"
    listing = client.get(
        reverse("admin:commitments_statusupdate_changelist"), {"q": "Dedicated Integrated"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;" in listing


@pytest.mark.django_db
def test_staff_land_on_my_deliverables_and_the_coordinator_on_the_admin(target):
    staff = client_for("staff_a").get(reverse("admin:index"), follow=True)
    assert "My deliverables for 2014-2015" in staff.content.decode()
    assert client_for("coordinator").get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_list_offers_each_row_for_a_quick_update_with_its_version(target):
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist")).content.decode()
    assert page.count('name="form-0-status"') == 1 and 'name="form-0-note_en"' in page
    assert 'name="form-0-read_version"' in page and f'value="{target.version}"' in page


@pytest.mark.django_db
def test_a_quick_update_saves_status_and_note_as_the_users_update(rcmp_pair):
    target, other = rcmp_pair
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        list_data(rcmp_pair, {target.pk: {"status": "complete", "note_en": "Done in March."}}),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.note_en, target.version) == ("complete", "Done in March.", 2)
    assert target.updated_by.username == "rcmp" and target.history.first().history_user.username == "rcmp"
    other_before = other.version
    other.refresh_from_db()
    assert other.version == other_before and other.updated_at is None  # an untouched row is not saved


@pytest.mark.django_db
def test_a_quick_update_over_a_newer_change_is_refused_and_the_other_rows_are_saved(rcmp_pair):
    # Departments issue #14 changed this: the list used to save all rows or none (a refusal emptied the
    # other rows' edits); now the rows that did not conflict are saved and the conflicting one is shown.
    target, other = rcmp_pair
    first, second = client_for("staff_a"), client_for("coordinator")
    url = reverse("admin:commitments_statusupdate_changelist")
    stale_page = list_data(rcmp_pair)  # both read the list at these versions
    first.post(url, {**stale_page, "form-0-note_en": "RCMP's note"})
    refused = second.post(
        url,
        {**stale_page, "form-0-note_en": "Coordinator's note", "form-1-note_en": "Coordinator on the other row"},
        follow=True,
    )
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.note_en == "RCMP's note" and other.note_en == "Coordinator on the other row"
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Not saved" in page and "rcmp" in page and "RCMP&#x27;s note" in page
    assert "Coordinator&#x27;s note" in page  # what the coordinator typed, beside RCMP's


@pytest.mark.django_db
def test_someone_elses_save_of_another_row_does_not_block_mine(rcmp_pair):
    target, other = rcmp_pair
    url = reverse("admin:commitments_statusupdate_changelist")
    page_read_earlier = list_data(rcmp_pair)
    client_for("coordinator").post(url, {**page_read_earlier, "form-0-note_en": "The coordinator's note"})
    client_for("staff_a").post(url, {**page_read_earlier, "form-1-note_en": "RCMP on the other row"})
    target.refresh_from_db()
    other.refresh_from_db()
    assert (target.note_en, other.note_en) == ("The coordinator's note", "RCMP on the other row")


@pytest.mark.django_db
def test_a_crafted_quick_update_of_another_departments_row_changes_nothing(target):
    pptc = StatusUpdate.objects.get(period__start_year=2014, deliverable__text_en__startswith="Issue emergency travel")
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"), list_data([pptc], {pptc.pk: {"note_en": "Hijacked"}})
    )
    pptc.refresh_from_db()
    assert pptc.note_en != "Hijacked" and pptc.version == 1
    assert response.status_code == 400  # the row is not in this user's list: Django refuses the whole form


@pytest.mark.django_db
def test_a_quick_update_with_bad_input_says_so_next_to_the_row(rcmp_pair):
    target, _other = rcmp_pair
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        list_data(rcmp_pair, {target.pk: {"status": "on_track", "target_year": ""}}),
    )
    assert response.status_code == 200 and "Say which fiscal year" in response.content.decode()
    target.refresh_from_db()
    assert target.version == 1


@pytest.mark.django_db
def test_the_bulk_action_moves_an_on_track_row_off_its_target_year(target):
    target.status, target.target_year = "on_track", 2015
    target.save()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_complete", "_selected_action": [target.pk]},
    )
    target.refresh_from_db()
    assert (target.status, target.target_year) == ("complete", None)


def listed(page):
    """The number of rows the list says it holds, on all its pages."""
    return int(re.search(r"(\d+) status updates?\b", page)[1])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff_a", "coordinator"])
def test_the_status_list_runs_a_fixed_number_of_queries(role, target, django_assert_num_queries):
    client = client_for(role)
    url = reverse("admin:commitments_statusupdate_changelist")
    client.get(url)  # content types and the like are cached by the first request
    # session, user, coordinator?, [department staff: the open period, for the title, and the rows returned
    # to them, for the banner], the user's and groups' permissions, the period filter's choices, the count with
    # the page's keys (no second count of the whole list: nothing narrows it), the rows (with last year's status,
    # target and notes as subqueries), then saving the session (savepoint, update, release); [the coordinator: the
    # lead and pillar filters' choices and the rows' leads (the review queue, issue #13)]
    expected = {"staff_a": 13, "coordinator": 14}[role]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    grow_open_period(30)
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    # The 30 new rows are in the list that was counted (the coordinator's first page shows older ones).
    assert listed(page) == listed(response.content.decode()) + 30


@pytest.mark.django_db
def test_the_staff_screens_speak_french_to_a_french_browser(target):
    client = client_for("staff_a")
    page = client.get(reverse("admin:commitments_statusupdate_changelist"), HTTP_ACCEPT_LANGUAGE="fr-CA")
    html = page.content.decode()
    assert "Mes produits livrables pour 2014-2015" in html and "État de cette année" in html
    assert 'lang="fr"' in html


@pytest.mark.django_db
def test_the_coordinator_adds_a_missing_status_and_a_duplicate_is_refused_with_a_message(target):
    deliverable = Deliverable.objects.get(text_en__startswith="Create Advocacy tool kit")  # NEW, no status yet
    period = ReportingPeriod.objects.get(start_year=2014)
    url = reverse("admin:commitments_statusupdate_add")
    data = {"deliverable": deliverable.pk, "period": period.pk, "status": "in_progress", "review": "pending"}
    assert client_for("coordinator").post(url, data).status_code == 302
    assert StatusUpdate.objects.get(deliverable=deliverable, period=period).status == "in_progress"
    again = client_for("coordinator").post(url, data)
    assert again.status_code == 200 and "already has a status for this period" in again.content.decode()
    assert client_for("staff_a").post(url, data).status_code == 403


@pytest.mark.django_db
def test_a_bulk_action_racing_someone_elses_save_changes_no_row_and_says_so(rcmp_pair, monkeypatch):
    save = StatusUpdate.save_unless_stale
    raced = []

    def save_while_someone_saves_the_other_row(update, user, read_version, *reason):
        if not raced:  # as the first row is written, someone saves the second one
            (other,) = [row for row in rcmp_pair if row.pk != update.pk]
            StatusUpdate.objects.filter(pk=other.pk).update(version=F("version") + 1, note_en="Meanwhile")
            raced.append(other)
        return save(update, user, read_version, *reason)

    monkeypatch.setattr(StatusUpdate, "save_unless_stale", save_while_someone_saves_the_other_row)
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_in_progress", "_selected_action": [row.pk for row in rcmp_pair]},
        follow=True,
    )
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    for row in rcmp_pair:
        before = row.status
        row.refresh_from_db()
        assert row.status == before and row.updated_at is None  # the first row's save was rolled back too
