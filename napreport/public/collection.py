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

from commitments.dashboard import department_progress
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
    Two queries when a period is open (the period, the departments' counts), one otherwise."""
    period = ReportingPeriod.objects.filter(
        plan=plan, state=ReportingPeriod.State.OPEN, show_collection_progress=True
    ).first()
    if period is None:
        return None
    # department_progress() annotates `outstanding`, which the stubs cannot see.
    departments = list(department_progress(period).values_list("outstanding", flat=True))  # type: ignore[misc]
    return Collection(
        start_year=period.start_year,
        reported=sum(1 for outstanding in departments if not outstanding),
        departments=len(departments),
        counted_at=timezone.now(),
    )
