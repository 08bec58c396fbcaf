"""The status list's pages (commitments.admin.pagination, issue #17): each page counts the list and sorts only the
rows' keys in one query, loads its own rows by them, and shows exactly the count, the rows and the order that
Django's own paginator shows."""

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
    """The count shown, and each page's rows from the first page to the last."""
    first = client.get(LIST, query).content.decode()
    count = int(re.search(r"(\d+) status updates?\b", first)[1])
    pages = range(1, math.ceil(count / StatusUpdateAdmin.list_per_page) + 1)
    return count, [rows_of(client.get(LIST, {**query, "p": number}).content.decode()) for number in pages]


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
    count, pages = every_page(client, query)
    # Django's own paginator and its way of making one: each page is the plain slice of the list.
    monkeypatch.setattr(StatusUpdateAdmin, "paginator", Paginator)
    monkeypatch.setattr(StatusUpdateAdmin, "get_paginator", admin.ModelAdmin.get_paginator)
    assert (count, pages) == every_page(client, query)  # the count shown too
    assert len(pages) > 1 and all(len(page) == 50 for page in pages[:-1])
    shown = [pk for page in pages for pk in page]
    assert len(shown) == len(set(shown))  # no row on two pages
    if role == "staff_a":  # the department's own rows only, on every page
        assert set(shown) == set(
            StatusUpdate.objects.filter(period__state="open", deliverable__leads__slug="rcmp").values_list(
                "pk", flat=True
            )
        )


def test_the_count_and_the_pages_keys_come_from_one_query_and_the_rows_are_loaded_by_those_keys(demo):
    grow_open_period(60)  # "Extra" matches more than a page
    client = client_for("coordinator")
    client.get(LIST)  # content types and the like are cached by the first request
    with CaptureQueriesContext(connection) as captured:
        html = client.get(LIST, {"q": "Extra", "p": 2}).content.decode()
    shown = rows_of(html)
    matches = StatusUpdate.objects.filter(deliverable__text_en__icontains="extra").count()
    assert matches > 50 and f"{matches} status updates" in html and len(shown) == matches - 50
    # The search runs once: in the query that selects the page's keys with the list's length beside each.
    [keys_query] = [query["sql"] for query in captured.captured_queries if "LIKE" in query["sql"]]
    assert keys_query.startswith('SELECT "commitments_statusupdate"."id" AS "pk", COUNT(*) OVER () AS ')
    assert keys_query.endswith("LIMIT 50 OFFSET 50")
    # It selects the key alone: no last year's columns, no texts, for every row it sorts.
    assert "previous" not in keys_query and "text_en" not in keys_query
    # One query loads the page's rows with last year's status (a correlated subquery per row), by their keys.
    [rows_query] = [query["sql"] for query in captured.captured_queries if '"previous_status"' in query["sql"]]
    # (its only LIMITs are the correlated subqueries' LIMIT 1)
    assert "LIMIT 50" not in rows_query and "OFFSET" not in rows_query and "folded_text" not in rows_query
    keys = re.search(r'"commitments_statusupdate"\."id" IN \(([\d, ]+)\)', rows_query)[1]
    assert sorted(int(key) for key in keys.split(", ")) == sorted(shown)


@pytest.mark.parametrize(
    "number", ["999", "0", "-1", "abc", "1.5", "", "1000001", "9223372036854775807", "99999999999999999999"]
)
def test_a_page_that_is_not_there_is_answered_as_djangos_own_paginator_answers_it(demo, number, monkeypatch):
    grow_open_period(60)
    client = client_for("coordinator")
    ours = client.get(LIST, {"p": number})
    monkeypatch.setattr(StatusUpdateAdmin, "paginator", Paginator)
    monkeypatch.setattr(StatusUpdateAdmin, "get_paginator", admin.ModelAdmin.get_paginator)
    djangos = client.get(LIST, {"p": number})
    assert (ours.status_code, ours.get("Location")) == (djangos.status_code, djangos.get("Location"))
    if ours.status_code == 200:
        assert rows_of(ours.content.decode()) == rows_of(djangos.content.decode())


def test_a_departments_page_runs_its_scope_once(demo):
    grow_open_period(60)  # RCMP's list runs on to a second page
    client = client_for("staff_a")
    client.get(LIST)  # content types and the like are cached by the first request
    with CaptureQueriesContext(connection) as captured:
        html = client.get(LIST, {"p": 2}).content.decode()
    assert rows_of(html)
    [keys_query] = [query["sql"] for query in captured.captured_queries if "OFFSET 50" in query["sql"]]
    # The page's rows: last year's status, for the keys found (the banner of returned items reads them too).
    [rows_query] = [
        query["sql"]
        for query in captured.captured_queries
        if '"previous_status"' in query["sql"] and re.search(r'"commitments_statusupdate"\."id" IN \(\d', query["sql"])
    ]
    # The keys come from the department's scope; the rows are loaded by those keys alone, not scoped a second time.
    assert keys_query.count("department_members") == 1
    assert "department_members" not in rows_query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's covering index (migration 0020)")
def test_postgresql_keeps_the_deliverables_chart_order_in_a_covering_index(db):
    # What the list's keys query reads of each deliverable: its key, task and chart position. (A test's few rows
    # are read in full whatever the indexes; bench_pages.py measures the index's effect at 100x the chart.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'deliverable_chart_order'")
        [(definition,)] = cursor.fetchall()
    assert definition.endswith("USING btree (id) INCLUDE (task_id, chart_position)")


def totals_and_actions(client, query):
    """What the list says of its count ("3 results (35 total)", and the paginator's "N status updates"), whether
    it offers the actions, and how many queries the page took."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(LIST, query).content.decode()
    summary = re.search(r'<span class="small quiet">(.*?)</span>', html, re.S)
    shown = (
        summary and re.sub(r"<[^>]+>", "", summary[1]).strip(),
        re.search(r"(\d+) status updates?\b", html)[1],
        '<div class="actions">' in html,
    )
    return shown, len(queries)


@pytest.mark.parametrize(
    "role, query",
    [
        ("coordinator", {}),
        ("coordinator", {"p": "2", "o": "1"}),  # a page and an ordering narrow nothing
        ("coordinator", {"lead": "rcmp"}),
        ("coordinator", {"q": "Extra"}),
        ("coordinator", {"status": "ongoing", "q": "no such words anywhere"}),  # nothing found: no actions
        ("staff_a", {}),
        ("staff_a", {"updated": "no"}),
    ],
)
def test_the_whole_list_is_counted_again_only_when_a_filter_or_a_search_narrows_it(demo, role, query, monkeypatch):
    grow_open_period(60)
    client = client_for(role)
    client.get(LIST, query)  # content types and the like are cached by the first request
    ours, our_queries = totals_and_actions(client, query)
    monkeypatch.setattr(StatusUpdateAdmin, "get_changelist", admin.ModelAdmin.get_changelist)  # Django's own list
    djangos, django_queries = totals_and_actions(client, query)
    assert ours == djangos  # the same totals, the same actions
    narrowed = any(name not in ("p", "o") for name in query)
    assert our_queries == django_queries - (0 if narrowed else 1)  # Django's second count of the whole list
    if narrowed and role == "coordinator":  # fewer rows than the whole list, which Django says
        assert re.fullmatch(r"\d+ results? \(\d+ total\)", ours[0])


@pytest.mark.parametrize("query", [{}, {"lead": "rcmp"}])
def test_a_list_that_counts_no_total_is_left_to_django(demo, query, monkeypatch):
    # With show_full_result_count off, Django never counts the whole list and offers "Show all" instead.
    monkeypatch.setattr(StatusUpdateAdmin, "show_full_result_count", False)
    client = client_for("coordinator")
    client.get(LIST, query)
    ours = totals_and_actions(client, query)
    monkeypatch.setattr(StatusUpdateAdmin, "get_changelist", admin.ModelAdmin.get_changelist)
    assert ours == totals_and_actions(client, query)
    assert "Show all" in ours[0][0]
