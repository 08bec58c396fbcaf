from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_without_a_stack_trace_when_the_database_is_down(client):
    with mock.patch("napreport.health.connection.ensure_connection", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_a_database_outage_is_a_clean_503_page(client):
    with mock.patch(
        "napreport.public.views.current_plan", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get("/en/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Service temporarily unavailable" in html and "Traceback" not in html and "server closed" not in html
