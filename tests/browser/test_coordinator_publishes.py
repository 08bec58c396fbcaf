"""The coordinator publishes a year in headless Chromium (issue #13): closes it for review on the period's page,
presses Publish, and watches the page follow the publication, which runs as a task, to the end.

Tasks run as they are queued in tests (the immediate backend); the page's own reloading is checked against a
publication under way that the test moves on, as a worker would.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commitments.models import ReportingPeriod
from napreport.report.models import NarrativeSection, Publication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(sign_in):
    """The coordinator's page, signed in through the form (a publication may take a while in the request)."""
    return sign_in("coordinator", timeout=15_000)


@pytest.fixture
def year(demo):
    period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period__start_year=2013):
        section.pk, section.period = None, period
        section.save()
    return period


def test_the_coordinator_closes_the_year_for_review_and_publishes_it(coordinator, year):
    coordinator.goto(reverse("admin:commitments_reportingperiod_change", args=[year.pk]))
    lifecycle = coordinator.locator("#lifecycle")
    assert "Open for updates" in lifecycle.inner_text()
    lifecycle.get_by_role("button", name="Close for review").click()
    coordinator.wait_for_load_state()
    assert "1 period moved to review." in coordinator.locator(".messagelist").inner_text()
    moves = coordinator.locator("#lifecycle table").inner_text()
    assert re.search(r"In review\s+coordinator", moves)

    coordinator.locator("#lifecycle").get_by_role("button", name="Publish").click()
    coordinator.wait_for_load_state()
    assert "is being published in the background" in coordinator.locator(".messagelist").inner_text()
    assert coordinator.locator(".publication-stage").inner_text() == "Published"
    assert ReportingPeriod.objects.get(pk=year.pk).is_published

    coordinator.goto("/en/downloads/")
    assert "2014-2015" in coordinator.content()


def test_the_period_page_follows_a_publication_under_way_without_being_reloaded_by_hand(coordinator, year):
    year.start_review()
    publication = Publication.objects.create(period=year, stage=Publication.Stage.RENDERING_EN_PDF)
    coordinator.goto(reverse("admin:commitments_reportingperiod_change", args=[year.pk]))
    assert coordinator.locator(".publication-stage").inner_text() == "Rendering the English PDF"
    Publication.objects.filter(pk=publication.pk).update(stage=Publication.Stage.RENDERING_FR_HTML)
    # The page reloads itself every few seconds while the publication runs.
    expect(coordinator.locator(".publication-stage")).to_have_text("Rendering the French HTML", timeout=10_000)
    Publication.objects.filter(pk=publication.pk).update(stage=Publication.Stage.FAILED)
    expect(coordinator.locator(".publication-stage")).to_have_text("Failed", timeout=10_000)
    assert coordinator.locator('meta[http-equiv="refresh"]').count() == 0  # finished: no more reloading
