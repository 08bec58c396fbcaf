"""The staff spreadsheet export's queries (commitments.admin.spreadsheets): as many for ten times the chart as for
the chart, for the coordinator (every department's rows) and for a department."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from commitments.models import StatusUpdate
from commitments.roles import editable_updates
from commitments.spreadsheet_template import COLUMNS
from tests.charts import grow_chart
from tests.commitments.staff_requests import ACCOUNTS, client_for, export_form

pytestmark = pytest.mark.django_db


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
