"""The chart's admin (commitments.admin.chart): the coordinator adds to the chart, departments never do."""

import pytest
from django.urls import reverse

from commitments.models import Department, ReportingPeriod, Task
from tests.commitments.staff_requests import (
    client_for,
)


@pytest.mark.django_db
def test_the_coordinator_adds_a_new_deliverable_that_the_lead_department_then_updates(target):
    coordinator = client_for("coordinator")
    add_url = reverse("admin:commitments_deliverable_add")
    period = ReportingPeriod.objects.get(start_year=2014)
    assert f'<option value="{period.pk}" selected>' in coordinator.get(add_url).content.decode()  # NEW this year
    task = Task.objects.get(code="3.11")
    data = {
        "task": task.pk,
        "position": 40,
        "text_en": "Train border officers on new indicators.",
        "text_fr": "Former les agents frontaliers aux nouveaux indicateurs.",
        "start_year": 2014,
        "new_in": period.pk,
        "lead_links-TOTAL_FORMS": "1",
        "lead_links-INITIAL_FORMS": "0",
        "lead_links-0-department": Department.objects.get(slug="rcmp").pk,
        "lead_links-0-position": "1",
        "first_status": "in_progress",
    }
    response = coordinator.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = (
        client_for("staff_a")
        .get(reverse("admin:commitments_statusupdate_changelist"), {"q": "new indicators"})
        .content.decode()
    )
    assert "Train border officers on new indicators." in listing
    assert client_for("staff_a").post(add_url, data).status_code == 403  # staff never add to the chart
