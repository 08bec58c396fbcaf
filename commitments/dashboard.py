"""What the coordinator watches during a period: progress per lead department and statuses per pillar."""

from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from commitments.models import DeliverableLead, ReportingPeriod, Status, StatusUpdate
from commitments.reminders import outstanding_by_department_id


def dashboard(period: ReportingPeriod) -> dict[str, Any]:
    """What the coordinator watches during a period: progress per lead department and statuses per pillar, the
    days left before updates are due, and, once they are overdue, the departments that are late.

    Four queries, whatever the number of departments and deliverables.
    """
    updates = StatusUpdate.objects.filter(period=period)
    progress = (
        DeliverableLead.objects.filter(deliverable__status_updates__period=period)
        .values("department_id", "department__acronym")
        .annotate(
            total=Count("deliverable__status_updates", distinct=True),
            done=Count(
                "deliverable__status_updates",
                filter=Q(deliverable__status_updates__updated_at__isnull=False),
                distinct=True,
            ),
            last=Max("deliverable__status_updates__updated_at"),
        )
        .order_by("department__acronym")
    )
    outstanding = outstanding_by_department_id(period)
    counts = (
        updates.values("deliverable__task__objective__pillar__number", "status")
        .annotate(count=Count("pk"))
        .order_by("deliverable__task__objective__pillar__number", "status")
    )
    days_left = (period.due_date - timezone.localdate()).days if period.due_date else None
    departments = [{**row, "outstanding": outstanding.get(row["department_id"], [])} for row in progress]
    return {
        "due_date": period.due_date,
        "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else None,
        # Past the due date, a department with anything left to update is late.
        "late": [row["department__acronym"] for row in departments if row["outstanding"]]
        if days_left is not None and days_left < 0
        else [],
        "departments": departments,
        "pillars": [
            {
                "pillar": row["deliverable__task__objective__pillar__number"],
                "status": Status(row["status"]).label,
                "count": row["count"],
            }
            for row in counts
        ],
    }
