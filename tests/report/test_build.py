"""The report as data and as HTML (napreport.report.build): a fixed number of queries, the names as published."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import ActionPlan, Deliverable, ReportingPeriod, StatusUpdate
from napreport.report.build import render_html, report_data


def grow_chart(period, times):
    """Add (times - 1) copies of every top-level deliverable of task 1.11 with a status in `period`."""
    originals = list(Deliverable.objects.filter(task__code="1.11", parent=None))
    for copy in range(times - 1):
        for original in originals:
            clone = Deliverable.objects.create(
                task=original.task,
                position=1000 + copy * 100 + original.position,
                text_en=f"Copy {copy} {original.text_en}",
                text_fr=original.text_fr,
                start_year=2012,
            )
            clone.leads.set(original.leads.all())
            StatusUpdate.objects.create(deliverable=clone, period=period, status="ongoing")


@pytest.mark.django_db
def test_report_data_runs_the_same_queries_whatever_the_chart_size(demo):
    open_period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    with CaptureQueriesContext(connection) as once:
        rows_once = len(report_data(open_period)["rows"])
    grow_chart(open_period, 10)
    with CaptureQueriesContext(connection) as tenfold:
        rows_tenfold = len(report_data(open_period)["rows"])
    assert rows_tenfold > 2 * rows_once
    assert len(once) == len(tenfold) == 4


@pytest.mark.django_db
def test_report_data_of_a_published_period_runs_two_queries(published, django_assert_num_queries):
    with django_assert_num_queries(2):
        report_data(published)


@pytest.mark.django_db
def test_a_published_report_names_the_plan_as_it_was_published(demo):
    period = ReportingPeriod.objects.get(start_year=2013)
    published_title = period.plan.title_en
    ActionPlan.objects.filter(pk=period.plan_id).update(title_en="Renamed in a draft")
    html = render_html(ReportingPeriod.objects.get(pk=period.pk), "en")
    assert "Renamed in a draft" not in html
    assert published_title in html
