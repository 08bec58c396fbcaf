"""The Canada.ca chrome in headless Chromium: it works without JavaScript, loads nothing from another origin (the GCDS
fonts and artwork come from the app), breaks no rule of the CSP, and fits a 320 px screen."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/en/", "/fr/progres/2013-2014/", "/en/downloads/", "/fr/no-such-page/"]


@pytest.fixture
def no_script_page(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_header_and_footer_work_without_javascript(no_script_page):
    page = no_script_page
    page.goto("/fr/progres/2013-2014/?status=ongoing")
    banner = page.get_by_role("banner")
    signature = banner.get_by_role("link", name="Gouvernement du Canada / Government of Canada", exact=True)
    assert signature.get_attribute("href") == "https://www.canada.ca/fr.html" and signature.is_visible()
    toggle = banner.get_by_role("link", name="English")
    assert toggle.is_visible() and toggle.get_attribute("lang") == "en"
    crumbs = banner.get_by_role("navigation", name="Fil d’Ariane").get_by_role("link")
    assert crumbs.all_inner_texts() == ["Canada.ca", "Progrès du Plan d’action national"]
    assert crumbs.first.get_attribute("href") == "https://www.canada.ca/fr.html"
    problem = page.get_by_role("link", name="Signaler un problème sur cette page")
    assert problem.get_attribute("href").startswith("mailto:")
    assert "progres%2F2013-2014%2F%3Fstatus%3Dongoing" in problem.get_attribute("href").replace("/", "%2F")
    assert re.search(r"Date de modification\s*:\s*\d{4}-\d{2}-\d{2}", page.locator("main").inner_text())
    footer = page.get_by_role("contentinfo")
    assert (
        footer.get_by_role("link", name="Confidentialité")
        .get_attribute("href")
        .startswith("https://www.canada.ca/fr/")
    )
    assert footer.get_by_role("img", name="Symbole du gouvernement du Canada").is_visible()
    toggle.click()
    page.wait_for_url(re.compile(r"/en/progress/2013-2014/\?status=ongoing$"))
    assert page.get_by_role("banner").get_by_role("link", name="Français").is_visible()


def test_the_pages_load_only_their_own_files_and_keep_to_the_csp(page, live_server, demo):
    origin = urlsplit(live_server.url).netloc
    requests, problems = [], []

    def csp_report(message):
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    def failure(response):
        if response.status >= 400 and not response.url.endswith(("/favicon.ico", "/no-such-page/")):
            problems.append(f"{response.status} {response.url}")

    page.on("request", lambda request: requests.append(request.url))
    page.on("console", csp_report)
    page.on("response", failure)
    for url in PAGES:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # The GCDS fonts are the ones the text is drawn in (served from /static/gcds/fonts/).
        fonts = page.evaluate("[...document.fonts].filter(font => font.status === 'loaded').map(font => font.family)")
        assert {"Noto Sans", "Lato"} <= {family.strip("\"'") for family in fonts}, (url, fonts)
    assert problems == []
    assert {urlsplit(url).netloc for url in requests} == {origin}
    assert any("/static/gcds/fonts/noto-sans/" in url for url in requests)


def test_the_chrome_fits_a_320_pixel_screen(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    for url in PAGES:
        page.goto(url)
        for part in ("body > header", "body > footer", ".gcds-page-details"):
            width = page.evaluate(f"document.querySelector('{part}').scrollWidth")
            assert width <= 320, (url, part, width)
        # On a phone the toggle reads "FR"/"EN", its language still named for screen readers.
        toggle = page.locator(".gcds-lang-toggle")
        assert toggle.inner_text().strip().upper() == ("EN" if url.startswith("/fr/") else "FR"), url
    context.close()


def test_axe_finds_no_violations_on_a_phone_or_a_desktop(browser, live_server, demo):
    """axe-core (WCAG 2.2 AA, target size included) on the phone layout (the toggle reads "FR") and the wide one."""
    axe = Axe()
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    problems = {}
    for width in (320, 1280):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
        page = context.new_page()
        for url in ["/en/", "/fr/", "/en/downloads/data-dictionary/", "/fr/telechargements/dictionnaire-de-donnees/"]:
            page.goto(url)
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": tags}})
            assert results.response["passes"], url  # axe ran on the page
            if results.violations_count:
                problems[(width, url)] = [violation["id"] for violation in results.response["violations"]]
        context.close()
    assert problems == {}
