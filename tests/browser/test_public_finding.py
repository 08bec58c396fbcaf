"""Finding things on the public site in headless Chromium (issue #15): the filters fit the screen, the match count
and the sort state are there to see and hear, the lead departments' page, axe-core on the new pages and states."""

import re

import pytest

from tests.browser.axe import violations

pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS = {"en": "/en/progress/2013-2014/", "fr": "/fr/progres/2013-2014/"}


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [320, 375, 768, 1366])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_task_filter_never_makes_the_progress_page_wider_than_the_screen(page, demo, width, language):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(PROGRESS[language])
    task = page.locator('select[name="task"]')
    box = task.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    # The table may scroll in its own region; the filters and the page itself do not.
    form = page.locator("form.filters").bounding_box()
    assert form["x"] + form["width"] <= width
    assert page_width(page) <= width


def test_filtering_says_how_many_match_and_the_title_says_what(page, demo):
    page.goto(PROGRESS["en"])
    status = page.get_by_role("status")
    assert re.fullmatch(r"109 of 109 deliverables", status.inner_text().strip())
    page.get_by_label("Lead department").select_option("rcmp")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"department=rcmp"))
    count = int(re.match(r"(\d+) of 109 deliverables", page.get_by_role("status").inner_text().strip())[1])
    assert 0 < count < 109
    assert page.title().startswith("Progress in 2013 to 2014 (Lead department: RCMP)")


def test_sorting_by_status_shows_the_order_on_the_header(page, demo):
    page.goto(PROGRESS["fr"])
    page.get_by_role("link", name=re.compile(r"^État")).click()
    page.wait_for_url(re.compile(r"sort=status"))
    header = page.locator('th[aria-sort="ascending"]')
    assert "État" in header.inner_text() and "(tri croissant)" in header.inner_text() and "▲" in header.inner_text()
    first = page.locator("table.progress-table tbody tr").first.locator(".status").inner_text()
    assert first == "Aucun état déclaré"


def test_a_bookmarked_invalid_filter_shows_the_message_and_every_row(page, demo):
    page.goto(PROGRESS["en"] + "?task=9.99")
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("status").inner_text().strip() == "109 of 109 deliverables"
    assert page.locator("table.progress-table tbody tr").count() == 25


def test_the_home_page_leads_to_the_departments_and_each_department_page(page, demo):
    page.goto("/fr/")
    page.get_by_role("link", name="Les ministères responsables et leurs produits livrables par état").click()
    page.wait_for_url("**/fr/ministeres/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ministères responsables"
    page.get_by_role("link", name=re.compile(r"Gendarmerie royale du Canada")).click()
    page.wait_for_url("**/fr/ministeres/rcmp/")


@pytest.mark.parametrize(
    "url",
    [
        "/en/departments/",
        "/fr/ministeres/",
        "/en/progress/2013-2014/?sort=-status&task=1.11",
        "/fr/progres/2013-2014/?status=bogus",
        "/en/progress/2013-2014/?q=elaborer",
    ],
)
def test_axe_finds_nothing_on_the_new_pages_and_states(page, demo, url):
    page.goto(url)
    assert violations(page) == []


def test_the_departments_page_fits_a_phone(page, demo):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/en/departments/")
    assert page_width(page) <= 320
