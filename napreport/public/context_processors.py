from napreport.public.published import last_modified


def date_modified(request):
    """ "Date modified" at the bottom of every public page: when the public data last changed.

    A callable, so the query runs only where a template shows it; public pages are rendered once per
    publication (napreport.public.caching), so it is not cached separately, and never goes stale."""
    return {"date_modified": last_modified}
