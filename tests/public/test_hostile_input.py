"""Every public URL, in both languages, with hostile path values and query parameters: a 404 or a page, never a 500."""

import re
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils.translation import override

from commitments.models import PublishedDeliverable
from napreport.public import urls

pytestmark = pytest.mark.django_db

# Beyond 64 bits, just beyond a bigint, beyond an int, negative, zero, not a number, NUL, traversal, huge, odd text.
HOSTILE_PATH_VALUES = [
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "abc",
    "\x00",
    "2013-2014\x00",
    "..",
    "x" * 2000,
    "2013-2014" * 50,
    "é",
    "%",
    " ",
    "1e9",
]
HOSTILE_VALUES = ["-1", "0", "abc", "1.5", "99999999999999999999", "\x00", "x" * 5000, "", "%ff", "1000"]
QUERY_PARAMETERS = ["page", "per_page", "sort", "download", "q", "pillar", "objective", "task", "department"]
QUERY_PARAMETERS += ["status", "from", "to"]
EXTRA_QUERIES = [
    {"sort": "nonsense"},
    {"sort": "-"},
    {"sort": "text__foo"},
    {"sort": "task_code,-bogus"},
    {"download": "xyz"},
    {"download": "csv\x00"},
    {"page": "999999"},
    {"per_page": "1000", "page": "2"},
    {"from": "2013-2014", "to": "2013-2014"},
    {"from": "2099-2100"},
]


def public_patterns():
    """(name, route, parameter names) of every public URL pattern, read from napreport.public.urls itself."""
    patterns = []
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        patterns.append((pattern.name, route, re.findall(r"<(?:\w+:)?(\w+)>", route)))
    return patterns


def valid_values(published):
    deliverable = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    return {
        "year": "2013-2014",
        "pk": str(deliverable),
        "slug": "rcmp",
        "language": "en",
        "file_format": "csv",
        "name": "datapackage.json",
    }


def build(route, values):
    path = route
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", quote(value, safe=""), path)
    return path


def status_of(client, url):
    caches["public"].clear()  # a cached page must not hide what the view does with the value
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_the_patterns_enumerated_are_every_public_url(published):
    names = {name for name, _route, _parameters in public_patterns()}
    assert names == {
        "home",
        "progress",
        "deliverable-detail",
        "department-list",
        "department-detail",
        "changes",
        "downloads",
        "report-file",
        "chart-download",
        "data-dictionary",
        "open-data-file",
    }


def test_hostile_path_values_are_404_never_500(published):
    client = Client(raise_request_exception=False)
    valid = valid_values(published)
    failures = []
    for language in ("en", "fr"):
        with override(language):  # each language's own paths (/fr/progres/…)
            patterns = public_patterns()
        for name, route, parameters in patterns:
            base = {**valid, "file_format": "pdf"} if name == "report-file" else valid
            # The valid URL itself works, so the hostile values below are what is refused.
            url = f"/{language}/{build(route, base)}"
            assert status_of(client, url) == 200, url
            for parameter in parameters:
                for value in HOSTILE_PATH_VALUES:
                    url = f"/{language}/{build(route, {**base, parameter: value})}"
                    status = status_of(client, url)
                    if status != 404:
                        failures.append((status, url[:120]))
    assert failures == []


def test_hostile_query_parameters_give_a_page_or_a_404_never_500(published):
    client = Client(raise_request_exception=False)
    valid = valid_values(published)
    queries = [{parameter: value} for parameter in QUERY_PARAMETERS for value in HOSTILE_VALUES]
    queries += EXTRA_QUERIES
    failures = []
    for language in ("en", "fr"):
        with override(language):  # each language's own paths (/fr/progres/…)
            patterns = public_patterns()
        for name, route, _parameters in patterns:
            base = {**valid, "file_format": "pdf"} if name == "report-file" else valid
            path = f"/{language}/{build(route, base)}"
            for query in queries:
                url = f"{path}?{urlencode(query)}"
                status = status_of(client, url)
                if status not in (200, 404):
                    failures.append((status, url[:120]))
    assert failures == []


def deliverable_links(client, url):
    caches["public"].clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().count('href="/en/deliverables/')


@pytest.mark.parametrize("per_page", ["-1", "0", "1000", "101", "abc", "99999999999999999999"])
def test_a_per_page_outside_the_allowed_sizes_keeps_the_default_page_size(client, published, per_page):
    assert PublishedDeliverable.objects.filter(period=published).count() > 100
    assert deliverable_links(client, f"/en/progress/2013-2014/?per_page={per_page}") == 25


@pytest.mark.parametrize("per_page", [50, 100])
def test_an_allowed_per_page_is_honoured(client, published, per_page):
    assert deliverable_links(client, f"/en/progress/2013-2014/?per_page={per_page}") == per_page


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", ""])
def test_a_page_that_is_not_a_page_number_shows_the_first_page(client, published, page):
    first = client.get("/en/progress/2013-2014/").content.decode()
    caches["public"].clear()
    response = client.get(f"/en/progress/2013-2014/?page={page}")
    assert response.status_code == 200
    links = re.findall(r'href="/en/deliverables/\d+/"', response.content.decode())
    assert links == re.findall(r'href="/en/deliverables/\d+/"', first)


@pytest.mark.parametrize("page", ["6", "999999", "99999999999999999999"])
def test_a_page_beyond_the_last_is_a_404(client, published, page):
    assert PublishedDeliverable.objects.filter(period=published).count() <= 5 * 25
    assert client.get(f"/en/progress/2013-2014/?page={page}").status_code == 404
