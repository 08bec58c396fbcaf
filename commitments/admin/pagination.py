"""Pages of a long admin list that cost the same whatever the list's length (issue #17)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """Sorts and slices only the rows' primary keys, then loads the page's rows by those keys.

    For ORDER BY … LIMIT the database computes every selected column of every row before it sorts: for the
    status list, last year's status, target and notes (four correlated subqueries) and the joined columns of
    every status of every period, to keep 50. The page's keys come from a query that selects only the key and
    the ordering's columns; the page itself is `rows` (the same columns, annotations and prefetches as the list)
    filtered to those keys, in the list's order: one query (the keys are a subquery), exactly the rows and the
    order of the plain slice, and still a QuerySet (the list_editable formset is built on it).

    `rows` need not repeat the list's filters: the keys already obey them. Without it, the list itself is used,
    and its filters run a second time in the page's query (a department's scope: twice its subquery)."""

    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int | str, *args: Any, rows: QuerySet[Any] | None = None):
        super().__init__(object_list, per_page, *args)
        self.rows = object_list if rows is None else rows

    def page(self, number: int | str) -> Page[Any]:
        page = super().page(number)
        # The slice is still lazy here: only its keys are asked for, in the list's order (a total order: the
        # admin's ends with the primary key), then the page's rows alone are sorted again in that order.
        keys = page.object_list.values("pk")  # type: ignore[attr-defined]  # the queryset's slice
        page.object_list = self.rows.filter(pk__in=keys).order_by(*self.object_list.query.order_by)
        return page
