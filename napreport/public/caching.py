"""HTTP caching of the public pages, with Django's cache framework and the web's own headers.

A public page is the same for every visitor until the next publication, so:
- the rendered page is kept in the "public" cache (settings.CACHES, Django's cache framework), shared by every
  instance, under one key per page (`cache_whole_page`), and each process keeps the pages it served in the last
  second ("public-recent"); publishing a period empties both (napreport.report.publishing), and nothing else does;
- the page says so to browsers, proxies and CDNs: `Cache-Control: public, max-age=…`, an `ETag` and a
  `Last-Modified` (the last publication), and a conditional request is answered 304 by Django's
  `conditional_page`.

Only the view's own response is cached; the middleware still runs on every request, so security headers,
Content-Language and the like are added as for any other response.
"""

import hashlib
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any, overload

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import has_vary_header, patch_cache_control, set_response_etag
from django.utils.http import http_date
from django.views.decorators.http import conditional_page

from napreport.public.published import last_modified
from napreport.report.publishing import PUBLIC_PAGES_CACHE, PUBLIC_PAGES_RECENT_CACHE

# A view: a request (and the URL's arguments) in, a response out.
View = Callable[..., HttpResponse]


def spread_key(key: str, key_prefix: str, version: int) -> str:
    """Django's cache key, led by a hash of itself (the "public" database cache's KEY_FUNCTION).

    Past MAX_ENTRIES, Django's database cache culls the lowest keys first: with keys that share a beginning, one
    cull takes a block of related entries (with Django's cache_page, the header entry of nearly every page, without
    which no page can be found). Led by a hash, a cull takes entries at random, so removing N entries costs at
    most N pages."""
    spread = hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{spread}:{key_prefix}:{version}:{key}"


def last_publication(request: HttpRequest) -> datetime | None:
    """When the public data last changed (the latest publication), read once per request."""
    memo = vars(request)
    if "_last_publication" not in memo:
        memo["_last_publication"] = last_modified()
    return memo["_last_publication"]


def keep_known_query(names: Iterable[str]) -> Callable[[View], View]:
    """Drop the query parameters a page does not read, before anything sees the request.

    The cache key is the URL, so a made-up parameter (`?x=1`, `?x=2`, …) would otherwise store one more copy
    of the same page each time; without it the request is the page it shows, and is served from the cache.
    """
    known = tuple(names)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.META.get("QUERY_STRING"):
                kept = QueryDict(mutable=True)
                for name in known:
                    if name in request.GET:
                        kept.setlist(name, request.GET.getlist(name))
                # The stubs type request.GET as immutable; the page reads this reduced copy instead.
                request.GET = kept  # type: ignore[assignment]
                request.META["QUERY_STRING"] = kept.urlencode()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def for_one_visitor(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the response is this visitor's own: it sets a cookie or varies on it, or its rendering read the
    session (and through it the signed-in user) or a CSRF token. The middleware that would say so in the
    headers (sessions, CSRF) runs after the page is cached, so it is checked here, on the request."""
    session = getattr(request, "session", None)
    return bool(
        response.cookies
        or has_vary_header(response, "Cookie")
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (session is not None and session.accessed)
    )


def stamp_publication(view: View) -> View:
    """Inside the cache: a page for everybody gets its ETag and the last publication as Last-Modified, once,
    when it is rendered; a page for one visitor is marked private, so neither we nor a proxy keep it."""

    @wraps(view)
    def stamped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        if for_one_visitor(request, response):
            patch_cache_control(response, private=True)
            return response
        published = last_publication(request)
        if published is not None and not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(published.timestamp())
        set_response_etag(response)
        return response

    return stamped


# Part of every page's key: change it with what `stored_page` stores, so that instances of the new code never
# read what the old code stored (during a deploy both run against the same cache).
STORED_PAGE_FORMAT = "headers-zlib"


def cache_whole_page(view: View) -> View:
    """The page in the "public" cache under one key, its URL: a hit is one read of the shared cache.

    Django's cache_page would do the same job in two reads (the list of headers the page varies on, then the
    page), which the public benchmark measured at 63–85 % of the floor against a target of 80 %. A public page
    varies on nothing but its URL: the language is in its path, the query is reduced to the parameters the page
    reads (keep_known_query), and a response for one visitor is never stored (stamp_publication marks it
    private). So one key, a hash of the URL (which may be longer than a cache key), is enough.

    What is stored is the page as plain data (its body and the headers the view gave it, see `stored_page`),
    not the pickled response object: rebuilding an HttpResponse from its pickle was a third of a hit's cost.

    In front of the shared cache, this process keeps the pages it served in the last PUBLIC_CACHE_RECENT_SECONDS,
    expanded (`recent_page`): the shared cache's round trip and zlib were two thirds of a hit's cost."""

    @wraps(view)
    def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = f"page-{STORED_PAGE_FORMAT}:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
        page = recent_page(key)
        if page is None:
            stored = caches[PUBLIC_PAGES_CACHE].get(key)
            if stored is None:
                response = view(request, *args, **kwargs)
                if request.method == "GET" and is_for_everybody(response):
                    stored = stored_page(response)
                    caches[PUBLIC_PAGES_CACHE].set(key, stored, settings.PUBLIC_CACHE_SECONDS)
                    keep_recent_page(key, (stored[0], response.content))
                return response
            page = (stored[0], zlib.decompress(stored[1]))
            keep_recent_page(key, page)
        headers, body = page
        return HttpResponse(body, headers=headers)

    return cached


def recent_page(key: str) -> tuple[dict[str, str], bytes] | None:
    """This process's copy of a page kept in the last PUBLIC_CACHE_RECENT_SECONDS, expanded (Django's
    local-memory cache, settings.CACHES "public-recent"); nothing is kept when that is 0. The setting is read at
    each request, so a test or a deployment can change it without restarting."""
    seconds = settings.PUBLIC_CACHE_RECENT_SECONDS
    return caches[PUBLIC_PAGES_RECENT_CACHE].get(key) if seconds else None


def keep_recent_page(key: str, page: tuple[dict[str, str], bytes]) -> None:
    if seconds := settings.PUBLIC_CACHE_RECENT_SECONDS:
        caches[PUBLIC_PAGES_RECENT_CACHE].set(key, page, seconds)


def is_for_everybody(response: HttpResponse) -> bool:
    """A complete page that anybody may be given: a 200, not streamed, not marked private or no-store."""
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def stored_page(response: HttpResponse) -> tuple[dict[str, str], bytes]:
    """(headers, compressed body) of a page for everybody: all it takes to give the same page again. A page for
    everybody sets no cookie (stamp_publication), so the headers are all there is besides the body.

    Compressed, a 27 KB table is 4 KB: the database cache stores values base64-encoded and reads them back with
    the row, so the smaller value is quicker to read than the time zlib takes to expand it."""
    return dict(response.items()), zlib.compress(response.content)


def public_cache_control(view: View) -> View:
    """Browsers, proxies and CDNs may keep a page for everybody PUBLIC_CACHE_MAX_AGE seconds.

    Inside the server-side cache: `max-age` is counted by whoever receives the page, so the header is the same
    whether the page was just rendered or came from the cache, and it is written once, when the page is rendered."""

    @wraps(view)
    def controlled(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if is_for_everybody(response):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
        return response

    return controlled


# The request headers that can make a page's answer a 304 or a 412 (RFC 9110, section 13.1).
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def answer_conditional_requests(view: View) -> View:
    """Django's conditional_page for the requests that ask a question (If-None-Match and the like); the others
    get the page as it is, without parsing its dates: conditional_page would return it unchanged."""
    conditional = conditional_page(view)

    @wraps(view)
    def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(header in request.META for header in CONDITIONAL_HEADERS):
            return conditional(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return answered


@overload
def public_page(view: View, *, query: Iterable[str] = ()) -> View: ...
@overload
def public_page(view: None = None, *, query: Iterable[str] = ()) -> Callable[[View], View]: ...
def public_page(view: View | None = None, *, query: Iterable[str] = ()) -> View | Callable[[View], View]:
    """A public page: the same for every visitor, cached until the next publication.

    `query` names the query parameters the page reads; any other is dropped (see keep_known_query).
    PUBLIC_CACHE_SECONDS = 0 turns the server-side cache off; the HTTP headers stay.
    """

    def decorator(view: View) -> View:
        page = public_cache_control(stamp_publication(view))
        if settings.PUBLIC_CACHE_SECONDS:
            page = cache_whole_page(page)
        return keep_known_query(query)(answer_conditional_requests(page))

    return decorator if view is None else decorator(view)
