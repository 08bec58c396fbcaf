"""The list a department lives in, and nothing typed is lost (departments issue #14): chart order, French
first, last year's note, the banner of returned items, and refused saves that keep the person's values."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from commitments.admin.status_forms import QuickUpdateForm
from commitments.admin.status_updates import StatusUpdateAdmin
from commitments.models import Deliverable, ReportingPeriod, StatusUpdate
from tests.commitments.staff_requests import change_data, client_for

LIST = "admin:commitments_statusupdate_changelist"


def snapshot(*updates):
    """What a refused request must leave as it was."""
    return [
        StatusUpdate.objects.filter(pk=update.pk)
        .values("status", "target_year", "note_en", "note_fr", "version", "updated_at", "slip_reason")
        .get()
        for update in updates
    ]


def quick_data(updates, changes_by_pk=None):
    """The quick-update list as a browser posts it: every editable field of each row, and what it showed."""
    data = {
        "form-TOTAL_FORMS": str(len(updates)),
        "form-INITIAL_FORMS": str(len(updates)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, update in enumerate(updates):
        shown = {
            "status": update.status,
            "target_year": update.target_year or "",
            "note_en": update.note_en,
            "note_fr": update.note_fr,
        }
        row = {"id": update.pk, **shown, "read_version": update.version, **(changes_by_pk or {}).get(update.pk, {})}
        data.update({f"form-{index}-{name}": value for name, value in row.items()})
        data.update({f"initial-form-{index}-{name}": value for name, value in shown.items()})
    return data


def task_codes(html):
    return re.findall(r'<td class="field-task_code">([^<]+)</td>', html)


@pytest.mark.django_db
def test_the_list_and_the_export_come_in_chart_order(target):
    html = client_for("staff_a").get(reverse(LIST)).content.decode()
    codes = task_codes(html)
    assert len(codes) > 5
    # Pillar, objective, task: 1.1x before 2.1x before 3.1x (chart_position alone gave 3.15, 3.13, 2.11, 1.13 …)
    assert codes == sorted(codes, key=lambda code: [int(part) for part in code.split(".")])
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="rcmp")
    model_admin = StatusUpdateAdmin(StatusUpdate, admin_site=None)
    exported = [update.deliverable.task.code for update in model_admin.get_export_queryset(request)]
    assert exported == sorted(exported, key=lambda code: [int(part) for part in code.split(".")])
    assert len(exported) == len(codes)


@pytest.mark.django_db
def test_a_long_deliverable_text_is_cut_at_a_word_with_an_ellipsis(target):
    long_text = "Word " * 100 + "last"
    Deliverable.objects.filter(pk=target.deliverable_id).update(text_en=long_text)
    html = client_for("staff_a").get(reverse(LIST)).content.decode()
    shown = re.search(r'<th class="field-deliverable_text"><a [^>]*>(Word [^<]*)</a>', html.replace("\n", " "))
    assert shown and shown[1].endswith("…") and len(shown[1]) > 120 and "last" not in shown[1]


@pytest.mark.django_db
def test_a_french_user_reads_french_texts_and_edits_the_french_note_in_the_list(target):
    Deliverable.objects.filter(pk=target.deliverable_id).update(text_fr="Équipe intégrée d'application de la loi")
    client = client_for("staff_a")
    page = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "Équipe intégrée d&#x27;application de la loi" in page
    assert "Dedicated Integrated Enforcement Team" not in page  # the English text is not shown beside it
    assert 'name="form-0-note_fr"' in page
    assert "Par période" in page and "Par period" not in page  # the filters are named in French too
    english = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="en-CA").content.decode()
    assert "Dedicated Integrated Enforcement Team" in english
    response = client.post(
        reverse(LIST), quick_data([target], {target.pk: {"note_fr": "Terminé en mars."}}), HTTP_ACCEPT_LANGUAGE="fr-CA"
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.note_fr == "Terminé en mars." and target.version == 2


@pytest.mark.django_db
def test_last_years_status_and_note_are_beside_this_years(target):
    last = StatusUpdate.objects.get(deliverable_id=target.deliverable_id, period__start_year=2013)
    StatusUpdate.objects.filter(pk=last.pk).update(note_en="Last year's words", note_fr="Les mots de l'an dernier")
    client = client_for("staff_a")
    assert "Last year&#x27;s words" in client.get(reverse(LIST)).content.decode()
    french = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "Les mots de l&#x27;an dernier" in french and "Last year&#x27;s words" not in french
    form = client.get(reverse("admin:commitments_statusupdate_change", args=[target.pk])).content.decode()
    assert "Last year&#x27;s words" in form


@pytest.mark.django_db
def test_the_items_returned_to_a_department_are_in_a_banner_with_the_comments(target):
    StatusUpdate.objects.filter(pk=target.pk).update(review="returned", review_comment="Add the 2014 figures.")
    html = client_for("staff_a").get(reverse(LIST)).content.decode()
    assert "1 item was returned to you" in html and "Add the 2014 figures." in html
    french = client_for("staff_a").get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "1 élément vous a été renvoyé" in french
    StatusUpdate.objects.filter(pk=target.pk).update(review="pending")
    assert "returned to you" not in client_for("staff_a").get(reverse(LIST)).content.decode()


@pytest.mark.django_db
def test_the_period_and_the_person_are_plain_text_on_a_departments_form(target):
    client = client_for("staff_a")
    client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Mine")
    )
    form = client.get(reverse("admin:commitments_statusupdate_change", args=[target.pk])).content.decode()
    assert "2014-2015" in form and "rcmp" in form
    assert "/admin/commitments/reportingperiod/" not in form and "/admin/auth/user/" not in form


# ---- nothing typed is lost


@pytest.mark.django_db
def test_a_refused_form_keeps_my_values_beside_theirs_and_keeping_mine_saves_over_theirs(target):
    mine, theirs = client_for("staff_a"), client_for("co_lead")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    read = change_data(target)
    assert theirs.post(url, {**read, "note_en": "CBSA's note"}).status_code == 302
    before = snapshot(target)
    refused = mine.post(url, {**read, "note_en": "RCMP's careful paragraph", "note_fr": "Mon paragraphe"})
    assert refused.status_code == 200
    assert snapshot(target) == before  # nothing saved
    page = refused.content.decode()
    assert "Not saved" in page and "CBSA&#x27;s note" in page  # theirs, beside …
    assert "RCMP&#x27;s careful paragraph</textarea>" in page and "Mon paragraphe</textarea>" in page  # … mine
    assert "Keep mine" in page and "Take theirs" in page
    target.refresh_from_db()
    assert f'name="read_version" value="{target.version}"' in page  # now read at their version
    # One click keeps mine: the page's own fields, posted again.
    kept = mine.post(url, {**read, "note_en": "RCMP's careful paragraph", "read_version": target.version})
    assert kept.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "RCMP's careful paragraph" and target.updated_by.username == "rcmp"


@pytest.mark.django_db
def test_the_list_saves_the_rows_that_did_not_conflict_and_shows_the_other_beside_theirs(rcmp_pair):
    target, other = rcmp_pair
    page_read = quick_data(rcmp_pair)
    client_for("co_lead").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="CBSA first")
    )
    before = snapshot(target)
    response = client_for("staff_a").post(
        reverse(LIST),
        {**page_read, "form-0-note_en": "RCMP on the first row", "form-1-note_en": "RCMP on the second row"},
    )
    assert response.status_code == 409
    assert snapshot(target) == before  # the conflicting row is not saved …
    other.refresh_from_db()
    assert other.note_en == "RCMP on the second row"  # … the other is
    html = response.content.decode()
    assert "CBSA first" in html and "RCMP on the first row" in html
    # Keep mine: the row's form, at the current version, with what I typed.
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    assert fields["note_en"] == "RCMP on the first row"
    kept = client_for("staff_a").post(form[1], {**fields, "_save": "Save"})
    assert kept.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "RCMP on the first row" and target.updated_by.username == "rcmp"


@pytest.mark.django_db
def test_a_period_moved_to_review_while_the_form_was_open_is_said_plainly(target):
    client = client_for("staff_a")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    ReportingPeriod.objects.filter(pk=target.period_id).update(state="in_review")
    before = snapshot(target)
    response = client.post(url, change_data(target, note_en="Typed before the deadline"), follow=True)
    assert snapshot(target) == before
    html = response.content.decode()
    assert "doesn" not in html and "Perhaps it was deleted" not in html
    assert "2014-2015 period is now “In review”" in html and "Typed before the deadline" in html
    french = client.post(url, change_data(target, note_en="Tapé"), follow=True, HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert "Tapé" in french.content.decode() and "« En examen »" in french.content.decode()
    assert snapshot(target) == before


@pytest.mark.django_db
def test_a_departments_history_has_no_empty_reason_column_and_no_links_it_cannot_follow(target):
    client = client_for("staff_a")
    client.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Mine")
    )
    url = reverse("admin:commitments_statusupdate_history", args=[target.pk])
    html = client.get(url).content.decode()
    assert "Mine" in html and "rcmp" in html
    assert "Change reason" not in html and ">None<" not in html
    assert "/admin/auth/user/" not in html
    assert f"/history/{target.history.first().history_id}/" not in html  # the old copy's form has no save button
    coordinator = client_for("coordinator").get(url).content.decode()
    assert f"/history/{target.history.first().history_id}/" in coordinator  # the coordinator reverts from there
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "Modifié par" in french and "Modifications de cet état" in french


@pytest.mark.django_db
def test_a_list_saved_after_the_period_moved_to_review_is_said_plainly_and_keeps_what_was_typed(rcmp_pair):
    target, other = rcmp_pair
    page_read = quick_data(rcmp_pair)
    ReportingPeriod.objects.filter(pk=target.period_id).update(state="in_review")
    before = snapshot(target, other)
    response = client_for("staff_a").post(
        reverse(LIST), {**page_read, "form-1-note_en": "Typed in the list"}, follow=True
    )
    assert snapshot(target, other) == before
    html = response.content.decode()
    assert response.status_code == 200  # not a 400 “list_editable does not allow adding”
    assert "2014-2015 period is now “In review”" in html and "Typed in the list" in html


@pytest.mark.django_db
def test_a_row_saved_by_someone_else_between_the_lists_check_and_its_save_is_the_only_one_refused(
    rcmp_pair, monkeypatch
):
    target, other = rcmp_pair
    page_read = quick_data(rcmp_pair)
    cbsa = get_user_model().objects.get(username="cbsa")
    checked = QuickUpdateForm.clean
    raced = []

    def checked_then_saved_by_cbsa(form):
        # The row passes its version check; CBSA's save lands before the list writes it (the narrow window).
        cleaned = checked(form)
        if form.instance.pk == target.pk and not raced:
            raced.append(True)
            theirs = StatusUpdate.objects.get(pk=target.pk)
            theirs.note_en = "CBSA in the window"
            theirs.save_unless_stale(cbsa, theirs.version)
        return cleaned

    monkeypatch.setattr(QuickUpdateForm, "clean", checked_then_saved_by_cbsa)
    response = client_for("staff_a").post(
        reverse(LIST),
        {**page_read, "form-0-note_en": "RCMP on the first row", "form-1-note_en": "RCMP on the second row"},
    )
    assert raced
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.note_en == "CBSA in the window" and target.updated_by == cbsa  # theirs stands …
    assert other.note_en == "RCMP on the second row" and other.version == 2  # … the other row is saved …
    assert response.status_code == 409  # … and the stale one is shown beside theirs, with what I typed
    html = response.content.decode()
    assert "CBSA in the window" in html and "RCMP on the first row" in html and "Keep mine" in html
