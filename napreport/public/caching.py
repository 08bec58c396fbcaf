"""The public pages' cache: rendered once per publication, then served from memory.

Published data changes only when a period is published. Each publication starts a new *generation*, a random
token kept in the shared cache (the database, or Redis when REDIS_URL is set). A request reads the current
generation (one small cache round trip), then looks for its page, keyed by generation, language and full path:
first in this process's memory, then in the shared cache, where other instances may already have put it. A
publication through any instance changes the generation, so every instance stops serving the old pages at once.

Only the view's own response is kept (status, body, the headers the view set); the middleware still runs on
every request, so security headers, Content-Language and the like are added as for any other response.
"""

import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, has_vary_header
from django.utils.translation import get_language

GENERATION_KEY = "public:generation"

logger = logging.getLogger(__name__)


def current_generation():
    """The publication generation every instance agrees on; a new one if the shared cache lost it."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # After a cache clear or an eviction: a fresh random token can never bring back an older page.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def new_generation():
    """Called once a publication is committed: every cached page, in every instance, is stale from now on."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


class Pages:
    """This process's rendered pages of one generation, least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.generation = None
        self.pages = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, generation, key):
        with self.lock:
            if generation != self.generation:
                self.generation, self.size = generation, 0
                self.pages.clear()
                return None
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, generation, key, page):
        size = len(page[2])
        # Pages larger than an eighth of the budget (big downloads) stay in the shared cache only.
        if generation != self.generation or size > self.max_bytes // 8:
            return
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = page
            self.size += size
            while self.size > self.max_bytes:
                _, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped[2])


pages = Pages(settings.PUBLIC_CACHE_MEMORY)


def page_key(generation, request):
    path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"public:page:{generation}:{get_language()}:{path}"


def cacheable(request, response):
    """A complete 200 that is the same for everybody: no cookie set, no Vary on Cookie, nothing private.

    The page is kept as the view returned it, before the middleware adds its cookies and Vary headers, so
    what would make them say "this visitor's page" is checked on the request: a CSRF token or the session
    (and through it the signed-in user) used while rendering."""
    cache_control = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and not cache_control & {"private", "no-store", "no-cache"}
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
    )


def public_page(view):
    """Serve a public page (the same for every visitor) from the cache until the next publication.

    If the shared cache fails (Redis down, say), pages are served fresh: no cached page can be trusted
    without the generation, and an uncached page is better than an error page.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        try:
            generation = current_generation()
            key = page_key(generation, request)
            page = pages.get(generation, key)
            if page is None:
                page = cache.get(key)
                if page is not None:
                    pages.put(generation, key, page)
        except Exception as error:
            logger.warning("Shared cache unavailable, serving %s uncached: %s", request.path, error)
            return view(request, *args, **kwargs)
        if page is not None:
            status, headers, content = page
            return HttpResponse(content, status=status, headers=headers)

        response = view(request, *args, **kwargs)
        if cacheable(request, response):
            page = (response.status_code, dict(response.items()), response.content)
            try:
                cache.set(key, page, settings.PUBLIC_CACHE_SECONDS)
            except Exception as error:
                logger.warning("Shared cache unavailable, %s not stored: %s", request.path, error)
                return response
            pages.put(generation, key, page)
        return response

    return cached_view
