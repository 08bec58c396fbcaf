"""A database outage is a clean 503 page, never a stack trace; the app recovers by itself afterwards
(CONN_HEALTH_CHECKS drops broken connections before reuse)."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or type(exception) is DatabaseError:
            logger.warning("Database unavailable while serving %s: %s", request.path, exception)
            response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
            response["Retry-After"] = "30"
            return response
        return None
