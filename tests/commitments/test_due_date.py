"""A period's due date for departments' updates (issue #13): the dashboard counts the days left and names the
departments that are late; reminders say when updates are due."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commitments.models import ReportingPeriod
from commitments.reminders import send_reminders
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db


def due_in(days):
    ReportingPeriod.objects.filter(start_year=2014).update(due_date=timezone.localdate() + datetime.timedelta(days))


def dashboard(language="en"):
    page = client_for("coordinator").get(reverse("admin:commitments_dashboard"), headers={"accept-language": language})
    return page.content.decode().split('id="dashboard-due">')[1].split("</p>")[0]


def test_the_dashboard_counts_the_days_left(target):
    due_in(5)
    assert "5 days left." in dashboard()
    assert "Late" not in dashboard()
    assert "il reste 5 jours." in dashboard("fr")


def test_the_dashboard_names_the_departments_late_once_the_due_date_has_passed(target):
    due_in(-1)
    text = dashboard()
    assert "1 day ago." in text
    late = text.split("Late: ")[1].split(".")[0].split(", ")
    assert "RCMP" in late and "CBSA" in late  # the target deliverable is not updated yet
    target.period.status_updates.update(updated_at=timezone.now())  # everyone updated everything
    assert "Late" not in dashboard()


def test_the_dashboard_says_when_no_due_date_is_set(target):
    assert "No due date is set" in dashboard()


def test_reminders_say_when_updates_are_due_in_both_languages(target):
    ReportingPeriod.objects.filter(start_year=2014).update(due_date=datetime.date(2015, 3, 1))
    target.deliverable.leads.first().members.update(email="lead@example.gc.ca")
    send_reminders(ReportingPeriod.objects.get(start_year=2014))
    assert mail.outbox
    body = mail.outbox[0].body
    assert "Updates are due on March 1, 2015." in body
    assert "attendues au plus tard le 1 mars 2015." in body


def test_departments_see_the_due_date_on_their_list(target):
    ReportingPeriod.objects.filter(start_year=2014).update(due_date=datetime.date(2015, 3, 1))
    page = client_for("staff_a").get(reverse("admin:commitments_statusupdate_changelist"))
    assert "Updates are due by March 1, 2015." in page.content.decode()
