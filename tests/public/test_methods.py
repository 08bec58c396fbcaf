"""Public pages answer GET and HEAD only: POST, PUT, PATCH, DELETE, OPTIONS and TRACE get a 405 with
`Allow: GET, HEAD` (not the page, nor a CSRF 403), before the page cache, and change nothing."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils.translation import override

from napreport.report.open_data import DATAPACKAGE_NAME
from tests.public.test_hostile_input import build, public_patterns, valid_values
from tests.security.test_url_permissions import changed_tables, snapshot

pytestmark = pytest.mark.django_db

REFUSED_METHODS = ["post", "put", "patch", "delete", "options", "trace"]
FORM = "application/x-www-form-urlencoded"


def path_values(published):
    """A valid value of each path parameter (a year's open-data folder holds its data package)."""
    return {**valid_values(published), "name": DATAPACKAGE_NAME}


def public_urls(published):
    """Every public URL pattern in each language, in that language's words (/fr/progres/…)."""
    valid = path_values(published)
    urls = ["/robots.txt", "/sitemap.xml"]
    for language in ("en", "fr"):
        with override(language):
            for name, route, _parameters in public_patterns():
                values = {**valid, "file_format": "pdf"} if name == "report-file" else valid
                urls.append(f"/{language}/{build(route, values)}")
    return urls


def old_french_urls(published):
    """The French pages' addresses in English words, which redirect to their French ones."""
    valid = path_values(published)
    return [f"/fr/{build(route, valid)}" for name, route, _parameters in public_patterns() if route]


def test_every_public_url_refuses_every_method_but_get_and_head(published):
    client = Client(enforce_csrf_checks=True)  # as a browser without the token, or a script, would ask
    urls = public_urls(published) + old_french_urls(published)
    assert len(urls) == 2 + 3 * len(public_patterns()) - 1  # the home page's path has no words
    assert "/fr/progres/2013-2014/" in urls and "/fr/progress/2013-2014/" in urls
    before = snapshot()
    wrong = []
    for url in urls:
        client.get(url)  # the page is in the cache: a refused method must not be given it
        for method in REFUSED_METHODS:
            # A body where the method has one (the test client's TRACE takes none).
            body = {} if method == "trace" else {"data": "text=changed", "content_type": FORM}
            response = getattr(client, method)(url, **body)
            if (response.status_code, response.get("Allow")) != (405, "GET, HEAD"):
                wrong.append((method.upper(), url, response.status_code, response.get("Allow")))
    assert wrong == []
    assert changed_tables(before, snapshot()) == []


def test_get_and_head_still_answer_on_every_public_url(published):
    client = Client()
    for url in public_urls(published):
        caches["public"].clear()
        for method in ("get", "head"):
            response = getattr(client, method)(url)
            assert response.status_code == 200, (method, url)
