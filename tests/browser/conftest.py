"""Headless Chromium from Debian, driven by Playwright against pytest-django's live server.

Browser tests never skip: if Chromium is missing the fixture fails, so CI cannot pass without them.
"""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Every test here drives Chromium against a live server: slow too, as the marker says."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.fail("Chromium is not installed: run `make test`, which installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# The admin's sign-in form as each language labels it (a field found by its label is one a screen reader names).
SIGN_IN_FORM = {
    "en-CA": ("Username", "Password", "Log in"),
    "fr-CA": ("Nom d’utilisateur", "Mot de passe", "Connexion"),
}


@pytest.fixture
def sign_in(browser, live_server, demo):
    """Signs a demo account in through the admin's sign-in form, each in a browser context of its own (so two
    people can work side by side), and returns the page it lands on; every context is closed after the test.

    `sign_in("rcmp")`, `sign_in("coordinator", "fr-CA", viewport={"width": 1366, "height": 768})`."""
    contexts = []

    def sign_in_as(username, locale="en-CA", *, viewport=None, timeout=10_000):
        options = {"viewport": viewport} if viewport else {}
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout)
        page.goto("/admin/")
        username_label, password_label, button = SIGN_IN_FORM[locale]
        page.get_by_label(username_label).fill(username)
        page.get_by_label(password_label).fill(f"demo-{username}-2014")
        page.get_by_role("button", name=button).click()
        page.wait_for_url(lambda url: "/login/" not in url)  # signed in: sent on from the sign-in page
        page.wait_for_load_state()
        return page

    yield sign_in_as
    for context in contexts:
        context.close()
