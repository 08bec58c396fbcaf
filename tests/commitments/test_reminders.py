"""Reminders (commitments.reminders, commitments.admin.dashboard): each department is e-mailed what it has not
updated yet, in its language or in both, with whole texts and a sign-in link; the coordinator confirms first;
every message sent is recorded; nobody else may see or send them."""

import datetime
import io
import re
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from commitments.models import Deliverable, Department, ReportingPeriod, SentReminder, StatusUpdate
from tests.charts import grow_chart
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db

REMINDERS = "admin:commitments_reminders"
TARGET = "Dedicated Integrated Enforcement Team"
TARGET_FR = "Équipe intégrée de la police chargée de l’application de la loi sur l’immigration"


def only_reachable(*addresses_by_slug, language=""):
    """Only these departments have an address (no member has one), so each test knows who is written to."""
    get_user_model().objects.update(email="")
    Department.objects.update(email="", preferred_language="")
    for slug, address in addresses_by_slug:
        Department.objects.filter(slug=slug).update(email=address, preferred_language=language)


def rcmp_outstanding():
    return StatusUpdate.objects.filter(
        period__start_year=2014, deliverable__leads__slug="rcmp", updated_at__isnull=True
    ).in_chart_order()


def confirm(client, **headers):
    """Open the confirmation page and press its button, as the coordinator does."""
    page = client.get(reverse(REMINDERS), headers=headers).content.decode()
    token = re.search(r'name="last_sent" value="([^"]*)"', page).group(1)
    return client.post(reverse(REMINDERS), {"last_sent": token}, headers=headers, follow=True)


def sent_to(address):
    (message,) = [message for message in mail.outbox if address in message.to]
    return message


def state():
    """What a refused request must leave as it was."""
    return (
        list(SentReminder.objects.values_list()),
        list(Department.objects.values_list()),
        list(StatusUpdate.objects.values_list("pk", "version", "updated_at", "review")),
    )


@pytest.fixture
def due_march_first(target):
    ReportingPeriod.objects.filter(start_year=2014).update(due_date=datetime.date(2015, 3, 1))


# ---- the message


def test_a_department_without_a_preference_gets_english_then_french_in_one_message(target, due_march_first):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    confirm(client_for("coordinator"))
    message = sent_to("rcmp@example.gc.ca")
    count = rcmp_outstanding().count()
    assert message.subject == (
        f"[NAP] {count} deliverables to update for 2014-2015 / "
        f"{count} produits livrables à mettre à jour pour 2014-2015"
    )
    body = message.body
    assert body.startswith("(Le français suit.)")
    english, french = body.index("Updates are due on March 1, 2015."), body.index("attendues au plus tard le 1 mars")
    assert english < french
    assert body.index("Sign in to update them") < body.index("Bonjour") < body.index("Ouvrez une session")
    assert f"has {count} deliverables not yet updated for 2014-2015" in body
    assert f"a {count} produits livrables qui n’ont pas encore été mis à jour pour 2014-2015" in body


def test_a_department_that_prefers_french_gets_a_message_in_french_only(target, due_march_first):
    Deliverable.objects.filter(text_en__startswith=TARGET).update(text_fr=TARGET_FR)
    only_reachable(("rcmp", "rcmp@example.gc.ca"), language="fr")
    confirm(client_for("coordinator"))
    message = sent_to("rcmp@example.gc.ca")
    assert message.subject.startswith("[NAP] ") and "produits livrables à mettre à jour" in message.subject
    assert " / " not in message.subject and "deliverables" not in message.subject
    body = message.body
    assert body.startswith("Bonjour,") and "Gendarmerie royale du Canada (GRC)" in body
    assert f"- {target.deliverable.task.code}\u00a0: {TARGET_FR}" in body  # the French text, French typography
    assert "Les mises à jour sont attendues au plus tard le 1 mars 2015." in body
    assert "Sign in" not in body and "Updates are due" not in body and TARGET not in body


def test_a_department_that_prefers_english_gets_a_message_in_english_only(target, due_march_first):
    only_reachable(("rcmp", "rcmp@example.gc.ca"), language="en")
    confirm(client_for("coordinator"))
    message = sent_to("rcmp@example.gc.ca")
    assert " / " not in message.subject and "deliverables to update for 2014-2015" in message.subject
    body = message.body
    assert body.startswith("Hello,") and "Royal Canadian Mounted Police (RCMP)" in body
    assert "Le français suit" not in body and "Bonjour" not in body and "mises à jour" not in body


def test_each_item_is_listed_with_its_task_code_and_whole_text(target):
    long_text = (
        "Dedicated Integrated Enforcement Team, led by the RCMP in Montréal, investigating human trafficking "
        "cases with its partners across the region, well past a hundred characters, which the old reminder cut"
        " mid-word.\n- First bullet of the deliverable\n- Second bullet, also kept"
    )
    Deliverable.objects.filter(pk=target.deliverable_id).update(text_en=long_text)
    only_reachable(("rcmp", "rcmp@example.gc.ca"), language="en")
    confirm(client_for("coordinator"))
    body = sent_to("rcmp@example.gc.ca").body
    first, *bullets = long_text.splitlines()
    assert f"- {target.deliverable.task.code}: {first}\n" in body
    for bullet in bullets:  # continuation lines are indented under their item
        assert f"\n    {bullet}\n" in body
    for update in rcmp_outstanding().select_related("deliverable__task"):
        assert update.deliverable.text_en.splitlines()[0] in body
    assert "&#x27;" not in body and "&amp;" not in body  # plain text, not HTML-escaped


def test_the_sign_in_link_is_built_from_the_configured_site_url(target, settings):
    settings.SITE_URL = "https://nap-pan.example.gc.ca"
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    confirm(client_for("coordinator"))  # the request's host is testserver
    body = sent_to("rcmp@example.gc.ca").body
    assert "Sign in to update them: https://nap-pan.example.gc.ca/admin/login/\n" in body
    assert "Ouvrez une session pour les mettre à jour\u00a0: https://nap-pan.example.gc.ca/admin/login/\n" in body
    assert "testserver" not in body


def test_members_are_written_to_beside_the_departments_address_each_once_and_inactive_ones_not(target):
    only_reachable(("rcmp", "RCMP@example.gc.ca"))
    users = get_user_model().objects
    users.filter(username="rcmp").update(email="analyst@example.gc.ca")
    gone = users.create(username="gone", email="gone@example.gc.ca", is_active=False)
    twin = users.create(username="twin", email="rcmp@example.gc.ca")
    Department.objects.get(slug="rcmp").members.add(gone, twin)
    confirm(client_for("coordinator"))
    (message,) = [message for message in mail.outbox if "analyst@example.gc.ca" in message.to]
    assert sorted(message.to) == ["analyst@example.gc.ca", "rcmp@example.gc.ca"]


# ---- the confirmation, the sending and its record


def test_the_confirmation_page_shows_what_will_be_sent_to_whom_and_sends_nothing(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"), ("cbsa", "cbsa@example.gc.ca"))
    Department.objects.filter(slug="cbsa").update(preferred_language="fr")
    page = client_for("coordinator").get(reverse(REMINDERS))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 e-mails will be sent, to 2 addresses in all" in html
    rcmp = re.search(r'<th scope="row">RCMP</th>(.*?)</tr>', html, re.S).group(1)
    assert f"<td>{rcmp_outstanding().count()}</td>" in rcmp and "rcmp@example.gc.ca" in rcmp
    assert "English and French, in one message" in rcmp
    assert "French" in re.search(r'<th scope="row">CBSA</th>(.*?)</tr>', html, re.S).group(1)
    assert 'value="Send 2 reminders"' in html
    assert not mail.outbox and not SentReminder.objects.exists()


def test_the_confirmation_page_names_the_departments_it_cannot_reach(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    html = client_for("coordinator").get(reverse(REMINDERS)).content.decode()
    unreachable = html.split('id="reminders-unreachable">')[1].split("</p>")[0]
    assert "CBSA" in unreachable and "RCMP" not in unreachable
    assert "1 e-mail will be sent, to 1 addresses in all" in html and 'value="Send 1 reminder"' in html


def test_confirming_sends_the_reminders_records_them_and_says_so(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"), ("cbsa", "cbsa@example.gc.ca"))
    response = confirm(client_for("coordinator"))
    assert response.redirect_chain[-1][0] == reverse("admin:commitments_dashboard")
    assert "2 reminders sent: CBSA, RCMP." in response.content.decode()
    assert len(mail.outbox) == 2
    records = list(SentReminder.objects.order_by("department__acronym"))
    assert [record.department.acronym for record in records] == ["CBSA", "RCMP"]
    rcmp = records[1]
    assert rcmp.period == target.period and rcmp.sent_by.username == "coordinator"
    assert rcmp.recipients == ["rcmp@example.gc.ca"] and rcmp.items == rcmp_outstanding().count()
    assert records[0].sent_at == rcmp.sent_at  # one sending, one time
    last = response.content.decode().split('id="dashboard-last-reminders">')[1].split("</p>")[0]
    assert "by coordinator" in last and "RCMP (rcmp@example.gc.ca)" in last


def test_the_coordinator_is_told_in_french_with_the_singular(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    response = confirm(client_for("coordinator"), **{"accept-language": "fr"})
    assert "1 rappel envoyé\u00a0: GRC." in response.content.decode()


def test_the_same_confirmation_sent_twice_sends_the_reminders_once(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    client = client_for("coordinator")
    page = client.get(reverse(REMINDERS)).content.decode()
    token = re.search(r'name="last_sent" value="([^"]*)"', page).group(1)
    client.post(reverse(REMINDERS), {"last_sent": token})
    again = client.post(reverse(REMINDERS), {"last_sent": token}, follow=True)
    assert "Reminders were sent since this page was opened; nothing was sent." in again.content.decode()
    assert len(mail.outbox) == 1 and SentReminder.objects.count() == 1


def test_a_message_the_mail_server_refuses_is_reported_and_the_others_still_go(target, settings):
    settings.EMAIL_BACKEND = "tests.commitments.test_reminders.RefusingBackend"
    only_reachable(("rcmp", "rcmp@example.gc.ca"), ("cbsa", "refused@example.gc.ca"))
    response = confirm(client_for("coordinator"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 reminder sent: RCMP." in html
    assert "The mail server refused the reminder to CBSA; try again later." in html
    assert [record.department.acronym for record in SentReminder.objects.all()] == ["RCMP"]


class RefusingBackend(locmem.EmailBackend):
    """The test outbox, with a mail server that refuses one address."""

    def send_messages(self, messages):
        if any("refused@example.gc.ca" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"refused@example.gc.ca": (550, b"No such user")})
        return super().send_messages(messages)


def test_no_reminder_can_be_sent_while_no_period_is_open(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    ReportingPeriod.objects.filter(start_year=2014).update(state=ReportingPeriod.State.IN_REVIEW)
    client = client_for("coordinator")
    html = client.get(reverse(REMINDERS)).content.decode()
    assert "No period is open for updates" in html and "<form" not in html.split('id="content-main"')[1]
    client.post(reverse(REMINDERS), {"last_sent": ""})
    assert not mail.outbox and not SentReminder.objects.exists()


# ---- who may send them


def test_department_staff_can_neither_see_nor_send_reminders(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    before = state()
    for role in ("staff_a", "staff_b", "co_lead"):
        client = client_for(role)
        assert client.get(reverse(REMINDERS)).status_code == 403
        assert client.post(reverse(REMINDERS), {"last_sent": ""}).status_code == 403
    assert client_for("anonymous").post(reverse(REMINDERS), {"last_sent": ""}).status_code == 302  # sign in first
    assert not mail.outbox and state() == before


def test_sending_needs_the_pages_csrf_token(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="coordinator"))
    before = state()
    assert client.post(reverse(REMINDERS), {"last_sent": ""}).status_code == 403
    assert not mail.outbox and state() == before


def test_reminders_are_sent_only_by_post(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    client = client_for("coordinator")
    assert client.put(reverse(REMINDERS)).status_code == 405
    assert client.post(reverse("admin:commitments_dashboard")).status_code == 405  # the dashboard sends nothing
    assert not mail.outbox and not SentReminder.objects.exists()


# ---- query counts, and the command


def test_the_confirmation_page_runs_the_same_queries_at_1x_and_10x_the_chart(target, django_assert_num_queries):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    client = client_for("coordinator")
    url = reverse(REMINDERS)
    client.get(url)
    # session, user, coordinator?, the open period, the last sending, the outstanding rows, their lead links,
    # the departments, their active members, the user's and groups' permissions (sidebar), saving the
    # session (3)
    expected = 14
    with django_assert_num_queries(expected):
        client.get(url)
    grow_chart(10, target.period)
    with django_assert_num_queries(expected):
        client.get(url)


def test_the_command_sends_the_open_periods_reminders_and_records_them(target):
    only_reachable(("rcmp", "rcmp@example.gc.ca"))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert TARGET in sent_to("rcmp@example.gc.ca").body
    assert "Sent 1 reminders for 2014-2015." in out.getvalue()
    assert SentReminder.objects.get().sent_by is None
