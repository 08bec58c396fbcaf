"""The coordinator's dashboard and reminders in headless Chromium (issue #13), in English and in French: found
from the admin's home, axe-core finds nothing on the dashboard or on the reminders' confirmation, and the
reminders go out only once the coordinator confirms."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core import mail

from commitments.models import Department, SentReminder

pytestmark = pytest.mark.django_db(transaction=True)

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def coordinator(browser, live_server, demo):
    """The coordinator, signed in through the form, in a browser context of the given locale."""
    contexts = []

    def sign_in(locale):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1366, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/admin/")
        page.locator("#id_username").fill("coordinator")
        page.locator("#id_password").fill("demo-coordinator-2014")
        page.locator("#login-form [type=submit]").click()
        page.wait_for_load_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def violations(page):
    results = Axe().run(page, options=WCAG)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize(
    ("locale", "dashboard", "reminders", "send"),
    [
        ("en-CA", "Reporting dashboard", "Send reminders…", "Send 1 reminder"),
        ("fr-CA", "Tableau de bord du rapport", "Envoyer des rappels…", "Envoyer 1 rappel"),
    ],
)
def test_the_coordinator_confirms_reminders_from_the_dashboard_and_axe_finds_nothing(
    coordinator, locale, dashboard, reminders, send
):
    get_user_model().objects.update(email="")
    Department.objects.update(email="")
    Department.objects.filter(slug="rcmp").update(email="rcmp@example.gc.ca")
    page = coordinator(locale)
    page.locator("#content-main").get_by_role("link", name=dashboard).click()  # from the admin's home
    page.locator("#dashboard-departments").wait_for()
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert violations(page) == []

    page.get_by_role("link", name=reminders).click()
    page.locator("#reminders-planned").wait_for()
    assert "rcmp@example.gc.ca" in page.locator("#reminders-planned").inner_text()
    assert violations(page) == []
    assert not mail.outbox and not SentReminder.objects.exists()  # nothing is sent before the confirmation

    page.get_by_role("button", name=send).click()
    page.locator(".messagelist .success").wait_for()
    assert re.search(r"RCMP|GRC", page.locator(".messagelist .success").inner_text())
    assert [message.to for message in mail.outbox] == [["rcmp@example.gc.ca"]]
    assert "rcmp@example.gc.ca" in page.locator("#dashboard-last-reminders").inner_text()
    assert violations(page) == []
