"""What the public side may read: published periods and their frozen chart rows, nothing else.

Every public page and download goes through these functions, so the rule "no draft data on public
pages" lives in one place. Pages are cached until a period is published (napreport.public.caching).
"""

from datetime import datetime

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from commitments.models import ActionPlan, PublishedDeliverable, ReportingPeriod, parse_fiscal_year


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


def last_modified() -> datetime | None:
    """The date the public data last changed: the latest publication."""
    return ReportingPeriod.objects.filter(state=ReportingPeriod.State.PUBLISHED).aggregate(latest=Max("published_at"))[
        "latest"
    ]
