"""Who may do what in the status screens, role by role: department A (RCMP), department B (PS), a co-lead
(CBSA), the coordinator and an anonymous visitor (commitments.roles, enforced by the status admin)."""

import pytest
from django.urls import reverse

from commitments.models import StatusUpdate
from tests.commitments.staff_requests import (
    ACCOUNTS,
    MAY_CHANGE,
    ROLES,
    change_data,
    client_for,
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_list_and_view(role, target):
    client = client_for(role)
    listing = client.get(reverse("admin:commitments_statusupdate_changelist"), {"q": "Dedicated Integrated"})
    change_url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    if role == "anonymous":
        assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
        return
    assert listing.status_code == 200
    assert (change_url in listing.content.decode()) is MAY_CHANGE[role]
    page = client.get(change_url)
    assert (page.status_code == 200) is MAY_CHANGE[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_change_by_crafted_post(role, target):
    client = client_for(role)
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    client.post(url, change_data(target, status="complete", note_en=f"Changed by {role}"))
    target.refresh_from_db()
    assert (target.note_en == f"Changed by {role}") is MAY_CHANGE[role]
    if MAY_CHANGE[role]:
        assert target.updated_by.username == ACCOUNTS[role]
        assert target.history.first().note_en == f"Changed by {role}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_bulk_action(role, target):
    other = StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Issue emergency travel"
    )
    before = other.status
    client_for(role).post(
        reverse("admin:commitments_statusupdate_changelist"),
        {"action": "mark_in_progress", "_selected_action": [target.pk, other.pk]},
    )
    target.refresh_from_db()
    other.refresh_from_db()
    assert (target.status == "in_progress") is MAY_CHANGE[role]
    assert (other.status != before) is (role == "coordinator")  # PPTC leads it: only the coordinator
