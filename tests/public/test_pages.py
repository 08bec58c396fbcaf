"""Public pages: content, languages, errors, open data, caching, query counts, and no draft data."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import translate_url

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report.models import NarrativeSection
from napreport.report.publishing import publish_period
from tests.charts import own_changes_counted
from tests.public.caches import LOCMEM
from tests.public.conftest import MARKER, grow_published
from tests.public.open_data_files import csv_records


def page_urls(published):
    deliverable = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    return {
        "home": "/en/",
        "progress": "/en/progress/2013-2014/?department=rcmp&status=ongoing",
        "deliverable": f"/en/deliverables/{deliverable}/",
        "department": "/en/departments/rcmp/",
        "changes": "/en/changes/",
        "downloads": "/en/downloads/",
    }


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.alternates, self.toggle = [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if "lang-toggle" in (attrs.get("class") or ""):
                self.toggle = attrs["href"]
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates[attrs["hreflang"]] = attrs["href"]


def parse(response):
    links = Links()
    links.feed(response.content.decode())
    return links


@pytest.mark.django_db
def test_every_page_type_in_both_languages(client, published):
    for name, url in page_urls(published).items():
        english = client.get(url)
        french = client.get(translate_url(url, "fr"))
        assert english.status_code == french.status_code == 200, name
        assert '<html lang="en">' in english.content.decode() and '<html lang="fr">' in french.content.decode()
        title = lambda response: re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]  # noqa: E731
        assert title(english) != title(french), name
        assert f">{published.published_at.astimezone().date():%Y-%m-%d}</time></dd>" in english.content.decode()
        assert "Date de modification" in french.content.decode()


@pytest.mark.django_db
def test_the_language_toggle_leads_to_the_same_page_and_back(client, published):
    for name, url in page_urls(published).items():
        toggle = parse(client.get(url)).toggle
        assert toggle == translate_url(url, "fr"), name  # the French address: /fr/progres/…
        back = parse(client.get(toggle)).toggle
        assert back == url, name
        alternates = parse(client.get(url)).alternates
        assert alternates == {"en-CA": f"{settings.SITE_URL}{url}", "fr-CA": f"{settings.SITE_URL}{toggle}"}


@pytest.mark.django_db
def test_home_shows_the_plan_and_the_latest_year(client, published):
    html = client.get("/en/").content.decode()
    assert "June 6, 2012" in html
    assert "Protection and Assistance for Victims" in html
    assert "Progress in 2013 to 2014" in html
    assert "summary-table" in html and "<svg" in html
    assert "(PDF," in html
    french = client.get("/fr/").content.decode()
    assert "Progrès en 2013-2014" in french and "6 juin 2012" in french


@pytest.mark.django_db
def test_the_progress_table_filters_sorts_and_paginates(client, published):
    everything = client.get("/en/progress/2013-2014/").content.decode()
    assert everything.count('href="/en/deliverables/') == 25
    assert "page=2" in everything
    filtered = client.get("/en/progress/2013-2014/?department=rcmp&status=complete").content.decode()
    expected = PublishedDeliverable.objects.filter(period=published, leads__slug="rcmp", status="complete").count()
    assert filtered.count('href="/en/deliverables/') == expected > 0
    sorted_page = client.get("/en/progress/2013-2014/?sort=-status&department=rcmp").content.decode()
    assert 'aria-sort="descending"' in sorted_page
    assert "department=rcmp" in re.search(r'href="(\?[^"]*sort=[^"]*)"', sorted_page)[1]
    search = client.get("/en/progress/2013-2014/?q=pact").content.decode()
    # The search finds the whole word in any case ("PACT-Ottawa"), never inside another word ("impact").
    fields = ("text_en", "text_fr", "task_title_en", "task_title_fr", "note_en", "note_fr")
    rows = PublishedDeliverable.objects.filter(period=published)
    matching = sum(1 for row in rows if any(re.search(r"\bPACT\b", getattr(row, field)) for field in fields))
    assert any("impact" in row.text_en for row in rows)
    assert search.count('href="/en/deliverables/') == matching > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/progress/2014-2015/",
        "/en/progress/abc/",
        "/en/progress/2099-2100/",
        "/en/departments/nope/",
        "/en/deliverables/999999/",
        "/en/downloads/2013-2014/action-items.xml",
        "/en/downloads/2014-2015/action-items.csv",
        "/fr/telechargements/2013-2014/rapport-annuel-de.pdf",
        "/en/progress/2013-2014/?download=xml",
    ],
)
def test_unknown_records_are_404_never_500(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    says = "Nous n’avons pas trouvé cette page" if url.startswith("/fr/") else "We couldn't find that page"
    assert says in response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["status=bogus", "department=nope", "task=9.99", "pillar=7"])
def test_bad_filter_values_give_a_message_not_an_error(client, published, query):
    response = client.get(f"/en/progress/2013-2014/?{query}")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_sort_shows_the_table_in_chart_order_without_a_message(client, published):
    response = client.get("/en/progress/2013-2014/?sort=nonsense")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters are not valid" not in page
    links = re.findall(r'href="/en/deliverables/\d+/"', page)
    assert links == re.findall(r'href="/en/deliverables/\d+/"', client.get("/en/progress/2013-2014/").content.decode())


@pytest.mark.django_db
def test_a_page_beyond_the_last_is_a_404(client, published):
    assert client.get("/en/progress/2013-2014/?page=999").status_code == 404


@pytest.mark.django_db
def test_the_filtered_view_downloads_as_csv_and_json(client, published):
    response = client.get("/fr/progres/2013-2014/?department=rcmp&download=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    records = csv_records(response.content)
    assert records and all("GRC" in record["leads"] for record in records)
    data = json.loads(client.get("/en/downloads/2013-2014/action-items.json").getvalue())
    assert len(data) == PublishedDeliverable.objects.filter(period=published).count()


@pytest.mark.django_db
def test_downloads_are_labelled_with_type_and_size(client, published):
    html = client.get("/en/downloads/").content.decode()
    assert re.search(r"\(PDF, \d+(\.\d)? kB\)", html)
    assert re.search(r"\(CSV, \d+(\.\d)? kB\)", html) and re.search(r"\(JSON, \d+(\.\d)? kB\)", html)
    french = client.get("/fr/telechargements/").content.decode()
    assert re.search(r"\(PDF, \d+(,\d)? ko\)", french)
    report = client.get("/en/downloads/2013-2014/annual-report-fr.pdf")
    assert report["Content-Type"] == "application/pdf" and b"".join(report.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_deliverable_page_shows_its_status_in_every_published_year(client, published, demo):
    row = PublishedDeliverable.objects.get(period=published, text_en__startswith="Promote online training tool")
    html = client.get(f"/en/deliverables/{row.deliverable_id}/").content.decode()
    assert "Task 1.11" in html and "Objective 1.1" in html and "Prevention" in html
    assert "Ongoing in 2013 to 2014." in html
    assert "/en/departments/ps/" in html and "/en/departments/jus/" in html


@pytest.mark.django_db
def test_what_changed_says_so_with_one_year_and_lists_changes_with_two(
    client, published, demo, django_capture_on_commit_callbacks
):
    assert "Only 1 year has been published" in client.get("/en/changes/").content.decode()
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, open_period
        section.save()
    changed = open_period.status_updates.filter(deliverable__task__code="2.11", status="in_progress")
    assert changed.update(status="complete") == 1
    open_period.start_review()  # publishing needs the review step
    with django_capture_on_commit_callbacks(execute=True):
        publish_period(open_period)
    html = client.get("/en/changes/").content.decode()
    assert "between 2013 to 2014 and 2014 to 2015" in html
    assert html.count('href="/en/deliverables/') == 1
    assert client.get("/en/changes/?from=2014-2015&to=2013-2014").status_code == 404


# Published rows may name 2014-2015 as a target ("On track for 2014 to 2015") or a start (the Timeline column,
# "Start: 2014 to 2015"): those are the published year's data; the open year itself must appear nowhere else.
# The home page's completeness line names the year being collected (counts only: napreport.public.collection),
# and a row with no status may be one that starts then.
PUBLISHED_MENTIONS_OF_2014 = re.compile(
    "(On track for |En bonne voie pour |Start: |Début\u00a0: |Progress for |Les progrès de |[Ss]tarts? in |Débute en "
    "|<span class=.cell.>|commencen?t? en "
    # the open data's target year of a deliverable on track (JSON, then CSV after its status label)
    '|"target_year": "|pour 2014/2015,|for 2014/2015,)2014( to |-|–)2015'.encode()
)


@pytest.mark.slow  # a crawl of every public page and download: over ten seconds
@pytest.mark.django_db
def test_no_draft_data_on_any_public_page_or_download(client, draft_marker):
    seen, responses = set(), 0
    queue = ["/en/", "/fr/", "/en/progress/2013-2014/?download=csv", "/fr/progres/2013-2014/?download=json"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        responses += 1
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARKER.encode() not in body, url
        if not re.search("/(annual-report|rapport-annuel)-", url):  # the 2013-2014 report speaks of the year ahead
            body = re.sub(PUBLISHED_MENTIONS_OF_2014, b"", body)
            assert b"2014-2015" not in body and b"2014 to 2015" not in body and b"2014 \xc3\xa0 2015" not in body, url
        if response["Content-Type"].startswith("text/html") and not url.startswith(
            ("/en/downloads/2", "/fr/telechargements/2")
        ):
            for link in parse(response).links:
                target = urljoin(url, link)
                parts = urlsplit(target)
                # Every page, record and filter, once; sort orders and pages of one table show the same rows.
                if (
                    not parts.netloc
                    and parts.path.startswith(("/en/", "/fr/"))
                    and not re.search(r"(sort|page|download)=", parts.query)
                ):
                    queue.append(target)
    assert responses > 100


@pytest.mark.django_db
def test_publishing_clears_the_cached_pages(client, published, demo, django_capture_on_commit_callbacks):
    assert "Progress in 2013 to 2014" in client.get("/en/").content.decode()
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, open_period
        section.save()
    assert "Progress in 2014 to 2015" not in client.get("/en/").content.decode()
    open_period.start_review()  # publishing needs the review step
    with django_capture_on_commit_callbacks(execute=True):
        publish_period(open_period)
    assert "Progress in 2014 to 2015" in client.get("/en/").content.decode()


@override_settings(CACHES=LOCMEM)
@pytest.mark.django_db
def test_each_page_runs_the_same_queries_at_1x_and_10x(client, published, django_assert_num_queries):
    # Each count includes the one query for "Date modified" (a page is rendered once per publication).
    # Home: 5, the year being collected (its period, and the dashboard's figures for it, stored at the chart's
    # revision), and the year's figures (what publishing counted: the status summary and the counts it explains),
    # reading no chart row (10 before the figures were stored). The first home page after a change to the chart
    # counts the collection's figures again (three aggregates, and storing them: commitments.dashboard).
    # Progress: the plan, the year, the published years it links to, the year's figures (the
    # filters' choices, the counts the page explains), its departments, the count of the filtered rows, the page's
    # rows and the parents of the sub-items it shows, and none of the year's other rows (11 before). Department:
    # the plan, the years, the department, the year's figures (its counts by status, hence the table's count), the
    # page's rows and those parents (8 before).
    own_changes = own_changes_counted()
    expected = {
        "home after a change": 12 + own_changes,
        "home": 8 + own_changes,
        "progress": 9,
        "deliverable": 4,
        "department": 7,
        "changes": 3,
        "downloads": 4,
    }
    urls = {"home after a change": page_urls(published)["home"], **page_urls(published)}

    def count_all():
        counts = {}
        for name, url in urls.items():  # the home page first after the chart changed, then again
            from django.core.cache import caches

            caches["public"].clear()
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[name] = len(queries)
        return counts

    once = count_all()
    rows = PublishedDeliverable.objects.filter(period=published).count()
    grow_published(published, 10)
    assert PublishedDeliverable.objects.filter(period=published).count() == 10 * rows
    tenfold = count_all()
    assert once == tenfold == expected
    cache_hit_url = urls["progress"]
    client.get(cache_hit_url)
    with django_assert_num_queries(0):
        client.get(cache_hit_url)
