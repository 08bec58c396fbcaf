"""The public page cache: one round trip per hit, shared between instances, expired by every publication."""

import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject

from commitments.models import ReportingPeriod
from napreport.public import caching
from napreport.public.caching import Pages, public_page
from napreport.report.models import NarrativeSection
from napreport.report.publishing import publish_period
from tests.public.conftest import MARKER

pytestmark = pytest.mark.django_db

PAGE = "/en/progress/2013-2014/"


@pytest.fixture
def instance(monkeypatch):
    """Switch the in-memory layer to that of another instance (or worker) of the app, sharing the cache."""
    instances = {}

    def switch(name):
        monkeypatch.setattr(caching, "pages", instances.setdefault(name, Pages(32 * 1024 * 1024)))

    switch("one")
    return switch


@pytest.fixture
def publish_next_year(demo, published, django_capture_on_commit_callbacks):
    """Publish 2014-2015 (with the 2013-2014 narrative), running the on-commit hooks as a real commit would."""

    def publish():
        open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
        for section in NarrativeSection.objects.filter(period=published):
            section.pk, section.period = None, open_period
            section.save()
        with django_capture_on_commit_callbacks(execute=True):
            publish_period(open_period)

    return publish


def test_a_cached_page_costs_one_query_the_generation(client, published, instance, django_assert_num_queries):
    first = client.get(PAGE)
    # The current generation, from the database cache; the page itself comes from this process's memory.
    with django_assert_num_queries(1):
        again = client.get(PAGE)
    assert again.content == first.content


def test_another_instance_takes_the_page_from_the_shared_cache(client, published, instance, django_assert_num_queries):
    first = client.get(PAGE)
    instance("two")
    # 1. the generation, 2. the page, rendered by instance one, from the shared cache.
    with django_assert_num_queries(2):
        assert client.get(PAGE).content == first.content
    with django_assert_num_queries(1):
        assert client.get(PAGE).content == first.content


def test_a_publication_through_one_instance_shows_at_once_through_the_other(
    client, published, instance, publish_next_year
):
    instance("one")
    assert "2014 to 2015" not in client.get("/en/").content.decode()
    instance("two")
    assert "2014 to 2015" not in client.get("/en/").content.decode()
    publish_next_year()  # through instance two
    instance("one")
    assert "Progress in 2014 to 2015" in client.get("/en/").content.decode()
    assert "2014-2015" in client.get("/en/downloads/").content.decode()


def test_date_modified_follows_the_publication(client, published, instance, publish_next_year):
    client.get("/en/")
    publish_next_year()
    latest = ReportingPeriod.objects.get(start_year=2014).published_at.astimezone().date()
    assert f"<time>{latest:%Y-%m-%d}</time>" in client.get("/en/").content.decode()


def test_a_lost_generation_is_replaced_by_a_new_one_never_an_old_one(client, published, instance):
    from django.core.cache import cache

    client.get(PAGE)
    old = cache.get(caching.GENERATION_KEY)
    cache.clear()
    assert client.get(PAGE).status_code == 200
    assert cache.get(caching.GENERATION_KEY) not in (None, old)


def test_english_and_french_are_cached_separately(client, published, instance):
    english, french = client.get(PAGE), client.get(PAGE.replace("/en/", "/fr/"))
    for _ in range(2):
        assert client.get(PAGE).content == english.content
        assert client.get(PAGE.replace("/en/", "/fr/")).content == french.content
    assert '<html lang="en">' in english.content.decode() and '<html lang="fr">' in french.content.decode()
    assert client.get(PAGE)["Content-Language"] == "en"
    assert client.get(PAGE.replace("/en/", "/fr/"))["Content-Language"] == "fr"


def test_each_query_string_is_its_own_page(client, published, instance):
    everything = client.get(PAGE).content
    filtered = client.get(PAGE + "?department=rcmp").content
    assert filtered != everything
    assert client.get(PAGE + "?department=rcmp").content == filtered
    assert client.get(PAGE).content == everything


def test_a_cached_page_still_gets_the_security_headers(client, published, instance):
    fresh, cached = client.get(PAGE), client.get(PAGE)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert cached[header] == fresh[header], header
    assert cached["Content-Type"] == "text/html; charset=utf-8"
    assert "Set-Cookie" not in cached


def test_a_cached_download_keeps_its_type_and_file_name(client, published, instance):
    url = "/fr/downloads/2013-2014/action-items.csv"
    fresh, cached = client.get(url), client.get(url)
    assert cached.content == fresh.content
    assert cached["Content-Type"] == "text/csv; charset=utf-8"
    assert cached["Content-Disposition"] == fresh["Content-Disposition"]
    assert fresh["Content-Disposition"] == 'attachment; filename="action-items-2013-2014-fr.csv"'


def test_no_draft_data_is_ever_cached(client, draft_marker, instance):
    for url in ("/en/", "/fr/", PAGE, "/en/changes/", "/en/downloads/", "/en/progress/2013-2014/?download=json"):
        assert client.get(url).status_code == 200
    assert client.get("/en/progress/2014-2015/").status_code == 404
    kept = list(caching.pages.pages.values())
    assert len(kept) == 6
    assert not any(MARKER.encode() in content for _, _, content in kept)


def test_errors_are_not_cached(client, published, instance):
    assert client.get("/en/progress/2014-2015/").status_code == 404
    assert client.get("/en/progress/2013-2014/?download=xml").status_code == 404
    assert not caching.pages.pages


def cookie_view(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


def vary_on_cookie_view(request):
    response = HttpResponse("hello")
    response["Vary"] = "Cookie"
    return response


def private_view(request):
    response = HttpResponse("hello")
    response["Cache-Control"] = "private"
    return response


def csrf_token_view(request):
    return HttpResponse(f"<input name=csrfmiddlewaretoken value={get_token(request)}>")


def signed_in_user_view(request):
    return HttpResponse(f"Signed in as {request.user}")


FOR_ONE_VISITOR = [cookie_view, vary_on_cookie_view, private_view, csrf_token_view, signed_in_user_view]


@pytest.mark.parametrize("view", FOR_ONE_VISITOR)
def test_responses_for_one_visitor_are_not_cached(view, instance):
    calls = []

    @public_page
    def counted(request):
        calls.append(request)
        return view(request)

    for _ in range(2):
        request = RequestFactory().get("/en/hello/")
        request.session = SessionStore()
        request.user = SimpleLazyObject(lambda request=request: get_user(request))
        counted(request)
    assert len(calls) == 2


def test_only_get_and_head_are_cached(instance):
    calls = []

    @public_page
    def counted(request):
        calls.append(request.method)
        return HttpResponse("hello")

    factory = RequestFactory()
    for request in (factory.get("/en/a/"), factory.head("/en/a/"), factory.post("/en/a/"), factory.post("/en/a/")):
        counted(request)
    assert calls == ["GET", "POST", "POST"]


def test_memory_keeps_the_most_recently_used_pages_within_its_budget():
    pages = Pages(max_bytes=800)
    pages.get("g1", "a")  # the first request of a generation starts its memory
    for key in "abcdefgh":
        pages.put("g1", key, (200, {}, b"x" * 100))
    pages.get("g1", "a")
    pages.put("g1", "i", (200, {}, b"x" * 100))
    assert list(pages.pages) == [*"cdefgha", "i"] and pages.size == 800
    pages.put("g1", "big", (200, {}, b"x" * 101))  # over an eighth of the budget: shared cache only
    assert "big" not in pages.pages


def test_memory_is_emptied_when_the_generation_changes():
    pages = Pages(max_bytes=1000)
    pages.get("g1", "a")
    pages.put("g1", "a", (200, {}, b"old"))
    assert pages.get("g2", "a") is None
    assert not pages.pages and pages.size == 0
    pages.put("g1", "a", (200, {}, b"late"))  # rendered before the publication: not kept
    assert pages.get("g2", "a") is None


def test_a_shared_cache_outage_serves_pages_fresh_not_errors(client, published, instance, caplog):
    # Redis with nothing listening: every cache call fails at once.
    unreachable = {"default": {"BACKEND": "napreport.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=unreachable):
        response = client.get(PAGE)
    assert response.status_code == 200 and "Deliverables, 2013-2014" in response.content.decode()
    assert "Shared cache unavailable" in caplog.text
