"""The change history in the staff screens: who may look and who may revert, in words (commitments.history)."""

import re

import pytest
from django.urls import reverse

from commitments.models import StatusUpdate
from tests.commitments.staff_requests import (
    MAY_CHANGE,
    ROLES,
    change_data,
    client_for,
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_history_and_revert(role, target):
    coordinator = client_for("coordinator")
    coordinator.post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="First")
    )
    target.refresh_from_db()
    earliest = target.history.order_by("history_date").first()
    client = client_for(role)
    history = client.get(reverse("admin:commitments_statusupdate_history", args=[target.pk]))
    assert (history.status_code == 200) is MAY_CHANGE[role]
    revert_url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, earliest.history_id])
    client.post(revert_url, change_data(target, note_en=earliest.note_en))
    target.refresh_from_db()
    assert (target.note_en == earliest.note_en) is (role == "coordinator")


@pytest.mark.django_db
def test_the_history_says_what_changed_in_words(target):
    before = target.get_status_display()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(
            target,
            status="on_track",
            target_year="2015",
            note_en="Nearly there.",
            # a later target than last year's now asks why (departments issue #14)
            slip_reason="partner_dependency",
            slip_note_en="The province's part moved to 2015.",
            slip_note_fr="Le volet provincial a été reporté à 2015.",
        ),
    )
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_history", args=[target.pk]))
    html = page.content.decode()
    assert re.search(rf"{before}\s*&nbsp;&rarr;&nbsp;&nbsp;On track", html) and "2015/16" in html
    assert "Nearly there." in html
    assert "Version" not in html and "on_track" not in html
    assert "revert to a previous version" not in html  # department staff cannot revert
    change_page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_change", args=[target.pk]))
    assert f"Status: {before} → On track" in change_page.content.decode()


@pytest.mark.django_db
def test_the_coordinator_reverts_through_the_history_form(target):
    coordinator = client_for("coordinator")
    change_url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    coordinator.post(change_url, change_data(target, note_en="First"))
    target.refresh_from_db()
    coordinator.post(change_url, change_data(target, note_en="Second"))
    first = target.history.get(note_en="First")
    revert_url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, first.history_id])
    form = coordinator.get(revert_url).content.decode()
    read_version = re.search(r'name="read_version" value="(\d+)"', form)[1]
    target.refresh_from_db()
    assert int(read_version) == target.version  # checked against today's version, not the old copy's
    response = coordinator.post(revert_url, change_data(target, note_en="First", read_version=read_version))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.note_en == "First" and target.history.first().note_en == "First"


@pytest.mark.django_db
def test_a_published_status_is_not_offered_for_revert(target):
    published = StatusUpdate.objects.get(period__start_year=2013, deliverable=target.deliverable)
    record = published.history.first()
    url = reverse("admin:commitments_statusupdate_simple_history", args=[published.pk, record.history_id])
    page = client_for("coordinator").get(url).content.decode()
    assert 'value="Revert"' not in page
    open_record = target.history.first()
    url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, open_record.history_id])
    assert 'value="Revert"' in client_for("coordinator").get(url).content.decode()


def correct_as_coordinator(target, **changes):
    return client_for("coordinator").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, **changes)
    )


@pytest.mark.django_db
def test_correcting_a_departments_status_needs_a_reason_and_changes_nothing_without_one(target):
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, status="ongoing")
    )
    target.refresh_from_db()
    before = (target.status, target.version, target.history.count())
    refused = correct_as_coordinator(target, status="complete")
    assert refused.status_code == 200 and "The department reported “Ongoing”: say why" in refused.content.decode()
    target.refresh_from_db()
    assert (target.status, target.version, target.history.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, reported, corrected, accepted",
    [
        (
            "en",
            "Reported by the department: Ongoing",
            "Corrected by the taskforce: Complete (the department reported Ongoing)",
            "Accepted by the taskforce",
        ),
        (
            "fr",
            "Déclaré par le ministère : En cours",
            "Corrigé par le Groupe de travail : Terminé (le ministère avait déclaré En cours)",
            "Accepté par le Groupe de travail",
        ),
    ],
)
def test_the_history_shows_the_departments_status_the_correction_its_reason_and_the_decision(
    target, language, reported, corrected, accepted
):
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, status="ongoing")
    )
    target.refresh_from_db()
    reason = "The team's last arrests closed the file in February."
    assert correct_as_coordinator(target, status="complete", correction_reason=reason).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reported_status) == ("complete", "ongoing")
    assert correct_as_coordinator(target, review="accepted").status_code == 302
    page = client_for("coordinator").get(
        reverse("admin:commitments_statusupdate_history", args=[target.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    html = page.content.decode().replace("\xa0", " ")
    assert reported in html and corrected in html and accepted in html
    assert reason.replace("'", "&#x27;") in html
    assert html.index(accepted) < html.index(corrected) < html.index(reported)  # newest first


@pytest.mark.django_db
def test_the_coordinators_revert_of_a_reported_status_is_a_correction_that_keeps_the_report(target):
    carried = target.history.earliest("history_date")
    reported, label = ("ongoing", "Ongoing") if carried.status != "ongoing" else ("complete", "Complete")
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]),
        change_data(target, status=reported, target_year=""),
    )
    target.refresh_from_db()
    assert target.reported_status == reported
    revert_url = reverse("admin:commitments_statusupdate_simple_history", args=[target.pk, carried.history_id])
    back = change_data(target, status=carried.status, target_year=carried.target_year or "", note_en=carried.note_en)
    refused = client_for("coordinator").post(revert_url, back)
    assert refused.status_code == 200 and f"The department reported “{label}”: say why" in refused.content.decode()
    reason = "Complete only once the second phase ends."
    assert client_for("coordinator").post(revert_url, {**back, "correction_reason": reason}).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.reported_status) == (carried.status, reported)
    assert target.history.first().history_change_reason == reason


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en-CA", "fr-CA"])
@pytest.mark.parametrize("model", ["deliverable", "reportingperiod"])
def test_a_history_shows_no_reason_for_a_change_saved_without_one(target, model, language):
    """Every history list (commitments.history.GuardedHistoryAdmin): simple-history printed “None” there."""
    changed = target.deliverable if model == "deliverable" else target.period
    changed.save()  # as the change form saves it: no reason
    url = reverse(f"admin:commitments_{model}_history", args=[changed.pk])
    page = client_for("coordinator").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = page.split('<table id="change-history"', 1)[1]
    header = re.findall(r'<th scope="col">(.*?)</th>', table.split("</thead>", 1)[0])
    reason = header.index({"en-CA": "Change reason", "fr-CA": "Raison de la modification"}[language])
    rows = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")[:-1]
    newest = re.findall(r"<td>(.*?)</td>", rows[0], re.S)
    assert newest[reason].strip() == ""
