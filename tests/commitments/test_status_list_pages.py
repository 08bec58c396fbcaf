"""The status list's pages (commitments.admin.pagination, issue #17): each page sorts only the rows' keys and loads
its own rows by them, and shows exactly the rows, in the order, that the plain slice of the list shows."""

import math
import re

import pytest
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.admin.status_updates import StatusUpdateAdmin
from commitments.models import StatusUpdate
from tests.commitments.staff_requests import client_for, grow_open_period

pytestmark = pytest.mark.django_db

LIST = reverse("admin:commitments_statusupdate_changelist")


def rows_of(html):
    """The status updates of a page of the list, in the order shown."""
    return [int(pk) for pk in re.findall(r'name="form-\d+-id" value="(\d+)"', html)]


def every_page(client, query):
    """Each page's rows, from the first page to the last."""
    first = client.get(LIST, query).content.decode()
    count = int(re.search(r"(\d+) status updates?\b", first)[1])
    pages = range(1, math.ceil(count / StatusUpdateAdmin.list_per_page) + 1)
    return [rows_of(client.get(LIST, {**query, "p": number}).content.decode()) for number in pages]


@pytest.mark.parametrize(
    "role, query",
    [
        ("coordinator", {}),
        ("coordinator", {"lead": "rcmp"}),
        ("coordinator", {"status": "ongoing"}),
        ("coordinator", {"o": "1"}),  # sorted by task: the list's own order breaks the ties
        ("coordinator", {"q": "Extra"}),
        ("staff_a", {}),
    ],
)
def test_every_page_shows_the_rows_of_the_plain_slice_in_the_same_order(demo, role, query, monkeypatch):
    grow_open_period(60)  # RCMP's list runs on to a second page too
    client = client_for(role)
    pages = every_page(client, query)
    # Django's own paginator and its way of making one: each page is the plain slice of the list.
    monkeypatch.setattr(StatusUpdateAdmin, "paginator", Paginator)
    monkeypatch.setattr(StatusUpdateAdmin, "get_paginator", admin.ModelAdmin.get_paginator)
    assert pages == every_page(client, query)
    assert len(pages) > 1 and all(len(page) == 50 for page in pages[:-1])
    shown = [pk for page in pages for pk in page]
    assert len(shown) == len(set(shown))  # no row on two pages
    if role == "staff_a":  # the department's own rows only, on every page
        assert set(shown) == set(
            StatusUpdate.objects.filter(period__state="open", deliverable__leads__slug="rcmp").values_list(
                "pk", flat=True
            )
        )


def test_a_page_sorts_only_the_keys_and_loads_its_rows_by_them(demo):
    client = client_for("coordinator")
    client.get(LIST)  # content types and the like are cached by the first request
    with CaptureQueriesContext(connection) as captured:
        html = client.get(LIST, {"p": 2}).content.decode()
    assert len(rows_of(html)) == 50
    # One query loads the page's rows with last year's status (a correlated subquery per row); it is the only one.
    [rows_query] = [query["sql"] for query in captured.captured_queries if '"previous_status"' in query["sql"]]
    slice_end = rows_query.index("LIMIT 50 OFFSET 50") + len("LIMIT 50 OFFSET 50")
    keys_query = rows_query[rows_query.rindex("(SELECT ", 0, slice_end) : slice_end]
    # The sorted and sliced query selects the key alone: no last year's columns, no texts, for every row it sorts.
    assert keys_query.startswith('(SELECT V0."id"') and " FROM " in keys_query
    assert "previous" not in keys_query and "text_en" not in keys_query and "U0" not in keys_query
    # The rows are those keys': the loading query itself is neither sliced nor offset.
    assert "LIMIT" not in rows_query[slice_end:] and "OFFSET" not in rows_query.replace("OFFSET 50)", "")


def test_a_departments_page_runs_its_scope_once(demo):
    grow_open_period(60)  # RCMP's list runs on to a second page
    client = client_for("staff_a")
    client.get(LIST)  # content types and the like are cached by the first request
    with CaptureQueriesContext(connection) as captured:
        html = client.get(LIST, {"p": 2}).content.decode()
    assert rows_of(html)
    [rows_query] = [query["sql"] for query in captured.captured_queries if "OFFSET 50" in query["sql"]]
    assert '"previous_status"' in rows_query  # the page's rows (the banner of returned items reads them too)
    # The keys come from the department's scope; the rows are loaded by those keys alone, not scoped a second time.
    assert rows_query.count("department_members") == 1
