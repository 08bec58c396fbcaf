"""axe-core finds no WCAG 2.2 AA violation on any public page type or state, in either language, on a phone
(375 px) or a desktop (1366 px), in headless Chromium (issue #15). The states: filtered, sorted and paged, nothing
found, an invalid filter, page not found, and on a phone the filters unfolded."""

import pytest

from tests.browser.axe import violations
from tests.browser.public_site import page_urls, publish_second_year

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width, height", [(375, 812), (1366, 768)])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_axe_finds_no_violation_on_any_public_page_or_state(browser, live_server, demo, language, width, height):
    urls = page_urls(language, publish_second_year(demo))
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = {}
    for kind, url in urls.items():
        page.goto(url)
        if found := violations(page):
            problems[kind] = found
    if width < 768:  # the filters, folded on a phone, unfolded
        page.goto(urls["progress"])
        page.locator("details.filters-disclosure > summary").click()
        assert page.locator("#id_status").is_visible()
        if found := violations(page):
            problems["progress, filters unfolded"] = found
    context.close()
    assert problems == {}
