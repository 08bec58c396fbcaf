from django.core.cache import cache

from commitments.public import last_modified


def date_modified(request):
    """ "Date modified" at the bottom of every page: when the public data last changed (cached)."""
    modified = cache.get("public:date-modified")
    if modified is None:
        modified = last_modified() or ""
        cache.set("public:date-modified", modified)
    return {"date_modified": modified}
