"""Pages of a long admin list that cost the same whatever the list's length (issue #17)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """Sorts and slices only the rows' primary keys, then loads the page's rows by those keys.

    For ORDER BY … LIMIT the database computes every selected column of every row before it sorts: for the
    status list, last year's status, target and notes (four correlated subqueries) and the joined columns of
    every status of every period, to keep 50. The page's keys come from a query that selects only the key and
    the ordering's columns; the page itself is the same queryset filtered to those keys (one query: the keys are
    a subquery), so the rows and their order are exactly those of the plain slice, and the page is still a
    QuerySet (the list_editable formset is built on it)."""

    object_list: QuerySet[Any]

    def page(self, number: int | str) -> Page[Any]:
        page = super().page(number)
        # The slice is still lazy here: only its keys are asked for, in the list's order. Filtering keeps that
        # order (the admin's ordering is total: it ends with the primary key), applied to the page's rows alone.
        keys = page.object_list.values("pk")  # type: ignore[attr-defined]  # the queryset's slice
        page.object_list = self.object_list.filter(pk__in=keys)
        return page
