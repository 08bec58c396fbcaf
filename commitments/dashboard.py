"""What the coordinator watches during a period: the totals, progress per lead department, statuses per pillar,
the days left before updates are due, and the last reminders sent.

Every figure is counted by the database: the number of queries does not grow with the chart.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from commitments.models import Department, ReportingPeriod, SentReminder, Status, StatusUpdate


def department_progress(period: ReportingPeriod) -> list[Department]:
    """The departments leading deliverables tracked in `period`, by acronym, each given `total`, `done` (updated
    this period), `outstanding`, `returned`, `last` (its latest update) and `last_reminded` (when it was last sent
    a reminder for the period). Two queries: the figures, grouped by lead department, then the departments."""
    # A deliverable has each lead once (unique_lead_per_deliverable), so the join counts each status once per lead:
    # no DISTINCT, which with the departments' columns in the GROUP BY tripled the query's time at 100x the chart.
    lead = "deliverable__lead_links__department"
    figures = {
        row.pop(lead): row
        for row in StatusUpdate.objects.filter(period=period, **{f"{lead}__isnull": False})
        .values(lead)
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(updated_at__isnull=False)),
            outstanding=Count("pk", filter=Q(updated_at__isnull=True)),
            returned=Count("pk", filter=Q(review=StatusUpdate.Review.RETURNED)),
            last=Max("updated_at"),
        )
        .order_by()
    }
    last_reminder = SentReminder.objects.filter(period=period, department=OuterRef("pk")).order_by("-sent_at")
    departments: list[Department] = list(
        Department.objects.filter(pk__in=figures)
        .annotate(last_reminded=Subquery(last_reminder.values("sent_at")[:1]))
        .order_by("acronym")
    )
    for department in departments:
        for name, value in figures[department.pk].items():
            setattr(department, name, value)
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


def period_totals(period: ReportingPeriod) -> Totals:
    """One query."""
    review_counts = {review.value: Count("pk", filter=Q(review=review)) for review in StatusUpdate.Review}
    figures = StatusUpdate.objects.filter(period=period).aggregate(
        total=Count("pk"), updated=Count("pk", filter=Q(updated_at__isnull=False)), **review_counts
    )
    return Totals(
        total=figures["total"],
        updated=figures["updated"],
        by_review={review.value: figures[review.value] for review in StatusUpdate.Review},
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
    """Everything the dashboard and its CSV show for `period`. Five queries, whatever the size of the chart."""
    # In the reader's language's alphabetical order: GRC sorts under G on a French page.
    departments = sorted(department_progress(period), key=lambda department: sort_key(department.short_name))
    counts = (
        StatusUpdate.objects.filter(period=period)
        .values("deliverable__task__objective__pillar__number", "status")
        .annotate(count=Count("pk"))
        .order_by("deliverable__task__objective__pillar__number", "status")
    )
    left = days_left(period.due_date)
    overdue = left is not None and left < 0
    return {
        "due_date": period.due_date,
        "days_left": left,
        "days_late": -left if left is not None and overdue else None,
        # Past the due date, a department with anything left to update is late.
        "late": [d.short_name for d in departments if d.outstanding] if overdue else [],  # type: ignore[attr-defined]  # department_progress() annotates it
        "totals": period_totals(period),
        "departments": departments,
        "pillars": [
            {
                "pillar": row["deliverable__task__objective__pillar__number"],
                "status": Status(row["status"]).label,
                "count": row["count"],
            }
            for row in counts
        ],
        "last_sending": last_sending(period),
    }
