"""The public pages in headless Chromium: filtering, navigation, language round trip, download, axe-core."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from commitments.models import PublishedDeliverable, ReportingPeriod
from tests.public.open_data_files import csv_rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def urls(demo):
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    deliverable = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    return [
        "/en/",
        "/en/progress/2013-2014/",
        f"/en/deliverables/{deliverable}/",
        "/en/departments/rcmp/",
        "/en/changes/",
        "/en/downloads/",
        "/en/no-such-page/",
    ]


def test_axe_finds_no_violations_on_any_page_type_in_either_language(page, urls):
    axe = Axe()
    problems = {}
    for url in urls:
        for language_url in (url, url.replace("/en/", "/fr/", 1)):
            page.goto(language_url)
            results = axe.run(
                page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
            )
            if results.violations_count:
                problems[language_url] = [violation["id"] for violation in results.response["violations"]]
    assert problems == {}


def test_filter_open_a_deliverable_switch_language_and_come_back(page, urls):
    page.goto("/en/progress/2013-2014/")
    page.get_by_label("Lead department").select_option("rcmp")
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"department=rcmp"))
    assert "status=complete" in page.url
    rows = page.locator("table.progress-table tbody tr")
    assert rows.count() >= 1
    for index in range(rows.count()):
        assert "RCMP" in rows.nth(index).inner_text() and "Complete" in rows.nth(index).inner_text()
    filtered_url = page.url

    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/progres/2013-2014/\?"))
    assert "department=rcmp" in page.url and "status=complete" in page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Terminé" in page.locator("table.progress-table").inner_text()
    page.get_by_role("link", name="English").click()
    page.wait_for_url(filtered_url)

    first = page.locator("table.progress-table tbody tr a").first
    text = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/en/deliverables/\d+/"))
    assert text[:40] in page.locator("main").inner_text()
    assert "Complete in 2013 to 2014" in page.locator("main").inner_text()


def test_the_keyboard_reaches_the_skip_link_and_the_filters(page, urls):
    page.goto("/en/progress/2013-2014/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))  # following the link is asynchronous
    for _ in range(12):  # the filters are reachable with Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_department":
            break
    assert page.evaluate("document.activeElement.id") == "id_department"


def test_download_the_filtered_csv_and_parse_it(page, urls):
    page.goto("/en/progress/2013-2014/?department=cbsa")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    header, records = csv_rows(download_info.value.path().read_bytes())
    assert records and all("CBSA" in record["leads"].split(";") for record in records)
    assert header[:3] == ["Fiscal year", "Pillar number", "Pillar"]  # the columns' titles, in the page's language
