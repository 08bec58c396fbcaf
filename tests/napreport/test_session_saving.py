"""A session that cannot be saved after the view has answered (napreport.middleware.SessionMiddleware): what the
view committed is reported as it happened, never as a 400 or a 503."""

import logging
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, InterfaceError, OperationalError
from django.urls import reverse

from tests.commitments.staff_requests import change_data, client_for

pytestmark = pytest.mark.django_db

SESSION_SAVE_FAILURES = {
    # PostgreSQL restarting: Django's store turns the row's failed update into UpdateError, then SessionInterrupted.
    "the session row cannot be written": (Session, "save", OperationalError("server closed the connection")),
    # Any other database error straight from the store (a session being created, say).
    "the session store fails": (SessionStore, "save", DatabaseError("could not write")),
    # The connection broke during the view: psycopg2's InterfaceError, which is not a DatabaseError.
    "the connection is already closed": (SessionStore, "save", InterfaceError("connection already closed")),
}


@pytest.mark.parametrize("failure", SESSION_SAVE_FAILURES.values(), ids=SESSION_SAVE_FAILURES.keys())
def test_a_committed_save_is_reported_as_saved_when_the_session_cannot_be_saved(target, failure, caplog):
    client = client_for("staff_a")  # signed in before the session store breaks
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    owner, method, error = failure
    with (
        mock.patch.object(owner, method, side_effect=error, autospec=True) as failing_save,
        caplog.at_level(logging.WARNING, logger="napreport.middleware"),
    ):
        response = client.post(url, change_data(target, note_en="Saved during the restart."))
        assert failing_save.called
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:commitments_statusupdate_changelist")
        assert "Cookie" in response["Vary"]
        landing = client.get(response["Location"])
    assert landing.status_code == 200
    assert "was changed successfully" in landing.content.decode()
    target.refresh_from_db()
    assert (target.note_en, target.version) == ("Saved during the restart.", 2)
    logged = [record for record in caplog.records if "session could not be saved" in record.getMessage()]
    assert len(logged) == 2  # the save and the page after it
    assert f"POST {url} answered 302" in logged[0].getMessage() and logged[0].exc_info


def test_a_saved_session_still_renews_its_cookie(target):
    client = client_for("staff_a")
    response = client.get(reverse("admin:commitments_statusupdate_changelist"))
    assert response.status_code == 200
    assert response.cookies["sessionid"].value == client.session.session_key
