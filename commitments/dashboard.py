"""What the coordinator watches during a period: the totals, progress per lead department, statuses per pillar,
the days left before updates are due, and the last reminders sent.

Every figure is counted by the database, once for each state of the chart (DashboardFigures): neither the number
of queries nor their cost grows with the chart.
"""

import datetime
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from commitments.chart_revision import count_own_changes
from commitments.models import (
    ChartRevision,
    DashboardFigures,
    DeliverableLead,
    Department,
    ReportingPeriod,
    SentReminder,
    Status,
    StatusUpdate,
)

# Raise it when count_figures' shape changes: figures stored by an earlier version are then counted again.
FIGURES_VERSION = 2
PILLAR = "deliverable__task__objective__pillar__number"
STATUS_ORDER = {status: position for position, status in enumerate(Status.values)}


def stored_or_counted(period: ReportingPeriod) -> dict[str, Any]:
    """`period`'s figures (count_figures): one read of those stored for the chart's current revision, else
    counted now (three aggregates) and stored with it. The triggers of commitments/chart_revision.py raise the
    revision on every write to what they count, so stored figures are never stale."""
    count_own_changes(connection)
    stored_at_revision = DashboardFigures.objects.filter(period=period, revision=OuterRef("number")).values("figures")
    revision, stored = (
        ChartRevision.objects.filter(pk=1)
        .annotate(stored=Subquery(stored_at_revision))
        .values_list("number", "stored")
        .first()
    ) or (None, None)
    if stored is not None and stored.get("version") == FIGURES_VERSION:
        return stored
    figures = count_figures(period)
    if revision is not None:
        store_figures(period.pk, revision, figures)
    return figures


def store_figures(period_id: int, revision: int, figures: dict[str, Any]) -> None:
    """Keep `figures` as the period's at `revision`, in place of any kept before: one statement, which a concurrent
    request storing figures for the same period cannot fail."""
    DashboardFigures.objects.bulk_create(
        [DashboardFigures(period_id=period_id, revision=revision, figures=figures)],
        update_conflicts=True,
        unique_fields=["period"],
        update_fields=["revision", "figures"],
    )


def count_figures(period: ReportingPeriod) -> dict[str, Any]:
    """What the dashboard counts of `period`'s statuses, as JSON data, in three aggregate queries:

    - "departments": {lead department's id: its figures} (department_progress says which);
    - "totals": the whole period's total, updated and count in each review state (Totals);
    - "pillars": [pillar number, status, how many] in that order (pillar_rows).
    """
    departments = count_by_lead_department(period)
    review_counts = {review.value: Count("pk", filter=Q(review=review)) for review in StatusUpdate.Review}
    totals = StatusUpdate.objects.filter(period=period).aggregate(
        total=Count("pk"), updated=Count("pk", filter=Q(updated_at__isnull=False)), **review_counts
    )
    pillars = (
        StatusUpdate.objects.filter(period=period)
        .values(PILLAR, "status")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list(PILLAR, "status", "count")
    )
    return {
        "version": FIGURES_VERSION,
        "departments": departments,
        "totals": totals,
        "pillars": pillar_rows({(pillar, status): count for pillar, status, count in pillars}),
    }


def pillar_rows(counts: Mapping[tuple[int, str], int]) -> list[list[Any]]:
    """[pillar number, status, how many] for each (pillar, status) counted, by pillar, then in the statuses' order
    (Complete first): sorted here, not by the database, whose collation may sort “on_track” before or after
    “ongoing”, so figures counted and figures carried (commitments.carried_figures) come out the same."""
    ordered = sorted(counts, key=lambda key: (key[0], STATUS_ORDER.get(key[1], len(STATUS_ORDER)), key[1]))
    return [[pillar, status, counts[pillar, status]] for pillar, status in ordered if counts[pillar, status]]


def count_by_lead_department(period: ReportingPeriod) -> dict[str, dict[str, Any]]:
    """{lead department's id: its figures in `period`} for count_figures, in one aggregate over the period's
    statuses joined to their deliverables' lead links.

    In SQL, because the ORM joins a status to its lead links through the deliverable's own row (the path
    status → deliverable → lead link), and that join was most of the count: at 100x the chart on PostgreSQL,
    30 ms against 11 ms joining the two on the deliverable they share (19 against 14 ms on SQLite). A deliverable
    has each lead once (unique_lead_per_deliverable), so each status counts once per lead: no DISTINCT."""
    quote = connection.ops.quote_name
    status_table, lead_table = quote(StatusUpdate._meta.db_table), quote(DeliverableLead._meta.db_table)
    # B608: the SQL holds the models' own table names, quoted; the values are parameters.
    query = (
        "SELECT lead_link.department_id, COUNT(*), COUNT(period_status.updated_at), "
        "COUNT(*) FILTER (WHERE period_status.review = %s), MAX(period_status.updated_at) "
        f"FROM {status_table} period_status JOIN {lead_table} lead_link "  # nosec B608
        "ON lead_link.deliverable_id = period_status.deliverable_id "
        "WHERE period_status.period_id = %s GROUP BY lead_link.department_id"
    )
    updated_at = StatusUpdate._meta.get_field("updated_at")
    with connection.cursor() as cursor:
        cursor.execute(query, [StatusUpdate.Review.RETURNED.value, period.pk])
        rows = cursor.fetchall()
    figures = {}
    for department, total, done, returned, last in rows:
        last = updated_at.to_python(last)  # SQLite gives the text it stores (UTC), PostgreSQL a datetime
        if last is not None and timezone.is_naive(last):
            last = timezone.make_aware(last, datetime.UTC)
        figures[str(department)] = {
            "total": total,
            "done": done,
            "outstanding": total - done,
            "returned": returned,
            "last": last and stored_time(last),
        }
    return figures


def stored_time(moment: datetime.datetime) -> str:
    """A department's latest update as its figures keep it: in UTC, ISO 8601."""
    return moment.astimezone(datetime.UTC).isoformat()


def department_progress(period: ReportingPeriod, figures: dict[str, Any]) -> list[Department]:
    """The departments leading deliverables tracked in `period`, by acronym, each given `total`, `done` (updated
    this period), `outstanding`, `returned`, `last` (its latest update) and `last_reminded` (when it was last sent
    a reminder for the period): `figures`' counts, and one query for the departments."""
    counted = figures["departments"]
    last_reminder = SentReminder.objects.filter(period=period, department=OuterRef("pk")).order_by("-sent_at")
    departments: list[Department] = list(
        Department.objects.filter(pk__in=[int(pk) for pk in counted])
        .annotate(last_reminded=Subquery(last_reminder.values("sent_at")[:1]))
        .order_by("acronym")
    )
    for department in departments:
        for name, value in counted[str(department.pk)].items():
            setattr(department, name, datetime.datetime.fromisoformat(value) if name == "last" and value else value)
    return departments


@dataclass
class Totals:
    """The whole period's figures: updated out of all, and how many are in each review state."""

    total: int
    updated: int
    by_review: dict[str, int]  # review state → how many

    @property
    def outstanding(self) -> int:
        return self.total - self.updated

    @property
    def returned(self) -> int:
        return self.by_review[StatusUpdate.Review.RETURNED]

    @property
    def review_rows(self) -> list[tuple[Any, int]]:
        """(the review state's label, how many), in the states' order."""
        return [(StatusUpdate.Review(state).label, count) for state, count in self.by_review.items()]

    @classmethod
    def of(cls, figures: dict[str, Any]) -> "Totals":
        totals = figures["totals"]
        return cls(
            total=totals["total"],
            updated=totals["updated"],
            by_review={review.value: totals[review.value] for review in StatusUpdate.Review},
        )


def last_sending(period: ReportingPeriod) -> list[SentReminder]:
    """The reminders of the last sending for `period` (they share its time), by department. One query."""
    latest = SentReminder.objects.filter(period=period).order_by("-sent_at").values("sent_at")[:1]
    return list(
        SentReminder.objects.filter(period=period, sent_at=Subquery(latest))
        .select_related("department", "sent_by")
        .order_by("department__acronym")
    )


def sort_key(name: str) -> str:
    """“Énergie” sorts with E, not after Z."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def days_left(due_date: datetime.date | None) -> int | None:
    return (due_date - timezone.localdate()).days if due_date else None


def dashboard(period: ReportingPeriod) -> dict[str, Any]:
    """Everything the dashboard and its CSV show for `period`. Three queries while the chart is unchanged since
    its figures were last counted, seven after a change (the three aggregates, and storing them), whatever the
    size of the chart."""
    figures = stored_or_counted(period)
    # In the reader's language's alphabetical order: GRC sorts under G on a French page.
    departments = sorted(department_progress(period, figures), key=lambda department: sort_key(department.short_name))
    left = days_left(period.due_date)
    overdue = left is not None and left < 0
    return {
        "due_date": period.due_date,
        "days_left": left,
        "days_late": -left if left is not None and overdue else None,
        # Past the due date, a department with anything left to update is late.
        "late": [d.short_name for d in departments if d.outstanding] if overdue else [],  # type: ignore[attr-defined]  # department_progress() annotates it
        "totals": Totals.of(figures),
        "departments": departments,
        "pillars": [
            {"pillar": pillar, "status": Status(status).label, "count": count}
            for pillar, status, count in figures["pillars"]
        ],
        "last_sending": last_sending(period),
    }
