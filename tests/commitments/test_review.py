"""The coordinator's review of the departments' updates (commitments.review)."""

import pytest
from django.urls import reverse

from commitments.models import ReportingPeriod, StatusUpdate
from tests.commitments.staff_requests import (
    change_data,
    client_for,
)


@pytest.mark.django_db
def test_returned_updates_come_first_and_an_answer_puts_them_back_in_review(rcmp_pair):
    target, other = rcmp_pair
    StatusUpdate.objects.filter(pk=other.pk).update(review="returned", review_comment="Say what was done.")
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist")).content.decode()
    assert page.index("Say what was done.") < page.index(target.deliverable.text_en[:40])
    assert f'name="form-0-id" value="{other.pk}"' in page
    other.refresh_from_db()
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[other.pk]),
        change_data(other, note_en="Here is what was done."),
    )
    other.refresh_from_db()
    assert other.review == "pending" and other.note_en == "Here is what was done."


@pytest.mark.django_db
def test_in_review_the_coordinator_corrects_and_departments_no_longer_update(target):
    ReportingPeriod.objects.filter(start_year=2014).update(state="in_review")
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    client_for("staff_a").post(url, change_data(target, note_en="Late department note"))
    target.refresh_from_db()
    assert target.note_en != "Late department note"
    assert (
        client_for("coordinator").post(url, change_data(target, note_en="Coordinator's correction")).status_code == 302
    )
    target.refresh_from_db()
    assert target.note_en == "Coordinator's correction"
