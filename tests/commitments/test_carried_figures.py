"""The dashboard's figures carried across a save in the staff screens (commitments.carried_figures): after every
way a person saves statuses, the figures the save stored are those a count gives, at the revision the save made;
where the save is refused, or another change came between, nothing is carried and the next reader counts."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from commitments.carried_figures import CountedRow, carry, counted_rows, figures_carried
from commitments.chart_revision import count_own_changes
from commitments.dashboard import count_figures, stored_or_counted
from commitments.models import ChartRevision, DashboardFigures, ReportingPeriod, Status, StatusUpdate
from tests.commitments.staff_requests import (
    change_data,
    client_for,
    csv_file,
    edited_export,
    hidden_fields,
    import_and_confirm,
    list_data,
)
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.django_db

LIST = reverse_lazy("admin:commitments_statusupdate_changelist")


def mark_the_stored_figures(period):
    """Count and store the period's figures, with a marker no count gives: still there after a save only if the
    save carried them."""
    figures = stored_or_counted(period)
    DashboardFigures.objects.filter(period=period).update(figures={**figures, "marker": True})
    return figures


def carried_figures(period):
    """The figures stored at the chart's current revision, as the last save carried them (the marker dropped);
    None if it carried none."""
    count_own_changes(connection)
    revision = ChartRevision.objects.get().number
    stored = DashboardFigures.objects.filter(period=period, revision=revision).first()
    if stored is None or not stored.figures.get("marker"):
        return None
    return {name: value for name, value in stored.figures.items() if name != "marker"}


def change_form(role, update, **changes):
    url = reverse("admin:commitments_statusupdate_change", args=[update.pk])
    return client_for(role).post(url, change_data(update, **changes))


def action(role, name, updates, comment=""):
    data = {"action": name, "_selected_action": [update.pk for update in updates], "comment": comment}
    for index, update in enumerate(updates):
        data[f"form-{index}-id"] = update.pk
        data[f"form-{index}-read_version"] = update.version
    return client_for(role).post(LIST, data)


def revert(update):
    """The coordinator saves a note, then reverts the status to the copy before it."""
    change_form("coordinator", update, note_en="A note to undo")
    update.refresh_from_db()
    earliest = update.history.order_by("history_date").first()
    url = reverse("admin:commitments_statusupdate_simple_history", args=[update.pk, earliest.history_id])
    mark_the_stored_figures(update.period)
    return client_for("coordinator").post(url, change_data(update, note_en=earliest.note_en))


def spreadsheet_import(target, other):
    """RCMP exports its file, changes one row's status, writes a note on another and imports the file back: every
    row of the file is read, the others unchanged."""
    client = client_for("staff_a")
    status = "In progress" if target.status == Status.COMPLETE else "Complete"
    content = edited_export(client, {target.pk: {"status": status}, other.pk: {"note_en": "Second row's note"}})
    assert content.count(b"\n") > 10  # every row RCMP leads
    confirmed, html = import_and_confirm(client, csv_file(content.decode()), "0")
    assert html.count('<tr class="update">') == 2, html[-3000:]
    return confirmed


SAVES = {
    "the department's change form": lambda target, other: change_form("staff_a", target, note_en="Done in March."),
    "the coordinator's review on the change form": lambda target, other: change_form(
        "coordinator", target, review=StatusUpdate.Review.RETURNED, review_comment="Which provinces?"
    ),
    "the department's quick-update list": lambda target, other: client_for("staff_a").post(
        LIST,
        list_data(
            [target, other], {target.pk: {"status": Status.COMPLETE}, other.pk: {"note_en": "Second row's note"}}
        ),
    ),
    "the department's action on two rows": lambda target, other: action("staff_a", "mark_complete", [target, other]),
    "the coordinator's decision on two rows": lambda target, other: action(
        "coordinator", "return_for_changes", [target, other], comment="Say what was done."
    ),
    "the coordinator's revert": lambda target, other: revert(target),
    "the department's spreadsheet import": spreadsheet_import,
}


@pytest.mark.parametrize("save", SAVES)
def test_a_save_carries_the_figures_to_the_revision_it_makes(save, rcmp_pair):
    target, other = rcmp_pair
    period = target.period
    before = mark_the_stored_figures(period)
    response = SAVES[save](target, other)
    assert response.status_code == 302, response.content.decode()[:2000]
    carried = carried_figures(period)
    assert carried is not None, "counted again, not carried"
    assert carried == count_figures(period)
    assert carried != before  # the save changed what the dashboard shows
    assert stored_or_counted(period)["marker"]  # the dashboard reads them as they are


def test_the_carried_figures_follow_a_run_of_saves_on_the_same_rows(rcmp_pair):
    target, other = rcmp_pair
    period = target.period
    mark_the_stored_figures(period)
    for status in (Status.COMPLETE, Status.ONGOING, Status.IN_PROGRESS, Status.COMPLETE):
        for update in (target, other):
            update.refresh_from_db()
            assert action("staff_a", f"mark_{status}", [update]).status_code == 302
            assert carried_figures(period) == count_figures(period), (status, update.pk)
    target.refresh_from_db()
    assert change_form("coordinator", target, review=StatusUpdate.Review.ACCEPTED).status_code == 302
    assert carried_figures(period) == count_figures(period)


def test_a_refused_save_stores_nothing_and_leaves_the_figures_exact(target):
    period = target.period
    mark_the_stored_figures(period)
    revision = ChartRevision.objects.get().number
    stale = change_data(target, note_en="Typed on an old copy", read_version=target.version - 1)
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    assert client_for("staff_a").post(url, stale).status_code == 200  # the form again, the values kept
    count_own_changes(connection)
    assert ChartRevision.objects.get().number == revision
    assert stored_or_counted(period)["marker"]  # nothing changed: the figures stored still hold


def test_an_action_on_every_row_of_the_filter_leaves_the_figures_to_be_counted(rcmp_pair):
    target, _ = rcmp_pair
    period = target.period
    mark_the_stored_figures(period)
    data = {"action": "mark_complete", "select_across": "1", "_selected_action": [target.pk]}
    assert client_for("staff_a").post(LIST, data).status_code == 302
    assert carried_figures(period) is None
    assert "marker" not in stored_or_counted(period)
    assert stored_or_counted(period) == count_figures(period)


def test_forged_row_keys_in_a_post_change_nothing(target):
    period = target.period
    mark_the_stored_figures(period)
    revision = ChartRevision.objects.get().number
    data = {"action": "mark_complete", "_selected_action": ["99999999999999999999999", "١", "-1", "x"]}
    assert client_for("staff_a").post(LIST, data).status_code < 500
    count_own_changes(connection)
    assert ChartRevision.objects.get().number == revision
    assert stored_or_counted(period)["marker"]


def test_an_import_whose_id_cell_a_spreadsheet_guarded_as_text_stores_the_figures_a_count_gives(rcmp_pair):
    """A cell such as '+12 (an apostrophe before what a spreadsheet would run as a formula) is read as the row 12
    by the import: the figures carried across it count that row's change too."""
    target, other = rcmp_pair
    period = target.period
    mark_the_stored_figures(period)
    status = "In progress" if target.status == Status.COMPLETE else "Complete"
    upload = csv_file(
        "id,version,status,target_year,note_en,note_fr\n"
        f"'+{target.pk},{target.version},{status},,Guarded id,\n"
        f"{other.pk},{other.version},{other.status},{other.target_year or ''},Plain id,\n"
    )
    confirmed, html = import_and_confirm(client_for("staff_a"), upload, "0")
    assert confirmed.status_code == 302, html[-2000:]
    target.refresh_from_db()
    assert target.note_en == "Guarded id"
    stored = {name: value for name, value in stored_or_counted(period).items() if name != "marker"}
    assert stored == count_figures(period)


def test_an_import_of_rows_saved_since_its_preview_writes_and_stores_nothing(target):
    period = target.period
    client = client_for("staff_a")
    upload = csv_file(f"id,version,status,target_year,note_en,note_fr\n{target.pk},{target.version},Complete,,A,B\n")
    preview = client.post(
        reverse("admin:commitments_statusupdate_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert "Confirm import" in preview.content.decode()
    assert change_form("co_lead", target, note_en="Saved by CBSA first").status_code == 302
    mark_the_stored_figures(period)
    revision = ChartRevision.objects.get().number
    confirmed = client.post(
        reverse("admin:commitments_statusupdate_process_import"), hidden_fields(preview.content.decode())
    )
    assert confirmed.status_code == 409  # the row saved since, beside what the file holds
    count_own_changes(connection)
    assert ChartRevision.objects.get().number == revision
    assert stored_or_counted(period)["marker"]  # nothing changed: the figures stored still hold
    target.refresh_from_db()
    assert target.note_en == "Saved by CBSA first"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_transaction_during_a_save_is_not_carried_over(demo):
    """T2 changes a status and commits after T1 read the figures' revision and before T1 wrote: T1's figures
    would leave T2's change out, so T1 carries nothing, and the next reader counts both. (SQLite has one writer at
    a time: T1's writes would fail, the database locked.)"""
    period = ReportingPeriod.objects.get(start_year=2014)
    a, b = StatusUpdate.objects.filter(period=period).order_by("pk")[:2]
    mark_the_stored_figures(period)
    revision = ChartRevision.objects.get().number
    t1_read, t2_committed = threading.Event(), threading.Event()

    def first():
        with transaction.atomic(), figures_carried([a.pk]):
            t1_read.set()
            t2_committed.wait(10)
            StatusUpdate.objects.filter(pk=a.pk).update(status=Status.COMPLETE, updated_at=timezone.now())

    def second():
        t1_read.wait(10)
        StatusUpdate.objects.filter(pk=b.pk).update(status=Status.COMPLETE, updated_at=timezone.now())
        t2_committed.set()

    assert run_in_threads(first, second) == []
    assert ChartRevision.objects.get().number == revision + 2
    assert DashboardFigures.objects.get(period=period).revision == revision  # nothing carried
    assert stored_or_counted(period) == count_figures(period)


# ---- what a delta cannot follow (carry)

MARCH = datetime.datetime(2015, 3, 2, 12, tzinfo=datetime.UTC)


def row(updated_at=MARCH, status=Status.ONGOING, review=StatusUpdate.Review.PENDING, leads=(7,), pillar=1):
    return CountedRow(
        period=1, pillar=pillar, leads=frozenset(leads), status=status, review=review, updated_at=updated_at
    )


def figures(last=MARCH):
    totals = {"total": 2, "updated": 1, **{review.value: 0 for review in StatusUpdate.Review}}
    totals[StatusUpdate.Review.PENDING] = 2
    department = {"total": 2, "done": 1, "outstanding": 1, "returned": 0, "last": last.isoformat()}
    return {"version": 2, "departments": {"7": department}, "totals": totals, "pillars": [[1, "ongoing", 2]]}


def test_a_departments_latest_update_moved_later_is_carried():
    later = MARCH + datetime.timedelta(days=1)
    carried = carry(figures(), {1: row()}, {1: row(updated_at=later, status=Status.COMPLETE)})
    assert carried["departments"]["7"]["last"] == later.isoformat()
    assert carried["pillars"] == [[1, "complete", 1], [1, "ongoing", 1]]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({1: row()}, {1: row(updated_at=None)}),  # its latest update undone: which is the latest now?
        ({1: row()}, {1: row(updated_at=MARCH - datetime.timedelta(days=1))}),
        ({1: row()}, {}),  # deleted
        ({1: row()}, {1: row(leads=(8,))}),  # led by another department now
        ({1: row()}, {1: row(pillar=2)}),  # moved to another pillar
    ],
)
def test_a_change_a_delta_cannot_follow_is_left_to_be_counted(before, after):
    assert carry(figures(), before, after) is None


def test_the_rows_and_the_revision_are_read_in_one_statement(target, django_assert_num_queries):
    with django_assert_num_queries(1):
        revision, rows = counted_rows([target.pk])
    assert revision == ChartRevision.objects.get().number
    assert rows[target.pk].leads == frozenset(target.deliverable.leads.values_list("pk", flat=True))
    assert len(rows[target.pk].leads) == 2  # led by RCMP, co-led by CBSA


def test_a_review_of_a_departments_latest_update_is_carried():
    carried = carry(figures(), {1: row()}, {1: row(review=StatusUpdate.Review.ACCEPTED)})
    assert carried["departments"]["7"]["last"] == MARCH.isoformat()
    assert carried["totals"][StatusUpdate.Review.ACCEPTED] == 1
