"""The published HTML edition of the report in headless Chromium (issue #16, "The HTML edition"): opened in the
browser, a main landmark, the language switch and the PDF link, readable at 375 px, axe-core clean."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def edition(language, file_format="html"):
    with translation.override(language):  # the path is translated too (/fr/telechargements/…)
        return reverse("public:report-file", args=["2013-2014", language, file_format])


@pytest.fixture
def phone(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, locale="en-CA", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_the_html_edition_opens_in_the_browser_and_links_its_other_editions(phone):
    response = phone.goto(edition("en"))
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("inline;")
    assert phone.locator("main").count() == 1
    assert phone.locator('meta[name="viewport"]').get_attribute("content") == "width=device-width, initial-scale=1"
    pdf_link = phone.get_by_role("link", name="PDF version of this report")
    pdf = phone.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    phone.get_by_role("link", name="Français").click()
    phone.wait_for_url(f"**{edition('fr')}")
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.get_by_role("link", name="Version PDF de ce rapport").get_attribute("href") == edition("fr", "pdf")
    assert phone.get_by_role("link", name="English").get_attribute("href") == edition("en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_html_edition_is_readable_at_375_px_and_axe_finds_no_violations(phone, language):
    phone.goto(edition(language))
    # Nothing scrolls sideways but the charts, each in a focusable region named by its caption.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    regions = phone.locator(".table-scroll")
    assert regions.count() == 4
    for index in range(regions.count()):
        region = regions.nth(index)
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        caption_id = region.get_attribute("aria-labelledby")
        assert phone.locator(f"#{caption_id}").evaluate("element => element.tagName") == "CAPTION"
        assert region.evaluate("element => element.scrollWidth > element.clientWidth")  # it does scroll, inside
    results = Axe().run(phone, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [violation["id"] for violation in results.response["violations"]] == []


def test_a_note_call_leads_to_its_note_and_the_note_back_and_the_text_boxes_are_named_asides(phone):
    phone.goto(edition("en"))
    phone.get_by_role("link", name="Note 3", exact=True).click()
    assert phone.locator(":target").get_attribute("class") == "footnote"
    assert "The key federal departments are PS" in phone.locator(":target").inner_text()
    phone.locator(":target").get_by_role("link", name="Back to the text of note 3").click()
    assert phone.locator(":target").get_attribute("role") == "doc-noteref"
    for box in ("Project COMBATIVE", "Update - RCMP Human Trafficking Enforcement Team"):
        assert phone.get_by_role("complementary", name=box, exact=True).count() == 1
