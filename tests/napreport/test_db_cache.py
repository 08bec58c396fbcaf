"""The database cache's leaner `get` answers exactly as Django's own does."""

import time

import pytest
from django.core.cache.backends.db import DatabaseCache as DjangosDatabaseCache

from napreport.db_cache import DatabaseCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def caches():
    """Ours and Django's, on the same table (created by the migration)."""
    ours, djangos = DatabaseCache("napreport_cache", {}), DjangosDatabaseCache("napreport_cache", {})
    ours.clear()
    return ours, djangos


@pytest.mark.parametrize("value", ["a7f3c9", 42, None, {"status": 200, "body": b"\x00<html>\xc3\xa9"}, ("x", [1, 2])])
def test_get_reads_what_django_wrote(caches, value):
    ours, djangos = caches
    djangos.set("key", value, None)
    assert ours.get("key", default="missing") == djangos.get("key", default="missing") == value


def test_a_missing_key_gives_the_default(caches):
    ours, _djangos = caches
    assert ours.get("nothing-here") is None and ours.get("nothing-here", default=7) == 7


def test_an_expired_value_is_not_returned(caches):
    ours, djangos = caches
    djangos.set("brief", "soon gone", 1)
    assert ours.get("brief") == "soon gone"
    time.sleep(2.1)  # expiry is stored to the second
    assert ours.get("brief", default="expired") == djangos.get("brief", default="expired") == "expired"


def test_versions_are_kept_apart(caches):
    ours, djangos = caches
    djangos.set("key", "one", None, version=1)
    djangos.set("key", "two", None, version=2)
    assert (ours.get("key", version=1), ours.get("key", version=2)) == ("one", "two")
