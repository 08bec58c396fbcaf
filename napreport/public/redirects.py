"""Addresses in another language's words (/fr/progress/2013-2014/, the French pages' addresses before their paths
were translated): a permanent redirect to the page's own address (/fr/progres/2013-2014/), the query kept, so that
bookmarks, shared links and the editions already published keep working."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from napreport.public.views import read_only


@read_only
def page_in_other_words(request: HttpRequest, language: str, path: str) -> HttpResponsePermanentRedirect:
    """`path` read as a public page's path in each other language; the first that names one is the page."""
    for other, _name in settings.LANGUAGES:
        if other == language:
            continue
        with override(other):
            try:
                match = resolve(f"/{other}/{path}")
            except Resolver404:
                continue
        if match.namespace == "public":
            with override(language):
                address = reverse(f"public:{match.url_name}", args=match.args, kwargs=match.kwargs)
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{address}?{query}" if query else address)
    raise Http404(_("No public page has this address."))
