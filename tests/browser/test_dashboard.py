"""The coordinator's dashboard and reminders in headless Chromium (issue #13), in English and in French: found
from the admin's home, axe-core finds nothing on the dashboard or on the reminders' confirmation, and the
reminders go out only once the coordinator confirms."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from commitments.models import Department, SentReminder
from tests.browser.axe import violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(sign_in):
    """The coordinator, signed in through the form at 1366×768, in a browser context of the given locale."""
    return lambda locale: sign_in("coordinator", locale, viewport={"width": 1366, "height": 768})


@pytest.mark.parametrize(
    ("locale", "dashboard", "reminders", "send", "rcmp"),
    [
        ("en-CA", "Reporting dashboard", "Send reminders…", "Send 1 reminder", "RCMP"),
        ("fr-CA", "Tableau de bord du rapport", "Envoyer des rappels…", "Envoyer 1 rappel", "GRC"),
    ],
)
def test_the_coordinator_confirms_reminders_from_the_dashboard_and_axe_finds_nothing(
    coordinator, locale, dashboard, reminders, send, rcmp
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
    assert rcmp in page.locator(".messagelist .success").inner_text()  # the department, in the page's language
    assert [message.to for message in mail.outbox] == [["rcmp@example.gc.ca"]]
    assert "rcmp@example.gc.ca" in page.locator("#dashboard-last-reminders").inner_text()
    assert violations(page) == []
