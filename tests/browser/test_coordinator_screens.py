"""The coordinator's screens in headless Chromium, in English and French (issue #13): the new period's narrative
starts from last year's at the press of a button on the period's page, and axe-core finds nothing on the status
list and form, the narrative list, forms and history, the period list and pages, and the published reports."""

import pytest
from django.urls import reverse

from commitments.models import ReportingPeriod, StatusUpdate
from napreport.report.models import NarrativeSection
from tests.browser.axe import violations

pytestmark = pytest.mark.django_db(transaction=True)

COPIED = {
    "en-CA": "10 sections of the 2013-2014 narrative were copied into 2014-2015: update them for this year.",
    "fr-CA": "10 sections du texte du rapport 2013-2014 ont été copiées dans 2014-2015\u00a0: mettez-les à jour "
    "pour cette année.",
}
COPY_BUTTON = {
    "en-CA": "Copy last year’s narrative (2013-2014) as a starting point",
    "fr-CA": "Copier le texte du rapport de l’an dernier (2013-2014) comme point de départ",
}


@pytest.fixture
def coordinator(sign_in):
    """The coordinator, signed in through the form, in a browser context of the given locale."""
    return lambda locale: sign_in("coordinator", locale)


@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])
def test_the_coordinator_starts_the_narrative_from_last_years_and_axe_finds_nothing(coordinator, demo, locale):
    page = coordinator(locale)
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    problems = {}

    def check(name):
        assert page.locator("html").get_attribute("lang") == locale[:2]
        if found := violations(page):
            problems[name] = found

    page.goto(reverse("admin:commitments_reportingperiod_change", args=[open_period.pk]))
    check("period page, no narrative yet")
    page.get_by_role("button", name=COPY_BUTTON[locale]).click()
    page.locator(".messagelist .success").wait_for()
    assert page.locator(".messagelist").inner_text().strip() == COPIED[locale]
    assert NarrativeSection.objects.filter(period=open_period).count() == 10
    assert page.get_by_role("button", name=COPY_BUTTON[locale]).count() == 0  # once only
    check("period page, narrative copied")

    copied = NarrativeSection.objects.get(period=open_period, key="foreword")
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    update = StatusUpdate.objects.filter(period=open_period).order_by("pk").first()
    for name, url in [
        ("status list", reverse("admin:commitments_statusupdate_changelist")),
        ("status form", reverse("admin:commitments_statusupdate_change", args=[update.pk])),
        ("narrative list", reverse("admin:napreport_narrativesection_changelist")),
        ("new section", reverse("admin:napreport_narrativesection_add")),
        ("copied section", reverse("admin:napreport_narrativesection_change", args=[copied.pk])),
        ("copied section's history", reverse("admin:napreport_narrativesection_history", args=[copied.pk])),
        ("period list", reverse("admin:commitments_reportingperiod_changelist")),
        ("published period page", reverse("admin:commitments_reportingperiod_change", args=[published.pk])),
        ("published reports", reverse("admin:napreport_publishedreport_changelist")),
    ]:
        page.goto(url)
        check(name)
    assert problems == {}
