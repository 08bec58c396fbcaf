"""Staff passwords: set-password links from create_staff_user, and password reset by e-mail."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

SITE_URL = "https://napreport.example.gc.ca"
NEW_PASSWORD = "a-new-Long-password-7"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


def accounts():
    return list(get_user_model().objects.order_by("pk").values_list("username", "password", "last_login"))


def create_staff_user(*args):
    out = io.StringIO()
    call_command("create_staff_user", *args, stdout=out)
    return out.getvalue()


def link_in(text):
    (link,) = set(re.findall(rf"{re.escape(SITE_URL)}/reset/[\w-]+/[\w-]+/", text))
    return link


def set_password(client, link, password):
    """Follow a set-password link the way a browser does, and submit the form it shows."""
    response = client.get(link.removeprefix(SITE_URL))
    assert response.status_code == 302  # Django moves the token out of the address into the session
    form_url = response["Location"]
    assert client.get(form_url).context["validlink"]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def sign_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def test_the_admin_sign_in_page_links_to_password_reset(client):
    response = client.get(reverse("admin:login"))
    assert f'href="{reverse("admin_password_reset")}"' in response.content.decode()


def test_create_staff_user_prints_and_emails_a_set_password_link_and_no_password(demo):
    output = create_staff_user("analyst@rcmp-grc.gc.ca", "--department", "RCMP")
    user = get_user_model().objects.get(username="analyst@rcmp-grc.gc.ca")
    assert not user.has_usable_password()
    assert "password:" not in output.lower()
    link = link_in(output)
    assert "works once, within 72 hours" in output
    (message,) = mail.outbox
    assert message.to == ["analyst@rcmp-grc.gc.ca"]
    assert message.subject == "Your account: choose your password / Votre compte : choisissez votre mot de passe"
    assert message.body.count(link) == 2  # the English text, then the French
    assert "An account has been created for you" in message.body
    assert "Un compte a été créé pour vous" in message.body


def test_the_set_password_link_works_once_then_the_account_signs_in(demo):
    link = link_in(create_staff_user("analyst@rcmp-grc.gc.ca", "--department", "RCMP"))
    response = set_password(Client(), link, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    browser = Client()
    assert sign_in(browser, "analyst@rcmp-grc.gc.ca", NEW_PASSWORD)["Location"] == reverse("admin:index")
    user = get_user_model().objects.get(username="analyst@rcmp-grc.gc.ca")
    assert browser.session["_auth_user_id"] == str(user.pk)

    again = Client()
    before = accounts()
    response = again.get(link.removeprefix(SITE_URL))
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "invalid" in response.content.decode()
    assert accounts() == before


def test_a_set_password_under_12_characters_is_refused_and_the_link_still_works(demo):
    link = link_in(create_staff_user("analyst@rcmp-grc.gc.ca", "--department", "RCMP"))
    before = accounts()
    response = set_password(Client(), link, "Short-pass1")
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert accounts() == before
    assert set_password(Client(), link, NEW_PASSWORD).status_code == 302


def test_new_link_sends_an_existing_account_a_fresh_link(demo):
    create_staff_user("analyst@rcmp-grc.gc.ca", "--department", "RCMP")
    link = link_in(create_staff_user("analyst@rcmp-grc.gc.ca", "--new-link"))
    assert len(mail.outbox) == 2
    assert set_password(Client(), link, NEW_PASSWORD).status_code == 302
    assert get_user_model().objects.get(username="analyst@rcmp-grc.gc.ca").check_password(NEW_PASSWORD)


@pytest.fixture
def staffer():
    return get_user_model().objects.create_user(
        "staffer", email="staffer@rcmp-grc.gc.ca", password="the-Old-password-1", is_staff=True
    )


def test_the_reset_email_links_to_site_url_whatever_the_host_header(client, settings, staffer):
    settings.ALLOWED_HOSTS = ["*"]  # even where the Host header is not checked, it is not used
    response = client.post(
        reverse("admin_password_reset"), {"email": "staffer@rcmp-grc.gc.ca"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "evil.example" not in message.subject + message.body
    assert message.subject == "Reset your password / Réinitialisez votre mot de passe"
    assert "Someone asked to reset the password" in message.body
    assert "Quelqu'un a demandé la réinitialisation" in message.body
    assert "Your user name: staffer" in message.body and "Votre nom d'utilisateur : staffer" in message.body
    link = link_in(message.body)

    assert set_password(Client(), link, NEW_PASSWORD).status_code == 302
    staffer.refresh_from_db()
    assert staffer.check_password(NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, staffer):
    known = client.post(reverse("admin_password_reset"), {"email": "staffer@rcmp-grc.gc.ca"})
    mail.outbox.clear()
    before = accounts()
    unknown = client.post(reverse("admin_password_reset"), {"email": "nobody@rcmp-grc.gc.ca"})
    assert mail.outbox == []
    assert accounts() == before
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert reverse("password_reset_done") == unknown["Location"]
    assert "if an account exists" in client.get(unknown["Location"]).content.decode()
