"""Each process's copies of the pages it served in the last second ("public-recent", in front of the shared
cache): what a copy saves, and how long a page can be older than a publication made by another process."""

import time
import types

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem

from commitments.models import PublishedDeliverable
from napreport.report.publishing import expire_public_pages

pytestmark = pytest.mark.django_db

PAGE = "/en/progress/2013-2014/"


@pytest.fixture(autouse=True)
def recent_copies(settings):
    """The production setting (the tests' default is 0), and no copy left by another test of this process."""
    settings.PUBLIC_CACHE_RECENT_SECONDS = 1
    caches["public-recent"].clear()
    yield
    caches["public-recent"].clear()


def another_process_publishes(period, text):
    """What a publication made by another process leaves here: new rows, an empty shared cache, and this
    process's copies untouched (they are in its memory)."""
    PublishedDeliverable.objects.filter(period=period).update(text_en=text)
    caches["public"].clear()


def seconds_later(monkeypatch, seconds):
    """The local-memory cache's clock moved on by `seconds` (it reads time.time() for expiry)."""
    now = time.time()
    monkeypatch.setattr(locmem, "time", types.SimpleNamespace(time=lambda: now + seconds))


def test_a_page_served_again_within_the_second_costs_no_query_and_no_shared_read(
    client, published, django_assert_num_queries
):
    first = client.get(PAGE)
    caches["public"].clear()  # a read of the shared cache would now miss and render the page again
    with django_assert_num_queries(0):
        again = client.get(PAGE)
    assert again.content == first.content
    assert dict(again.items()) == dict(first.items())  # every header, the middleware's included


def test_another_process_publication_shows_once_the_second_is_over(client, published, monkeypatch):
    client.get(PAGE)
    another_process_publishes(published, "Published since")
    assert b"Published since" not in client.get(PAGE).content  # within the second: this process's copy
    seconds_later(monkeypatch, 1.01)
    assert b"Published since" in client.get(PAGE).content


def test_a_copy_is_taken_from_the_shared_cache_as_stored(client, published, monkeypatch):
    """A page another process rendered is copied here from the shared cache, and served as it was stored."""
    rendered = client.get(PAGE)
    caches["public-recent"].clear()  # as in another process, which has only the shared cache's entry
    PublishedDeliverable.objects.filter(period=published).update(text_en="Behind the shared cache")
    from_shared = client.get(PAGE)
    caches["public"].clear()
    again = client.get(PAGE)  # this process's copy now
    assert from_shared.content == rendered.content == again.content
    assert b"Behind the shared cache" not in again.content


def test_publishing_in_this_process_empties_its_copies(client, published):
    client.get(PAGE)
    PublishedDeliverable.objects.filter(period=published).update(text_en="Published here")
    expire_public_pages()  # what publish_period runs once its transaction commits
    assert b"Published here" in client.get(PAGE).content


def test_nothing_is_kept_when_turned_off(client, published, settings):
    settings.PUBLIC_CACHE_RECENT_SECONDS = 0
    client.get(PAGE)
    another_process_publishes(published, "Shown at once")
    assert b"Shown at once" in client.get(PAGE).content
