"""Database failures as clean pages, never a stack trace: an outage is a 503 (the app recovers by itself
afterwards: CONN_HEALTH_CHECKS drops broken connections before reuse); a value from the request that the
database cannot hold is a 400."""

import logging
from collections.abc import Callable

from django.contrib.sessions import middleware as sessions
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import DatabaseError, DataError, Error, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A failure outside the view (a middleware's query, say) has already become a 500 below us:
        # if the database is what failed, say so with a 503 instead.
        if response.status_code == 500 and not database_answers():
            return unavailable(request, "a 500 while the database does not answer")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)) or type(exception) is DatabaseError:
            return unavailable(request, exception)
        return None


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Error:  # DatabaseError, or InterfaceError ("connection already closed"), which is not one
        return False


def unavailable(request: HttpRequest, reason: object) -> HttpResponse:
    logger.warning("Database unavailable while serving %s: %s", request.path, reason)
    response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    return response


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's, except that a session which cannot be saved after the view has answered leaves the answer as it
    was. With SESSION_SAVE_EVERY_REQUEST the session is saved after the view's transaction has committed; Django
    turns any DatabaseError from that save (a database restart, not only a session deleted by a sign-out in
    another tab) into SessionInterrupted, a 400, and the person who has just saved is told nothing was saved, then
    that their retry is stale. What the view did stands, so its answer stands: the failure is logged, the cookie
    is not renewed, and at worst the person signs in again on a later request."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        # Error: InterfaceError too (a connection that broke during the view is "already closed"), which is not a
        # DatabaseError: seen under load as a 500 after a save had committed.
        except (SessionInterrupted, Error) as error:
            logger.warning(
                "The session could not be saved after %s %s answered %s; the answer is kept: %r",
                request.method,
                request.path,
                response.status_code,
                error,
                exc_info=True,
            )
            # The page depends on who is signed in, as it would had the save succeeded.
            patch_vary_headers(response, ("Cookie",))
            return response


class ValueOutOfRangeMiddleware:
    """A number from a form or a URL beyond what the database holds (past 64 bits) fails deep in a lookup:
    OverflowError from SQLite, DataError with SQLSTATE 22003 (numeric_value_out_of_range) from PostgreSQL.
    Forms and URL converters refuse the values they know about; this answers the rest with a 400 instead of a
    500. Nothing was written: the failing statement is a read, and a write would have been rolled back with its
    transaction. Any other DataError (a value too long for a column, say) is our bug, not the visitor's: it stays
    a logged 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError) or is_out_of_range(exception):
            logger.warning("Refused a value the database cannot hold, at %s: %s", request.path, exception)
            return HttpResponse(render_to_string("400.html"), status=400, content_type="text/html; charset=utf-8")
        return None


# PostgreSQL's SQLSTATE for a number past its column's type; Django keeps the driver's error as __cause__.
NUMERIC_VALUE_OUT_OF_RANGE = "22003"


def is_out_of_range(exception: Exception) -> bool:
    driver_error = exception.__cause__
    return isinstance(exception, DataError) and getattr(driver_error, "pgcode", None) == NUMERIC_VALUE_OUT_OF_RANGE
