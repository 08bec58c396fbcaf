"""The coordinator's dashboard: progress per department, statuses per pillar, reminders (commitments.dashboard)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.commitments.staff_requests import (
    change_data,
    client_for,
    grow_open_period,
)


@pytest.mark.django_db
def test_the_coordinator_dashboard(target):
    page = client_for("coordinator").get(reverse("admin:commitments_dashboard"))
    html = page.content.decode()
    assert page.status_code == 200 and "<progress" in html and "RCMP" in html and "Statuses by pillar" in html
    assert client_for("staff_a").get(reverse("admin:commitments_dashboard")).status_code == 403


@pytest.mark.django_db
def test_the_dashboard_runs_a_fixed_number_of_queries(target, django_assert_num_queries):
    client = client_for("coordinator")
    url = reverse("admin:commitments_dashboard")
    client.get(url)
    # session, user, coordinator?, the period, the user's and groups' permissions (sidebar), outstanding
    # rows and their leads, progress per department, counts per pillar, the targets moved later (with last
    # year's status as subqueries), saving the session (3)
    expected = 14
    with django_assert_num_queries(expected):
        client.get(url)
    grow_open_period(30)
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    assert "X29" in page and "Extra 29" in page


@pytest.mark.django_db
def test_the_dashboard_follows_each_update(target):
    coordinator = client_for("coordinator")
    url = reverse("admin:commitments_dashboard")

    def rcmp_row():
        html = coordinator.get(url).content.decode()
        return re.search(r'<th scope="row">RCMP</th>\s*<td class="updated-count">(\d+) / (\d+)</td>', html).groups()

    done, total = rcmp_row()
    assert done == "0" and int(total) > 1
    client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_change", args=[target.pk]), change_data(target, note_en="Done.")
    )
    assert rcmp_row() == ("1", total)
    html = coordinator.get(url).content.decode()
    assert "Statuses by pillar" in html and "In progress" in html and "in_progress" not in html


@pytest.mark.django_db
def test_the_coordinator_sends_reminders_from_the_dashboard(target):
    get_user_model().objects.filter(username="rcmp").update(email="rcmp@example.gc.ca")
    url = reverse("admin:commitments_dashboard")
    assert client_for("staff_a").post(url).status_code == 403 and not mail.outbox
    response = client_for("coordinator").post(url, follow=True)
    assert "Reminders sent to" in response.content.decode() and "RCMP" in response.content.decode()
    (rcmp,) = [message for message in mail.outbox if "rcmp@example.gc.ca" in message.to]
    assert "Dedicated Integrated Enforcement Team" in rcmp.body and "2014-2015" in rcmp.subject
