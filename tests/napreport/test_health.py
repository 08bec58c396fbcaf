from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection

from napreport.middleware import database_answers


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("error", [OperationalError("down"), InterfaceError("connection already closed")])
@pytest.mark.django_db
def test_healthz_is_503_without_a_stack_trace_when_the_database_is_down(client, error):
    with mock.patch("napreport.health.connection.ensure_connection", side_effect=error):
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


@pytest.mark.django_db
def test_a_connection_already_closed_is_a_database_that_does_not_answer():
    """What turns a 500 into the clean 503 page asks whether the database answers: on a connection that broke
    during the request, psycopg2 raises InterfaceError, which is not a DatabaseError, and must be a no."""
    assert database_answers()
    with mock.patch.object(connection, "cursor", side_effect=InterfaceError("connection already closed")):
        assert not database_answers()
