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

from django.utils import timezone

from commitments.dashboard import stored_or_counted
from commitments.models import ActionPlan, ReportingPeriod


@dataclass
class Collection:
    """The year being collected and how far it is."""

    start_year: int
    reported: int  # lead departments that have updated every deliverable they lead this year
    departments: int  # lead departments with a deliverable tracked this year
    counted_at: datetime


def collection_progress(plan: ActionPlan) -> Collection | None:
    """The plan's period open for updates, counted, or None (none open, or the coordinator turned the line off).
    Two queries when a period is open and the chart unchanged since its figures were counted (the period, the
    figures), one when none is open; after a change, the dashboard's count (stored_or_counted)."""
    period = ReportingPeriod.objects.filter(
        plan=plan, state=ReportingPeriod.State.OPEN, show_collection_progress=True
    ).first()
    if period is None:
        return None
    # The dashboard's figures for each lead department (commitments.dashboard): read as stored while the chart is
    # unchanged since they were counted, so that this line costs the same whatever the size of the chart (its own
    # aggregate over the year's lead links read every one of them: 22 ms of the home page's 52 at 100x the chart
    # on SQLite). After a change they are counted once for the home page and the coordinator's dashboard together.
    counted = stored_or_counted(period)["departments"].values()
    behind = sum(1 for department in counted if department["outstanding"])
    return Collection(
        start_year=period.start_year,
        reported=len(counted) - behind,
        departments=len(counted),
        counted_at=timezone.now(),
    )
