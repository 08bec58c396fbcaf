"""The draft PDF of a large chart comes from a task (issue #13): the preview page reloads itself until the
worker has rendered it, then serves it; small charts are still rendered in the request."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from commitments.models import ReportingPeriod
from napreport.report import admin as report_admin
from napreport.report.tasks import render_preview
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings, demo, monkeypatch):
    """The database queue, as in production, and a chart counted as large."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(report_admin.narrative, "PREVIEW_IN_REQUEST_ROWS", 10)
    return ReportingPeriod.objects.get(plan=demo, start_year=2014)


def preview_url(period, language="en"):
    return reverse("admin:napreport_report_preview", args=[period.pk, language, "pdf"])


def run_queued_task():
    """What a worker does with the one queued task."""
    result = DBTaskResult.objects.get()
    result.set_successful(result.task.call(*result.task_result.args))


def test_a_large_drafts_pdf_is_rendered_by_a_task_and_then_served(queued):
    client = client_for("coordinator")
    response = client.get(preview_url(queued))
    assert response.status_code == 302 and "?task=" in response["Location"]
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()
    assert "being rendered in the background" in waiting.content.decode()
    run_queued_task()
    ready = client.get(response["Location"])
    assert ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("task", ["not-a-task", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_preview_task_is_a_404(queued, task):
    assert client_for("coordinator").get(preview_url(queued), {"task": task}).status_code == 404


def test_a_preview_task_of_another_language_is_a_404(queued):
    location = client_for("coordinator").get(preview_url(queued, "fr"))["Location"]
    task = location.split("?task=")[1]
    assert client_for("coordinator").get(preview_url(queued, "en"), {"task": task}).status_code == 404


def test_departments_cannot_queue_a_preview(queued):
    assert client_for("staff_a").get(preview_url(queued)).status_code == 403
    assert not DBTaskResult.objects.exists()


def test_a_small_drafts_pdf_is_still_rendered_in_the_request(settings, demo):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    response = client_for("coordinator").get(preview_url(period))
    assert response["Content-Type"] == "application/pdf"
    assert not DBTaskResult.objects.exists()
    assert render_preview.get_backend().supports_get_result
