"""The dashboard's stored figures carried across a save of statuses, so that the first dashboard and home page
after a department's save read them rather than count every status of the year again (issue #17: that count
grows with the chart).

A save through the staff screens (a form, the list, an action, a spreadsheet import) changes some statuses'
status, review and time of update, and nothing else the figures count. Its rows are read before and after it: the
figures stored at the revision before it, plus what changed in those rows, are the figures at the revision it
makes, and are stored with it. Only when the revision moved by this save alone (chart_revision.raised_alone):
otherwise, and whenever the change is not one a delta can follow (a row moved to another lead or pillar, a
department's latest update undone), the next reader counts the figures again, as after any other write. The
revision triggers stay the rule; this is a shortcut beside them.
"""

import copy
import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Subquery

from commitments.chart_revision import count_own_changes, raised_alone
from commitments.dashboard import FIGURES_VERSION, PILLAR, pillar_rows, store_figures, stored_time
from commitments.models import ChartRevision, DashboardFigures, StatusUpdate

LEAD = "deliverable__lead_links__department"


@dataclass(frozen=True)
class CountedRow:
    """What the figures count of one status."""

    period: int
    pillar: int
    leads: frozenset[int]  # the lead departments of its deliverable
    status: str
    review: str
    updated_at: datetime.datetime | None


@contextmanager
def figures_carried(update_ids: Iterable[int]) -> Iterator[None]:
    """Around the writes of a save that changes the statuses `update_ids` (their status, review and time of
    update), and nothing else the dashboard counts, within a transaction: carry the figures stored before it to
    the revision it makes. The block must hold the transaction's every write to what the figures count, from its
    first to its last (see raised_alone). Five small queries (six on PostgreSQL), whatever the size of the chart;
    nothing is carried if the block raises."""
    ids = sorted(set(update_ids))
    if not ids or not connection.in_atomic_block:
        yield
        return
    count_own_changes(connection)  # this transaction's earlier changes, if any, raise the revision now
    revision, before = counted_rows(ids)
    yield
    if revision is None:
        return
    carried_to = raised_alone(connection, revision)
    if carried_to is None:
        return
    _, after = counted_rows(ids)
    periods = {row.period for row in before.values()}
    if len(periods) != 1:
        return
    period = periods.pop()
    stored = (
        DashboardFigures.objects.filter(period_id=period, revision=revision).values_list("figures", flat=True).first()
    )
    if stored is None or stored.get("version") != FIGURES_VERSION:
        return
    figures = carry(stored, before, after)
    if figures is not None:
        store_figures(period, carried_to, figures)


@contextmanager
def saving_statuses(update_ids: list[int]) -> Iterator[None]:
    """A transaction around a request that saves the statuses `update_ids`, carrying the figures across it
    (figures_carried); nothing around one that saves none, such as a page read."""
    if not update_ids:
        yield
        return
    with transaction.atomic(), figures_carried(update_ids):
        yield


def counted_rows(ids: list[int]) -> tuple[int | None, dict[int, CountedRow]]:
    """The chart's revision and the statuses `ids` as the figures count them, in one statement, so both are read
    at the same moment: a change committed between two reads would be in one and not the other."""
    found = (
        StatusUpdate.objects.filter(pk__in=ids)
        .annotate(revision=Subquery(ChartRevision.objects.filter(pk=1).values("number")))
        .order_by()
        .values_list("revision", "pk", "period_id", PILLAR, "status", "review", "updated_at", LEAD)
    )
    read = list(found)
    rows: dict[int, list[Any]] = {}
    leads: dict[int, set[int]] = {}
    for _revision, pk, *counted, lead in read:  # one row per lead of its deliverable, or one with None
        rows[pk] = counted
        leads.setdefault(pk, set()).update([lead] if lead is not None else [])
    return read[0][0] if read else None, {
        pk: CountedRow(period, pillar, frozenset(leads[pk]), status, review, updated_at)
        for pk, (period, pillar, status, review, updated_at) in rows.items()
    }


def carry(
    figures: dict[str, Any], before: dict[int, CountedRow], after: dict[int, CountedRow]
) -> dict[str, Any] | None:
    """`figures` (as count_figures gives them) with the statuses changed from `before` to `after`; None where the
    change is not one they can follow, and the figures must be counted again."""
    if before.keys() != after.keys():  # a status created or deleted
        return None
    carried = copy.deepcopy(figures)
    totals, departments = carried["totals"], carried["departments"]
    pillars = Counter({(pillar, status): count for pillar, status, count in figures["pillars"]})
    returned = StatusUpdate.Review.RETURNED
    for pk, was in before.items():
        now = after[pk]
        if (was.period, was.pillar, was.leads) != (now.period, now.pillar, now.leads):
            return None
        if was == now:
            continue
        done = (now.updated_at is not None) - (was.updated_at is not None)
        totals["updated"] += done
        totals[was.review] -= 1
        totals[now.review] += 1
        pillars[was.pillar, was.status] -= 1
        pillars[now.pillar, now.status] += 1
        for lead in was.leads:
            department = departments.get(str(lead))
            if department is None:
                return None
            last = department["last"] and datetime.datetime.fromisoformat(department["last"])
            moved_back = now.updated_at is None or (was.updated_at is not None and now.updated_at < was.updated_at)
            if moved_back and was.updated_at is not None and was.updated_at == last:
                return None  # its latest update undone: which is the latest now, only a count can say
            department["done"] += done
            department["outstanding"] -= done
            department["returned"] += (now.review == returned) - (was.review == returned)
            if now.updated_at is not None and (not last or now.updated_at > last):
                department["last"] = stored_time(now.updated_at)
    carried["pillars"] = pillar_rows(pillars)
    return carried
