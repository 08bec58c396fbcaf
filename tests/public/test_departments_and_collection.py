"""The lead departments' page (counts by status, from aggregates) and the home page's completeness line of the year
being collected (counts only; cached with the time it was counted; the coordinator's switch)."""

import re
from collections import Counter
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.dashboard import department_progress, stored_or_counted
from commitments.models import PublishedDeliverable, ReportingPeriod, Status, StatusUpdate
from tests.public.caches import LOCMEM
from tests.public.conftest import MARKER, grow_published

pytestmark = pytest.mark.django_db

DEPARTMENTS = "/en/departments/"
# The last publication ("Date modified"), the plan, the published years, the year's departments, and their
# counts by status (one aggregate).
DEPARTMENTS_QUERIES = 5


def table_rows(html):
    body = re.search(r'<table class="departments-table">.*?<tbody>(.*?)</tbody>', html, re.S)[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        name = unescape(re.search(r"<th scope=\"row\"><a [^>]*>(.*?)</a>", row)[1])
        rows[name] = [int(cell) for cell in re.findall(r"<td>(\d+)</td>", row)]
    return rows


def test_the_departments_page_counts_each_departments_deliverables_by_status(client, published):
    rows = table_rows(client.get(DEPARTMENTS).content.decode())
    led = PublishedDeliverable.objects.filter(period=published, leads__slug="rcmp")
    counts = Counter(led.values_list("status", flat=True))
    expected = [counts[status] for status in Status.values]
    if any(PublishedDeliverable.objects.filter(period=published, status="")):
        expected.append(counts[""])
    assert rows["Royal Canadian Mounted Police (RCMP)"] == [*expected, led.count()]
    departments = published.published_departments.filter(department__published_rows__period=published).distinct()
    assert len(rows) == departments.count() > 10


def test_the_departments_page_links_each_department_and_is_linked_from_home(client, published):
    html = client.get(DEPARTMENTS).content.decode()
    assert 'href="/en/departments/rcmp/"' in html
    assert 'href="/en/departments/"' in client.get("/en/").content.decode()
    assert 'href="/fr/ministeres/"' in client.get("/fr/").content.decode()


def test_the_departments_page_in_french_sorts_by_the_french_short_name(client, published):
    html = client.get("/fr/ministeres/").content.decode()
    assert "<h1>Ministères responsables</h1>" in html
    names = list(table_rows(html))
    short = [re.search(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)$", name)[1] for name in names]
    assert "GRC" in short  # the RCMP under its French name
    assert short == sorted(short, key=lambda name: name.casefold())


@override_settings(CACHES=LOCMEM)
def test_the_departments_page_runs_the_same_queries_at_1x_and_10x(client, published):
    def queries():
        caches["public"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DEPARTMENTS).status_code == 200
        return len(captured)

    once = queries()
    grow_published(published, 10)
    assert once == queries() == DEPARTMENTS_QUERIES


def reported_by_hand(period):
    """The lead departments that have updated every deliverable they lead in `period`, counted in Python."""
    outstanding = Counter()
    departments = set()
    for update in StatusUpdate.objects.filter(period=period).prefetch_related("deliverable__leads"):
        for department in update.deliverable.leads.all():
            departments.add(department.pk)
            if update.updated_at is None:
                outstanding[department.pk] += 1
    return len(departments - set(outstanding)), len(departments)


@pytest.fixture
def collecting(demo, published):
    """The open year, with two departments that have updated everything they lead."""
    period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for department in department_progress(period, stored_or_counted(period))[:2]:
        StatusUpdate.objects.filter(period=period, deliverable__leads=department).update(
            updated_at=timezone.now(), note_en=MARKER
        )
    return period


def collection_line(html):
    match = re.search(r'<p class="notice collection-progress">(.*?)</p>', html, re.S)
    return unescape(match[1]) if match else None


def test_the_home_page_says_how_many_lead_departments_have_reported(client, collecting):
    reported, departments = reported_by_hand(collecting)
    assert reported >= 2
    html = client.get("/en/").content.decode()
    line = collection_line(html)
    assert line.startswith(
        f"Progress for 2014 to 2015 is being collected: {reported} of {departments} lead departments have "
        "reported so far (as of "
    )
    assert MARKER not in html  # counts only, never content
    french = collection_line(client.get("/fr/").content.decode())
    assert french.startswith(
        f"Les progrès de 2014-2015 sont en cours de collecte\u00a0: {reported} ministères responsables sur "
        f"{departments} ont fait rapport jusqu’à présent (au "
    )


@override_settings(CACHES=LOCMEM)
def test_a_cached_home_page_says_when_it_counted(client, collecting):
    first = collection_line(client.get("/en/").content.decode())
    StatusUpdate.objects.filter(period=collecting).update(updated_at=timezone.now())
    # Cached: the same count, with the time it was counted (at most PUBLIC_CACHE_SECONDS old).
    assert collection_line(client.get("/en/").content.decode()) == first
    caches["public"].clear()
    _reported, departments = reported_by_hand(collecting)
    later = collection_line(client.get("/en/").content.decode())
    assert f": {departments} of {departments} lead departments have reported so far (as of " in later


@override_settings(CACHES=LOCMEM)
def test_the_coordinator_turns_the_line_off(client, collecting):
    assert collection_line(client.get("/en/").content.decode())
    collecting.show_collection_progress = False
    collecting.save()
    caches["public"].clear()  # the cached page expires (PUBLIC_CACHE_SECONDS); only publishing empties the cache
    assert collection_line(client.get("/en/").content.decode()) is None


def test_no_line_once_the_year_is_in_review(client, collecting):
    collecting.start_review()
    assert collection_line(client.get("/en/").content.decode()) is None


def test_the_switch_is_on_the_periods_admin_form(client, collecting):
    coordinator = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("root")
    client.force_login(coordinator)
    html = client.get(f"/admin/commitments/reportingperiod/{collecting.pk}/change/").content.decode()
    assert (
        'name="show_collection_progress"' in html
        and "checked" in re.search(r'<input[^>]*name="show_collection_progress"[^>]*>', html)[0]
    )


@override_settings(CACHES=LOCMEM)
def test_the_coordinators_switch_on_the_period_page_reaches_a_cached_home_page_at_once(
    client, collecting, django_capture_on_commit_callbacks
):
    caches["public"].clear()  # what earlier tests cached in this process
    reader = Client()
    assert collection_line(reader.get("/en/").content.decode())  # now cached with the line
    client.force_login(User.objects.get(username="coordinator"))
    url = f"/admin/commitments/reportingperiod/{collecting.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data = {name: value for name, value in data.items() if value is not False and name != "show_collection_progress"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    collecting.refresh_from_db()
    assert collecting.show_collection_progress is False
    assert collection_line(reader.get("/en/").content.decode()) is None
    assert collection_line(reader.get("/fr/").content.decode()) is None


def test_the_home_pages_summary_counts_a_deliverable_that_starts_later_as_starting_then(client, published):
    """As the report does (napreport.report.summary): task 1.11's NEW advocacy tool kit starts in 2014-2015, so
    2013-2014 has no status for it, and the home page's summary says why rather than 'No status reported'."""
    english = unescape(client.get("/en/").content.decode())
    assert "Starts in 2014–2015" in english
    assert "No status reported" not in english
    french = unescape(client.get("/fr/").content.decode())
    assert "Débute en 2014-2015" in french


def test_the_home_pages_summary_counted_in_the_database_is_the_reports(published):
    """The home page counts its summary by aggregate (it reads no chart row); the numbers are the report's own,
    from every row through chart_blocks, pillar by pillar and column by column, in both languages."""
    from django.utils import translation

    from napreport.public.views import pillar_blocks
    from napreport.report.build import chart_blocks
    from napreport.report.typography import french_text

    for language in ("en", "fr"):
        with translation.override(language):
            rows = list(PublishedDeliverable.objects.filter(period=published).order_by("chart_order"))
            expected = chart_blocks(rows, published.start_year)
            counted = pillar_blocks(published)
            assert [(block.number, +block.counts) for block in counted] == [
                (block.number, +block.counts) for block in expected
            ]
            names = [block.name if language == "en" else french_text(block.name) for block in expected]
            assert [block.name for block in counted] == names
            assert any(key.startswith("starts-") for block in counted for key in block.counts)
