from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest

from napreport.public.caching import last_publication


def date_modified(request: HttpRequest) -> dict[str, Callable[[], datetime | None]]:
    """ "Date modified" at the bottom of every public page: when the public data last changed.

    A callable, so the query runs only where a template shows it, and only once per request: the page's
    Last-Modified header (napreport.public.caching) reads the same value. Public pages are rendered once per
    publication, so it is not cached separately, and never goes stale."""
    return {"date_modified": lambda: last_publication(request)}
