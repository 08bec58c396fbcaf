"""A URL configuration for tests/napreport/test_logging.py: views that fail the ways production can."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import path


def broken(request):
    raise RuntimeError("deliberately broken view")


def needs_database(request):
    return HttpResponse(str(get_user_model().objects.count()))


urlpatterns = [
    path("broken/", broken),
    path("needs-database/", needs_database),
]
