"""The report as data and as HTML (napreport.report.build): a fixed number of queries, the names as published."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import ActionPlan, ReportingPeriod
from napreport.report.build import render_html, report_data
from tests.charts import grow_chart


@pytest.mark.django_db
def test_report_data_runs_the_same_queries_whatever_the_chart_size(demo):
    open_period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    with CaptureQueriesContext(connection) as once:
        rows_once = len(report_data(open_period)["rows"])
    grow_chart(10, open_period, task_code="1.11")
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
