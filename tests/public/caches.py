"""The caches of a test that counts queries: every alias of settings.CACHES in memory, so that reading the page
cache is not itself a database query."""

LOCMEM = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "public"},
    "public-recent": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "public-recent"},
}
