from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from napreport.public.caching import last_publication

# The site's name in each page title ("Progress in 2013 to 2014 - <site> - Canada.ca") and in the breadcrumbs.
SITE_NAME = _("Progress on the National Action Plan")


def date_modified(request: HttpRequest) -> dict[str, Callable[[], datetime | None]]:
    """ "Date modified" at the bottom of every public page: when the public data last changed.

    A callable, so the query runs only where a template shows it, and only once per request: the page's
    Last-Modified header (napreport.public.caching) reads the same value. Public pages are rendered once per
    publication, so it is not cached separately, and never goes stale."""
    return {"date_modified": lambda: last_publication(request)}


def site(request: HttpRequest) -> dict[str, Promise | bool]:
    """The site's name, and whether this page is its home (whose title is the site's name, said once)."""
    match = request.resolver_match
    return {"site_name": SITE_NAME, "is_site_home": bool(match and match.view_name == "public:home")}
