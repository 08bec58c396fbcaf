"""Pages of a long admin list that cost the same whatever the list's length (issue #17)."""

from functools import cached_property
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest

# Past this page the list is counted on its own first, as Django's paginator does, which refuses a page past the
# end without asking the database for it: a typed ?p=99999999999999999999 would otherwise be an OFFSET that
# overflows the database's integers (an error, not a page). A million pages of 50 is more than any list here.
MOST_PAGES = 1_000_000


class KeysFirstPaginator(Paginator):
    """Counts the list and finds the page's keys in one query, then loads the page's rows by those keys.

    For ORDER BY … LIMIT the database computes every selected column of every row before it sorts: for the
    status list, last year's status, target and notes (four correlated subqueries) and the joined columns of
    every status of every period, to keep 50. And Django's admin counts the list in a query of its own, which
    filters every row again (a search: both texts of every deliverable, once for the count and once for the
    page). Here one query selects only the key and the ordering's columns, with the list's length beside each
    key (COUNT(*) OVER ()), for the page the request asks for (`number`); the page itself is `rows` (the same
    columns, annotations and prefetches as the list) filtered to those keys, in the list's order: exactly the
    rows and the order of the plain slice, and still a QuerySet (the list_editable formset is built on it).
    A page past the end (or past MOST_PAGES), or an empty list, is counted by Django's own query.

    `rows` need not repeat the list's filters: the keys already obey them. Without it, the list itself is used,
    and its filters run a second time in the page's query (a department's scope: twice its subquery)."""

    object_list: QuerySet[Any]

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int | str,
        *args: Any,
        rows: QuerySet[Any] | None = None,
        number: int = 1,
    ):
        super().__init__(object_list, per_page, *args)
        self.rows = object_list if rows is None else rows
        self.requested = number
        self.requested_keys: list[Any] | None = None

    @cached_property
    def count(self) -> int:
        if not 1 <= self.requested <= MOST_PAGES:  # not a page, or past any list's end: Django's paginator says so
            return super().count
        bottom = (self.requested - 1) * self.per_page
        found = list(
            self.object_list.annotate(list_length=Window(Count("*"))).values_list("pk", "list_length")[
                bottom : bottom + self.per_page
            ]
        )
        if not found:
            return super().count
        self.requested_keys = [pk for pk, _length in found]
        return found[0][1]

    def page(self, number: int | str) -> Page[Any]:
        page = super().page(number)
        if self.requested_keys is not None and page.number == self.requested:
            keys: Any = self.requested_keys
        else:  # another page than the counted one: its keys in a subquery of the page's (the slice is still lazy)
            keys = page.object_list.values("pk")  # type: ignore[attr-defined]  # the queryset's slice
        # The page's rows alone are sorted again in the list's order (a total order: the admin's ends with the
        # primary key).
        page.object_list = self.rows.filter(pk__in=keys).order_by(*self.object_list.query.order_by)
        return page


class NotCountedAgain:
    """Stands in for a ChangeList's whole list while Django would count it a second time (CountedOnceChangeList)."""

    def count(self) -> None:
        return None


class CountedOnceChangeList(ChangeList):
    """Django's list, which counts its whole list a second time only when the address narrows it.

    Django's ChangeList counts the whole list (`root_queryset`) for the "12 results (35 total)" it writes beside
    a filtered or searched list, and counts it on every page, unfiltered too, where that total is the list's own
    count: a second scan of every row in scope at 100x the chart (5-6 ms of PostgreSQL for the coordinator's
    32,000 statuses of every period, 8 ms of SQLite for RCMP's scope). With no filter parameter and no search in
    the address (a page number or an ordering changes no count), the total is the list's count, which the
    paginator has made; otherwise it is counted as Django counts it. The list's filters narrow nothing without a
    parameter of theirs (none applies a default)."""

    def get_results(self, request: HttpRequest) -> None:
        narrowed = self.get_filters_params() or self.query
        if narrowed or not self.model_admin.show_full_result_count:  # Django's own count, or its "Show all"
            return super().get_results(request)
        # Django's get_results reads the whole list for its count alone.
        whole_list, self.root_queryset = self.root_queryset, NotCountedAgain()  # type: ignore[assignment]
        try:
            super().get_results(request)
        finally:
            self.root_queryset = whole_list
        self.full_result_count = self.result_count
        self.show_admin_actions = bool(self.result_count)  # as Django decides it from the whole list's count
        return None
