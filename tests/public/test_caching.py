"""The public pages' cache: Django's cache framework on the "public" alias, HTTP headers for browsers, proxies
and CDNs, expired by every publication and by nothing else."""

import logging

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.public.caching import public_page
from napreport.report.models import NarrativeSection
from napreport.report.publishing import publish_period
from tests.public.conftest import MARKER

pytestmark = pytest.mark.django_db

PAGE = "/en/progress/2013-2014/"
FRENCH_PAGE = "/fr/progres/2013-2014/"


def cached_entries():
    """How many entries the public pages' cache (its own database table in the tests) holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM napreport_public_cache")
        return cursor.fetchone()[0]


def edit_behind_the_cache(published, text):
    """Change a published row directly, as no page may: a page rendered again shows `text`, a cached one not."""
    PublishedDeliverable.objects.filter(period=published).update(text_en=text)


@pytest.fixture
def publish_next_year(demo, published, django_capture_on_commit_callbacks):
    """Publish 2014-2015 (with the 2013-2014 narrative), running the on-commit hooks as a real commit would."""

    def publish():
        open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
        for section in NarrativeSection.objects.filter(period=published):
            section.pk, section.period = None, open_period
            section.save()
        open_period.start_review()  # publishing needs the review step
        with django_capture_on_commit_callbacks(execute=True):
            publish_period(open_period)

    return publish


def test_a_cached_page_is_served_without_rendering_it_again(client, published, django_assert_max_num_queries):
    first = client.get(PAGE)
    edit_behind_the_cache(published, "Rendered again")
    # One read of the shared cache, the page; nothing else.
    with django_assert_max_num_queries(1):
        again = client.get(PAGE)
    assert again.content == first.content and b"Rendered again" not in again.content


def test_a_page_from_the_cache_is_the_page_as_rendered(client, published):
    rendered, cached = client.get(PAGE), client.get(PAGE)
    assert cached.content == rendered.content
    assert dict(cached.items()) == dict(rendered.items())  # every header, the middleware's included


def test_a_publication_shows_at_once(client, published, publish_next_year):
    assert "Progress in 2014 to 2015" not in client.get("/en/").content.decode()
    assert "2014-2015" not in client.get("/en/downloads/").content.decode()
    publish_next_year()
    assert "Progress in 2014 to 2015" in client.get("/en/").content.decode()
    assert "2014-2015" in client.get("/en/downloads/").content.decode()


def test_a_publication_that_fails_leaves_the_cached_pages(client, demo, published, django_capture_on_commit_callbacks):
    first = client.get(PAGE).content
    edit_behind_the_cache(published, "Rendered again")
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)  # no narrative: refused
    open_period.start_review()  # publishing needs the review step
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="no English text"):
        publish_period(open_period)
    assert client.get(PAGE).content == first


def test_saving_a_period_without_publishing_it_leaves_the_cached_pages(
    client, demo, published, django_capture_on_commit_callbacks
):
    """The purge belongs to publishing, not to a receiver of the period's saves: a period moved through its
    lifecycle and saved, and a status saved, all committed, expire no page (a publication from a process that
    never loaded the public site expires them: tests/production/test_publish_from_a_script.py)."""
    cached = client.get(PAGE).content
    edit_behind_the_cache(published, "Rendered again")
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    coordinator = User.objects.get(username="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        open_period.start_review(coordinator)
        open_period.reopen(coordinator)
        open_period.save()
        update = open_period.status_updates.first()
        update.note_en = "Saved, not published"
        update.save_unless_stale(coordinator, update.version)
    assert client.get(PAGE).content == cached
    caches["public"].clear()  # rendered again, the page shows the edit: the one above came from the cache
    assert b"Rendered again" in client.get(PAGE).content


def test_date_modified_and_last_modified_follow_the_publication(client, published, publish_next_year):
    client.get("/en/")
    publish_next_year()
    latest = ReportingPeriod.objects.get(start_year=2014).published_at
    response = client.get("/en/")
    assert f">{latest.astimezone():%Y-%m-%d}</time>" in response.content.decode()
    assert response["Last-Modified"] == http_date(latest.timestamp())


def test_public_pages_tell_browsers_and_proxies_they_may_keep_them(client, published, settings):
    settings.PUBLIC_CACHE_MAX_AGE = 300
    for response in (client.get(PAGE), client.get(PAGE)):  # rendered, then from the cache
        assert sorted(response["Cache-Control"].split(", ")) == ["max-age=300", "public"]
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"] == http_date(published.published_at.timestamp())
        assert not response.has_header("Expires") and not response.has_header("Age")


def test_a_matching_if_none_match_is_answered_304(client, published):
    etag = client.get(PAGE)["ETag"]
    for _ in range(2):
        response = client.get(PAGE, headers={"if-none-match": etag})
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == etag and "public" in response["Cache-Control"]
    assert client.get(PAGE, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_an_if_modified_since_after_the_publication_is_answered_304(client, published):
    last_modified = client.get(PAGE)["Last-Modified"]
    assert client.get(PAGE, headers={"if-modified-since": last_modified}).status_code == 304
    before = http_date(published.published_at.timestamp() - 3600)
    assert client.get(PAGE, headers={"if-modified-since": before}).status_code == 200


def test_after_a_publication_the_old_etag_gets_the_new_page(client, published, publish_next_year):
    etag = client.get("/en/")["ETag"]
    publish_next_year()
    response = client.get("/en/", headers={"if-none-match": etag})
    assert response.status_code == 200 and "Progress in 2014 to 2015" in response.content.decode()
    assert response["ETag"] != etag


def test_staff_pages_are_never_public(client, demo):
    client.force_login(User.objects.get(username="coordinator"))
    for url in ("/admin/", "/admin/commitments/statusupdate/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control and "public" not in cache_control, url


def test_english_and_french_are_cached_separately(client, published):
    english, french = client.get(PAGE), client.get(FRENCH_PAGE)
    for _ in range(2):
        assert client.get(PAGE).content == english.content
        assert client.get(FRENCH_PAGE).content == french.content
    assert '<html lang="en">' in english.content.decode() and '<html lang="fr">' in french.content.decode()
    assert client.get(PAGE)["Content-Language"] == "en"
    assert client.get(FRENCH_PAGE)["Content-Language"] == "fr"
    assert english["ETag"] != french["ETag"]


def test_each_known_query_string_is_its_own_page(client, published):
    everything = client.get(PAGE).content
    filtered = client.get(PAGE + "?department=rcmp").content
    assert filtered != everything
    assert client.get(PAGE + "?department=rcmp").content == filtered
    assert client.get(PAGE).content == everything


def test_unknown_query_parameters_create_no_cache_entries(client, published):
    page = client.get(PAGE).content
    entries = cached_entries()
    for number in range(30):
        assert client.get(f"{PAGE}?x={number}").content == page
        assert client.get(f"{PAGE}?department=rcmp&utm_source={number}").status_code == 200
    assert cached_entries() == entries + 1  # the ?department=rcmp page, once


def test_unknown_parameters_are_dropped_from_the_page_s_own_links(client, published):
    html = client.get(PAGE + "?department=rcmp&x=1").content.decode()
    assert "department=rcmp" in html and "x=1" not in html


def test_made_up_query_strings_do_not_expire_the_cached_pages(client, published):
    """Issue #17: 300 made-up query strings used to evict the publication's key, expiring every page."""
    home, page = client.get("/en/").content, client.get(PAGE).content
    edit_behind_the_cache(published, "Rendered again")
    for number in range(300):
        client.get(f"{PAGE}?x={number}")
    assert client.get(PAGE).content == page and client.get("/en/").content == home


def test_a_cull_costs_at_most_one_page_per_entry_it_removes(client, published, settings):
    # Django's database cache: past MAX_ENTRIES, a third of the entries go (one entry per page).
    public = {**settings.CACHES["public"], "OPTIONS": {"MAX_ENTRIES": 10}}
    with override_settings(CACHES={**settings.CACHES, "public": public}):
        caches["public"].clear()
        columns = ("status", "task_code", "start_year", "pillar_number", "text")
        urls = [f"{PAGE}?sort={order}{column}" for column in columns for order in ("", "-")]
        pages = {url: client.get(url).content for url in urls}
        assert cached_entries() == 10
        edit_behind_the_cache(published, "Rendered again")
        client.get(PAGE + "?sort=leads_en")  # one page more: 11 entries
        client.get(PAGE + "?sort=-leads_en")  # and another: past 10, 11 // 3 entries culled first
        assert cached_entries() == 11 - 3 + 1
        still_cached = [url for url in urls if client.get(url).content == pages[url]]
        assert len(still_cached) >= len(urls) - 3
        for url in set(urls) - set(still_cached):
            assert b"Rendered again" in client.get(url).content


def test_a_cached_page_still_gets_the_security_headers(client, published):
    fresh, cached = client.get(PAGE), client.get(PAGE)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert cached[header] == fresh[header], header
    assert cached["Content-Type"] == "text/html; charset=utf-8"
    assert "Set-Cookie" not in cached


def test_a_cached_download_keeps_its_type_and_file_name(client, published):
    url = "/fr/telechargements/2013-2014/tableau-des-mesures.csv"
    fresh, cached = client.get(url), client.get(url)
    assert cached.getvalue() == fresh.getvalue()  # a stored file is streamed (getvalue joins it)
    assert cached["Content-Type"] == "text/csv; charset=utf-8"
    assert cached["Content-Disposition"] == fresh["Content-Disposition"]
    assert fresh["Content-Disposition"] == 'attachment; filename="action-items-2013-2014-fr.csv"'


def test_no_draft_data_is_ever_cached(client, draft_marker):
    urls = ("/en/", "/fr/", PAGE, "/en/changes/", "/en/downloads/", "/en/progress/2013-2014/?download=json")
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get("/en/progress/2014-2015/").status_code == 404
    assert cached_entries() == len(urls)
    for url in urls:
        assert MARKER.encode() not in client.get(url).content, url


def test_errors_are_not_cached(client, published):
    assert client.get("/en/progress/2014-2015/").status_code == 404
    assert client.get("/en/progress/2013-2014/?download=xml").status_code == 404
    assert client.get(PAGE + "?page=999").status_code == 404
    assert cached_entries() == 0


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
def test_responses_for_one_visitor_are_not_cached_here_or_by_proxies(view):
    calls = []

    @public_page
    def counted(request):
        calls.append(request)
        return view(request)

    for _ in range(2):
        request = RequestFactory().get("/en/hello/")
        request.session = SessionStore()
        request.user = SimpleLazyObject(lambda request=request: get_user(request))
        response = counted(request)
        assert "public" not in response.get("Cache-Control", "")
    assert len(calls) == 2
    assert cached_entries() == 0


def test_only_get_and_head_are_cached():
    calls = []

    @public_page
    def counted(request):
        calls.append(request.method)
        return HttpResponse("hello")

    factory = RequestFactory()
    for request in (factory.get("/en/a/"), factory.head("/en/a/"), factory.post("/en/a/"), factory.post("/en/a/")):
        counted(request)
    assert calls == ["GET", "POST", "POST"]


def test_a_redis_outage_serves_pages_uncached_not_errors(client, published, settings, caplog):
    # Redis with nothing listening: every cache call fails at once, and django-redis ignores it (logged).
    unreachable = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    }
    with override_settings(CACHES={**settings.CACHES, "public": unreachable}), caplog.at_level(logging.ERROR):
        for _ in range(2):
            response = client.get(PAGE)
            assert response.status_code == 200 and "Deliverables, 2013–2014" in response.content.decode()
    assert any(record.name.startswith("django_redis") for record in caplog.records)
