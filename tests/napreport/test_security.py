"""Secure defaults: production settings, security headers, sign-in throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from napreport.settings import client_address_settings

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "napreport.example.gc.ca",
}


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True)


@pytest.mark.slow
def test_the_documented_production_environment_passes_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_production_refuses_the_development_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/admin/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.axes
@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_and_are_logged(client, caplog):
    get_user_model().objects.create_user("staffer", password="a-long-Correct-password-1", is_staff=True)
    statuses = [
        client.post("/admin/login/", {"username": "staffer", "password": "wrong"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post("/admin/login/", {"username": "staffer", "password": "a-long-Correct-password-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start >= 5
    assert any("locking out" in record.getMessage().lower() for record in caplog.records)


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


# ---- Sign-in throttling: per account and address, with the client's address read right behind the proxy ----

BALANCER = "10.0.0.2"  # behind the proxy every request comes from the load balancer's address


@pytest.fixture
def behind_proxy(settings):
    """The AXES_*/IPWARE settings as settings.py sets them when BEHIND_PROXY=1."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER, settings.AXES_IPWARE_PROXY_COUNT = client_address_settings(True)


def fail_to_sign_in(client, username, times=5, **headers):
    return [
        client.post("/admin/login/", {"username": username, "password": "wrong"}, **headers).status_code
        for _ in range(times)
    ]


def sign_in(client, username, password, **headers):
    return client.post("/admin/login/", {"username": username, "password": password}, **headers)


def accounts():
    """What a sign-in could change in the accounts: their last sign-in and their password."""
    return list(get_user_model().objects.order_by("pk").values_list("username", "last_login", "password"))


@pytest.fixture
def staffers():
    for username in ("staffer", "colleague"):
        get_user_model().objects.create_user(username, password=f"a-long-{username}-password-1", is_staff=True)


@pytest.mark.axes
@pytest.mark.django_db
def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another_client(client, staffers, behind_proxy):
    assert fail_to_sign_in(client, "staffer", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1") == [
        200,
        200,
        200,
        200,
        429,
    ]
    before = accounts()
    locked = sign_in(
        Client(), "staffer", "a-long-staffer-password-1", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert locked.status_code == 429
    assert accounts() == before

    other = Client()
    response = sign_in(
        other, "colleague", "a-long-colleague-password-1", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(get_user_model().objects.get(username="colleague").pk)
    # The attempts were counted against the client's address, not the balancer's.
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("staffer", "198.51.100.1")]


@pytest.mark.axes
@pytest.mark.django_db
def test_behind_the_proxy_the_clients_own_x_forwarded_for_does_not_escape_the_lockout(client, staffers, behind_proxy):
    # The balancer appends the address it sees to whatever the client sent: only that last entry counts.
    statuses = [
        sign_in(
            client, "staffer", "wrong", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.1"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    before = accounts()
    response = sign_in(
        client, "staffer", "a-long-staffer-password-1", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert response.status_code == 429
    assert accounts() == before


@pytest.mark.axes
@pytest.mark.django_db
def test_failing_as_the_coordinator_from_one_address_does_not_lock_the_coordinator_out_elsewhere(demo):
    attacker, coordinator = Client(REMOTE_ADDR="192.0.2.66"), Client(REMOTE_ADDR="192.0.2.10")
    assert fail_to_sign_in(attacker, "coordinator") == [200, 200, 200, 200, 429]
    before = accounts()
    assert sign_in(attacker, "coordinator", "demo-coordinator-2014").status_code == 429
    assert accounts() == before

    response = sign_in(coordinator, "coordinator", "demo-coordinator-2014")
    assert response.status_code == 302
    assert coordinator.session["_auth_user_id"] == str(get_user_model().objects.get(username="coordinator").pk)


@pytest.mark.axes
@pytest.mark.django_db
def test_without_the_proxy_a_forged_x_forwarded_for_is_ignored(client, staffers):
    statuses = [
        sign_in(client, "staffer", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    before = accounts()
    response = sign_in(client, "staffer", "a-long-staffer-password-1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert accounts() == before
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]


@pytest.mark.axes
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["Too many failed sign-in attempts", "Try again in 15 minutes.", "Reset it by e-mail"]),
        ("fr", ["Trop de tentatives de connexion infructueuses", "Réessayez dans 15 minutes.", "par courriel"]),
    ],
)
def test_the_lockout_page_says_when_to_try_again_and_how_to_reset_the_password(client, staffers, language, texts):
    fail_to_sign_in(client, "staffer", times=4)
    response = sign_in(client, "staffer", "wrong", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    for text in texts:
        assert text in page
    assert f'href="{reverse("admin_password_reset")}"' in page


@pytest.mark.parametrize("password", ["Tr0ub4dor&3", "correct-hor"])
def test_passwords_shorter_than_12_characters_are_refused(password):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password(password)


def test_a_12_character_password_meets_the_length_rule():
    validate_password("Tr0ub4dor&3x")
