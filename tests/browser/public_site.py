"""The public site's pages, for the browser tests that visit every page type (test_reflow, test_accessibility)."""

from django.urls import reverse
from django.utils import translation

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report.models import NarrativeSection
from napreport.report.publishing import publish_period


def publish_second_year(demo):
    """Publish 2014-2015 beside 2013-2014 (returned), so that "What changed" has its table and the progress page
    its links between years."""
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, open_period
        section.save()
    open_period.status_updates.filter(status="in_progress").update(status="complete")
    open_period.start_review()
    publish_period(open_period)
    return published


def page_urls(language, period):
    """Every public page type, in `language`, as its own links name it."""
    deliverable = PublishedDeliverable.objects.filter(period=period).order_by("chart_order").first().deliverable_id
    with translation.override(language):
        progress = reverse("public:progress", args=[period.label])
        return {
            "home": reverse("public:home"),
            "progress": progress,
            "progress, filtered": f"{progress}?department=rcmp&status=complete",
            "progress, sorted and paged": f"{progress}?sort=-status&page=2",
            "progress, nothing found": f"{progress}?q=zzzzqqq",
            "progress, invalid filter": f"{progress}?status=bogus",
            "deliverable": reverse("public:deliverable-detail", args=[deliverable]),
            "department": reverse("public:department-detail", args=["rcmp"]),
            "departments": reverse("public:department-list"),
            "changes": reverse("public:changes"),
            "downloads": reverse("public:downloads"),
            "data dictionary": reverse("public:data-dictionary"),
            "report, HTML edition": reverse("public:report-file", args=[period.label, language, "html"]),
            "page not found": f"/{language}/no-such-page/",
        }
