"""The app's URLs plus /floor/: a minimal Django view returning a page's HTML from memory.

It goes through the same middleware as the app, so it measures what Django itself costs: the floor.
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from napreport.urls import urlpatterns as app_urlpatterns

FLOOR_HTML = Path(os.environ["BENCH_FLOOR_HTML"]).read_bytes() if os.environ.get("BENCH_FLOOR_HTML") else b""


def floor(request):
    return HttpResponse(FLOOR_HTML, content_type="text/html; charset=utf-8")


urlpatterns = [path("floor/", floor), *app_urlpatterns]
