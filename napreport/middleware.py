"""A database outage is a clean 503 page, never a stack trace; the app recovers by itself afterwards
(CONN_HEALTH_CHECKS drops broken connections before reuse)."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A failure outside the view (saving the session, say) has already become a 500 below us:
        # if the database is what failed, say so with a 503 instead.
        if response.status_code == 500 and not database_answers():
            return unavailable(request, "a 500 while the database does not answer")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or type(exception) is DatabaseError:
            return unavailable(request, exception)
        return None


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def unavailable(request, reason):
    logger.warning("Database unavailable while serving %s: %s", request.path, reason)
    response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    return response
