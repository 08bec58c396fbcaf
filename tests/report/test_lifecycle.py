"""A period's lifecycle (issue #13): open → in review → published in that order only, each move written to the
period's history with who made it, and a due date for departments' updates."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report.models import NarrativeSection, Publication, PublishedReport
from napreport.report.publishing import PublishingError, publish_period
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:commitments_reportingperiod_changelist"


@pytest.fixture
def open_period(demo):
    return ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)


@pytest.fixture
def complete_open_period(open_period):
    """2014-2015 with the 2013-2014 narrative: everything publishing asks for, but still open."""
    for section in NarrativeSection.objects.filter(period__start_year=2013):
        section.pk, section.period = None, open_period
        section.save()
    return open_period


def snapshot(period):
    """What any lifecycle step could change: the period's row and history, and what publishing writes."""
    period = ReportingPeriod.objects.get(pk=period.pk)
    return (
        period.state,
        period.published_at,
        period.history.count(),
        PublishedDeliverable.objects.filter(period=period).count(),
        PublishedReport.objects.filter(period=period).count(),
        Publication.objects.filter(period=period).count(),
    )


def coordinator():
    return get_user_model().objects.get(username="coordinator")


def test_publishing_straight_from_open_is_refused_and_changes_nothing(complete_open_period):
    before = snapshot(complete_open_period)
    with pytest.raises(PublishingError) as refused:
        publish_period(complete_open_period)
    assert refused.value.missing == ["2014-2015 is still open for updates: close it for review before publishing."]
    assert snapshot(complete_open_period) == before


def test_the_publish_action_on_an_open_period_says_why_and_changes_nothing(complete_open_period):
    before = snapshot(complete_open_period)
    response = client_for("coordinator").post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [complete_open_period.pk]}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2014-2015 was not published" in page and "close it for review before publishing" in page
    assert snapshot(complete_open_period) == before


def test_moving_to_review_and_back_writes_history_with_who_moved_it(open_period):
    user = coordinator()
    open_period.start_review(user)
    open_period.refresh_from_db()
    assert open_period.state == ReportingPeriod.State.IN_REVIEW
    latest = open_period.history.latest()
    assert (latest.state, latest.history_user) == ("in_review", user)
    open_period.reopen(user)
    latest = open_period.history.latest()
    assert (latest.state, latest.history_user) == ("open", user)
    assert ReportingPeriod.objects.get(pk=open_period.pk).state == ReportingPeriod.State.OPEN


@pytest.mark.parametrize("step", ["reopen", "double review"])
def test_a_move_from_the_wrong_state_is_refused_and_changes_nothing(open_period, step):
    if step == "double review":
        open_period.start_review()
        move = open_period.start_review
    else:
        move = open_period.reopen
    before = snapshot(open_period)
    with pytest.raises(ValidationError):
        move(coordinator())
    assert snapshot(open_period) == before


def test_a_published_period_cannot_be_reopened(demo):
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    before = snapshot(published)
    with pytest.raises(ValidationError, match="Published"):
        published.reopen(coordinator())
    assert snapshot(published) == before


def test_the_review_action_says_how_many_moved_with_a_plural_in_english_and_french(open_period):
    client = client_for("coordinator")
    response = client.post(
        reverse(CHANGELIST), {"action": "start_review", "_selected_action": [open_period.pk]}, follow=True
    )
    assert "1 period moved to review." in response.content.decode()
    response = client.post(
        reverse(CHANGELIST),
        {"action": "reopen", "_selected_action": [open_period.pk]},
        follow=True,
        headers={"accept-language": "fr"},
    )
    assert "1 période rouverte aux mises à jour." in response.content.decode()
    assert ReportingPeriod.objects.get(pk=open_period.pk).state == ReportingPeriod.State.OPEN


def test_the_period_page_shows_who_moved_it_and_when(open_period):
    open_period.start_review(coordinator())
    page = (
        client_for("coordinator")
        .get(reverse("admin:commitments_reportingperiod_change", args=[open_period.pk]))
        .content.decode()
    )
    lifecycle = page.split('id="lifecycle"')[1].split("</section>")[0]
    assert "<td>In review</td><td>coordinator</td>" in lifecycle
    assert "<td>Open for updates</td>" in lifecycle  # the period as it was opened
    assert 'id="publish"' in lifecycle  # in review: the Publish button


def test_the_period_page_buttons_move_the_period(open_period):
    client = client_for("coordinator")
    url = reverse("admin:commitments_reportingperiod_lifecycle", args=[open_period.pk, "start_review"])
    response = client.post(url)
    assert response.status_code == 302
    assert ReportingPeriod.objects.get(pk=open_period.pk).state == ReportingPeriod.State.IN_REVIEW
    assert ReportingPeriod.objects.get(pk=open_period.pk).history.latest().history_user.username == "coordinator"


@pytest.mark.parametrize("role", ["anonymous", "staff_a", "co_lead"])
def test_only_the_coordinator_may_press_the_lifecycle_buttons(open_period, role):
    before = snapshot(open_period)
    url = reverse("admin:commitments_reportingperiod_lifecycle", args=[open_period.pk, "start_review"])
    response = client_for(role).post(url)
    if role == "anonymous":  # to the sign-in page
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert snapshot(open_period) == before


@pytest.mark.parametrize("method, step, status", [("get", "start_review", 405), ("post", "delete", 403)])
def test_a_lifecycle_button_refuses_a_get_and_an_unknown_step(open_period, method, step, status):
    before = snapshot(open_period)
    url = reverse("admin:commitments_reportingperiod_lifecycle", args=[open_period.pk, step])
    assert getattr(client_for("coordinator"), method)(url).status_code == status
    assert snapshot(open_period) == before


def test_an_unknown_period_is_a_404(open_period):
    url = reverse("admin:commitments_reportingperiod_lifecycle", args=[999999, "start_review"])
    assert client_for("coordinator").post(url).status_code == 404


def published_with_due_date(plan, due_date):
    return ReportingPeriod.objects.create(
        plan=plan, start_year=2013, state="published", published_at="2014-06-01T12:00Z", due_date=due_date
    )


@pytest.mark.parametrize(
    "due, following",
    [
        (datetime.date(2014, 2, 28), datetime.date(2015, 2, 28)),
        (datetime.date(2016, 2, 29), datetime.date(2017, 2, 28)),  # no February 29 next year
        (None, None),
    ],
)
def test_opening_the_next_period_carries_the_due_date_a_year_on(plan, due, following):
    assert published_with_due_date(plan, due).open_next().due_date == following
    assert ReportingPeriod.objects.get(plan=plan, start_year=2014).due_date == following


def test_a_due_date_given_when_opening_is_kept(plan):
    opened = published_with_due_date(plan, datetime.date(2014, 2, 28)).open_next(due_date=datetime.date(2015, 1, 15))
    assert ReportingPeriod.objects.get(pk=opened.pk).due_date == datetime.date(2015, 1, 15)


def test_the_coordinator_sets_the_due_date_on_the_period_page(open_period):
    page = client_for("coordinator").get(reverse("admin:commitments_reportingperiod_change", args=[open_period.pk]))
    assert 'name="due_date"' in page.content.decode()
