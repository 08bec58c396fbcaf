"""What the coordinator watches during a period: progress per lead department and statuses per pillar."""

from typing import Any

from django.db.models import Count, Max, Q

from commitments.models import DeliverableLead, ReportingPeriod, Status, StatusUpdate
from commitments.reminders import outstanding_by_department_id


def dashboard(period: ReportingPeriod) -> dict[str, Any]:
    """What the coordinator watches during a period: progress per lead department and statuses per pillar.

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
    return {
        "departments": [{**row, "outstanding": outstanding.get(row["department_id"], [])} for row in progress],
        "pillars": [
            {
                "pillar": row["deliverable__task__objective__pillar__number"],
                "status": Status(row["status"]).label,
                "count": row["count"],
            }
            for row in counts
        ],
    }
