"""What the public side may read: published periods and their frozen chart rows, nothing else.

Every public page and download goes through these functions, so the rule "no draft data on public
pages" lives in one place. Pages are cached until a period is published (napreport.public.caching).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from commitments.models import (
    ActionPlan,
    PublishedDeliverable,
    PublishedDepartment,
    ReportingPeriod,
    parse_fiscal_year,
)
from napreport.public.search import fold
from napreport.report.models import PublishedFigures


def current_plan() -> ActionPlan:
    plan = ActionPlan.objects.order_by("-launched").first()
    if plan is None:
        raise Http404(_("No action plan has been loaded yet."))
    return plan


def published_periods(plan: ActionPlan) -> list[ReportingPeriod]:
    """Published periods, newest first."""
    return list(
        ReportingPeriod.objects.filter(plan=plan, state=ReportingPeriod.State.PUBLISHED).order_by("-start_year")
    )


def published_period(plan: ActionPlan, year: str) -> ReportingPeriod:
    """The published period named in a URL ("2013-2014"), or 404 for any other text or a draft year."""
    try:
        start_year = parse_fiscal_year(year)
    except Exception:  # a malformed year is simply not a page
        raise Http404(_("“%(year)s” is not a published year.") % {"year": year}) from None
    period = ReportingPeriod.objects.filter(plan=plan, start_year=start_year, state=ReportingPeriod.State.PUBLISHED)
    found = period.select_related("plan").first()
    if found is None:
        raise Http404(_("%(year)s is not a published year.") % {"year": year})
    return found


def published_rows(period: ReportingPeriod) -> QuerySet[PublishedDeliverable]:
    """The frozen chart rows of a published period (never a draft's)."""
    if not period.is_published:
        raise Http404
    return PublishedDeliverable.objects.filter(period=period).order_by("chart_order")


def published_figures(period: ReportingPeriod) -> dict[str, Any]:
    """What publishing counted of a published period's rows (napreport.report.models.count_published): one query,
    whatever the size of the chart, read once per period object (the filters and the counts of a page share it)."""
    if not period.is_published:
        raise Http404
    memo = vars(period)
    if "_published_figures" not in memo:
        memo["_published_figures"] = PublishedFigures.objects.of(period)
    return memo["_published_figures"]


@dataclass
class DepartmentCounts:
    """A published department and how many deliverables it leads in each status ("" for none reported)."""

    department: PublishedDepartment
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def counts(self, statuses: list[tuple[str, Any]]) -> list[int]:
        return [self.by_status.get(status, 0) for status, _label in statuses]


def department_counts(period: ReportingPeriod) -> list[DepartmentCounts]:
    """The departments that lead a deliverable of `period`, in the alphabetical order of their short name in the
    page's language (GRC under G in French), each with its counts by status. Two queries: the departments, and
    the year's figures (counted by department and status when it was published)."""
    counts: dict[int, dict[str, int]] = {}
    for department_id, status, count in published_figures(period)["departments"]:
        counts.setdefault(department_id, {})[status] = count
    departments = [
        DepartmentCounts(department, counts[department.department_id])
        for department in period.published_departments.all()
        if department.department_id in counts
    ]
    return sorted(departments, key=lambda entry: fold(entry.department.short_name))


def last_modified() -> datetime | None:
    """The date the public data last changed: the latest publication."""
    return ReportingPeriod.objects.filter(state=ReportingPeriod.State.PUBLISHED).aggregate(latest=Max("published_at"))[
        "latest"
    ]
