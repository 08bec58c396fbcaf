"""A whole reporting season in headless Chromium (issue #13), the coordinator and a department each in their own
browser: the coordinator sets the due date and copies last year's narrative; RCMP updates a deliverable; the
coordinator returns it with a comment; RCMP sees the comment and answers; the coordinator accepts it, closes the
year for review and publishes it; the public site shows the year; the next period opens.

Tasks run as they are queued in tests (the immediate backend), so Publish finishes within the request a worker
would otherwise take it from; tests/browser/test_coordinator_publishes.py follows a publication under way.
"""

import datetime
import re

import pytest
from django.urls import reverse

from commitments.models import ReportingPeriod, StatusUpdate
from napreport.report.models import NarrativeSection

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "Dedicated Integrated Enforcement Team"  # led by RCMP, co-led by CBSA
STATUS_LIST = "/admin/commitments/statusupdate/"


@pytest.fixture
def sign_in(sign_in):
    """Each person at 1366×768, with a longer wait (a publication runs within the coordinator's request)."""
    return lambda username: sign_in(username, viewport={"width": 1366, "height": 768}, timeout=15_000)


def target():
    return StatusUpdate.objects.get(period__start_year=2014, deliverable__text_en__startswith=TARGET)


def decide(page, action, comment, review_filter):
    """In the coordinator's review queue, filtered to RCMP's rows in `review_filter`: select the target's row and
    run `action` with `comment`."""
    page.goto(f"{STATUS_LIST}?period__id__exact={target().period_id}&lead=rcmp&review={review_filter}")
    page.locator("#result_list tbody tr", has_text=TARGET).locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("input[name=comment]").fill(comment)
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    return page.locator(".messagelist").inner_text()


def test_a_whole_season_from_the_due_date_to_the_next_period(sign_in, demo):
    coordinator, rcmp = sign_in("coordinator"), sign_in("rcmp")
    year = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    due = datetime.date(2015, 4, 30)

    # The coordinator opens the season: a due date, and last year's narrative as the starting point.
    coordinator.goto(reverse("admin:commitments_reportingperiod_change", args=[year.pk]))
    coordinator.locator("#id_due_date").fill(due.isoformat())
    coordinator.locator("input[name=_continue]").click()
    coordinator.locator(".messagelist .success").wait_for()
    coordinator.locator("#copy-narrative").click()
    coordinator.locator(".messagelist .success").wait_for()
    assert ReportingPeriod.objects.get(pk=year.pk).due_date == due
    assert (
        NarrativeSection.objects.filter(period=year).count()
        == NarrativeSection.objects.filter(period__start_year=2013).count()
    )

    # RCMP updates its deliverable in its list, which shows the due date.
    rcmp.goto(STATUS_LIST)
    assert "April 30, 2015" in rcmp.locator("#content").inner_text()
    row = rcmp.locator("#result_list tbody tr", has_text=TARGET)
    row.get_by_label("Progress note (English)").fill("Team in place in Montreal.")
    row.get_by_label("Progress note (French)").fill("Équipe en place à Montréal.")
    rcmp.locator("input[name=_save]").click()
    rcmp.locator(".messagelist .success").wait_for()
    assert target().note_en == "Team in place in Montreal."

    # The coordinator returns it with a comment; RCMP sees the comment and answers.
    returning = "Return the selected updates to their department"
    told = decide(coordinator, returning, "Name the partner agencies.", "pending")
    assert "1 update returned to its department." in told
    assert target().review == StatusUpdate.Review.RETURNED
    rcmp.goto(STATUS_LIST)
    banner = rcmp.locator(".returned-banner")
    assert "1 item was returned to you" in banner.inner_text() and "Name the partner agencies." in banner.inner_text()
    row = rcmp.locator("#result_list tbody tr", has_text=TARGET)
    row.get_by_label("Progress note (English)").fill("Team in place in Montreal with the SQ and the SPVM.")
    row.get_by_label("Progress note (French)").fill("Équipe en place à Montréal avec la SQ et le SPVM.")
    rcmp.locator("input[name=_save]").click()
    rcmp.locator(".messagelist .success").wait_for()
    assert target().review == StatusUpdate.Review.PENDING  # back in the coordinator's queue

    # The coordinator finds it among the changed since the review, and accepts it.
    assert "1 update accepted." in decide(coordinator, "Accept the selected updates", "Thank you.", "changed")
    accepted = target()
    assert accepted.review == StatusUpdate.Review.ACCEPTED and accepted.updated_by.username == "rcmp"

    # Every decision is in the history, with its comment.
    coordinator.goto(reverse("admin:commitments_statusupdate_history", args=[accepted.pk]))
    history = coordinator.locator("#content").inner_text()
    assert "Name the partner agencies." in history and "Thank you." in history

    # Review, then publish: the period page follows the publication to its end.
    coordinator.goto(reverse("admin:commitments_reportingperiod_change", args=[year.pk]))
    coordinator.locator("#lifecycle").get_by_role("button", name="Close for review").click()
    coordinator.wait_for_load_state()
    coordinator.locator("#lifecycle").get_by_role("button", name="Publish").click()
    coordinator.wait_for_load_state()
    assert coordinator.locator(".publication-stage").inner_text() == "Published"
    assert ReportingPeriod.objects.get(pk=year.pk).is_published

    # The public sees the year, and on the deliverable's page RCMP's accepted note.
    coordinator.goto("/en/progress/2014-2015/?q=Dedicated+Integrated")
    coordinator.locator("main a", has_text=TARGET).first.click()
    coordinator.wait_for_load_state()
    assert "Team in place in Montreal with the SQ and the SPVM." in coordinator.locator("main").inner_text()

    # The next period opens, its due date a year on.
    coordinator.goto(reverse("admin:commitments_reportingperiod_changelist"))
    coordinator.locator(f"input[name=_selected_action][value='{year.pk}']").check()
    open_next = "Open the next period (carries every status forward)"
    coordinator.locator("select[name=action]").select_option(label=open_next)
    coordinator.locator("button[name=index]").click()
    coordinator.wait_for_load_state()
    assert "2015-2016 is open for updates." in coordinator.locator(".messagelist").inner_text()
    following = ReportingPeriod.objects.get(plan=demo, start_year=2015)
    assert following.state == ReportingPeriod.State.OPEN and following.due_date == datetime.date(2016, 4, 30)
    assert re.search(r"2015.2016", coordinator.locator("#result_list").inner_text())
