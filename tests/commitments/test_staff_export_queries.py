"""The staff spreadsheet export's queries (commitments.admin.spreadsheets): as many for ten times the chart as for
the chart, for the coordinator (every department's rows) and for a department."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from commitments.models import Deliverable, DeliverableLead, StatusUpdate
from commitments.roles import editable_updates
from commitments.spreadsheet_template import COLUMNS
from tests.commitments.staff_requests import ACCOUNTS, client_for, export_form

pytestmark = pytest.mark.django_db


def grow_chart(times):
    """Add (times - 1) copies of every deliverable, with its leads and its status in every period."""
    deliverables = list(Deliverable.objects.order_by("pk"))
    leads = list(DeliverableLead.objects.order_by("pk"))
    updates = list(StatusUpdate.objects.order_by("pk"))
    for copy in range(1, times):
        clones = Deliverable.objects.bulk_create(
            Deliverable(
                **{
                    field.attname: getattr(original, field.attname)
                    for field in Deliverable._meta.concrete_fields
                    if field.attname not in ("id", "parent_id", "position")
                },
                position=1000 + 200 * copy + original.position,
            )
            for original in deliverables
        )
        clone_of = {original.pk: clone.pk for original, clone in zip(deliverables, clones, strict=True)}
        DeliverableLead.objects.bulk_create(
            DeliverableLead(
                deliverable_id=clone_of[lead.deliverable_id], department_id=lead.department_id, position=lead.position
            )
            for lead in leads
        )
        StatusUpdate.objects.bulk_create(
            StatusUpdate(
                **{
                    field.attname: getattr(update, field.attname)
                    for field in StatusUpdate._meta.concrete_fields
                    if field.attname not in ("id", "deliverable_id")
                },
                deliverable_id=clone_of[update.deliverable_id],
            )
            for update in updates
        )


def exported_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


# Either export: the session, the user, the user's and their groups' permissions (has_export_permission), the
# coordinator check (is_coordinator), then every row with its deliverable, task and period joined and last year's
# values as subqueries (one query, read with an iterator), the years in the file (its title), and the session
# saved again (a savepoint, the update, its release). A department's export adds its departments (the title).
QUERIES = {"coordinator": 10, "staff_a": 11}


@pytest.mark.parametrize("role", QUERIES)
@pytest.mark.parametrize("times", [1, 10])
def test_the_csv_export_runs_the_same_queries_for_ten_times_the_chart(demo, role, times, django_assert_num_queries):
    grow_chart(times)
    client = client_for(role)
    with django_assert_num_queries(QUERIES[role]):
        response = client.post(reverse("admin:commitments_statusupdate_export"), export_form("0"))
    rows = exported_rows(response)
    user = get_user_model().objects.get(username=ACCOUNTS[role])
    expected = StatusUpdate.objects.all() if role == "coordinator" else editable_updates(user)
    assert len(rows) == expected.count()
    assert len(rows) > 30 * times  # the file did grow with the chart
    last_years_status = list(COLUMNS).index("previous_status")
    assert any(row[last_years_status] for row in rows)  # last year's values came along (with_previous)
