"""The public completeness line of a year being collected: how many lead departments have reported so far.

Counts only, never content: the public never sees a status or a note before publication. The coordinator can
turn the line off (ReportingPeriod.show_collection_progress).

The home page is cached (napreport.public.caching), and departments report while it is, so the line says when it
was counted ("as of …"): it is at most PUBLIC_CACHE_SECONDS old (an hour by default). The cache is emptied by
publishing and by nothing else (tests/public/test_caching.py holds it so), so the coordinator's switch, and the
period moving to review, reach a cached home page within that time too.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from commitments.models import ActionPlan, DeliverableLead, ReportingPeriod


@dataclass
class Collection:
    """The year being collected and how far it is."""

    start_year: int
    reported: int  # lead departments that have updated every deliverable they lead this year
    departments: int  # lead departments with a deliverable tracked this year
    counted_at: datetime


def collection_progress(plan: ActionPlan) -> Collection | None:
    """The plan's period open for updates, counted, or None (none open, or the coordinator turned the line off).
    Two queries when a period is open (the period, the departments' counts), one otherwise."""
    period = ReportingPeriod.objects.filter(
        plan=plan, state=ReportingPeriod.State.OPEN, show_collection_progress=True
    ).first()
    if period is None:
        return None
    # The departments leading a deliverable tracked this year, and those of them with an update not yet made, in
    # one aggregate over the year's lead links: the dashboard's figures for each department (department_progress)
    # cost three times as much at 100x the chart (on bench_pages' database: 34 ms of CPU against 11, machine loaded).
    counts = DeliverableLead.objects.filter(deliverable__status_updates__period=period).aggregate(
        departments=Count("department", distinct=True),
        behind=Count("department", distinct=True, filter=Q(deliverable__status_updates__updated_at__isnull=True)),
    )
    return Collection(
        start_year=period.start_year,
        reported=counts["departments"] - counts["behind"],
        departments=counts["departments"],
        counted_at=timezone.now(),
    )
