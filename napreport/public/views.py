"""Public progress pages: published data only (napreport.public.published), cached until the next publication."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.sitemaps import views as sitemaps_views
from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig, Table

from commitments.models import (
    PublishedDeliverable,
    PublishedDepartment,
    ReportingPeriod,
    Status,
    fiscal_year_table,
    fiscal_year_text,
)
from napreport.public.caching import public_page
from napreport.public.collection import collection_progress
from napreport.public.coverage import counted_coverage, totals_sentence, unreported_sentence
from napreport.public.filters import ProgressFilter
from napreport.public.published import (
    current_plan,
    department_counts,
    published_figures,
    published_period,
    published_periods,
    published_rows,
)
from napreport.public.sitemaps import SITEMAPS
from napreport.public.tables import ChangesTable, DepartmentTable, ProgressTable, first_line
from napreport.public.typography import typography
from napreport.report.build import PillarBlock, status_summary
from napreport.report.exports import CONTENT_TYPES, FORMATS, render_export
from napreport.report.models import PublishedReport, changed_rows
from napreport.report.summary import STARTS_LATER

PAGE_SIZE = 25
# The page sizes a visitor may ask for (?per_page=); anything else gets the default, so no request pages the
# whole chart at once.
PAGE_SIZES = (25, 50, 100)
# The query parameters the progress table reads (its filters, django-tables2's sort and page, the page size and
# the download format): any other is dropped before the page is looked up in the cache.
PROGRESS_QUERY = (*ProgressFilter.base_filters, "sort", "page", "per_page", "download")
# The query parameters of the other paginated tables (a department's deliverables, what changed).
PAGED_QUERY = ("page", "per_page")


def read_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page that only answers GET and HEAD: any other method (POST, OPTIONS, TRACE …) is a 405 with
    `Allow: GET, HEAD`, before the page cache is looked at and before CSRF would answer a POST with a 403 (there
    is nothing here a forged request could change, and the refusal is the same for everybody)."""
    return csrf_exempt(require_safe(view))


@read_only
@public_page
def home(request: HttpRequest) -> HttpResponse:
    plan = current_plan()
    periods = published_periods(plan)
    latest = periods[0] if periods else None
    # Counted when the year was published: the home page reads no row of the chart, whatever its size.
    summary = status_summary(pillar_blocks(latest)) if latest else None
    reports = PublishedReport.objects.filter(
        period__in=periods, format=PublishedReport.Format.PDF, language=get_language()
    )
    return render(
        request,
        "public/home.html",
        {
            # The plan's title and pillars as the latest year published them, never the live (draft) names.
            "pillars": latest.published_pillars.all() if latest else [],
            "periods": periods,
            "latest": latest,
            "summary": summary,
            "totals": totals_sentence(counted_coverage(latest)) if latest else "",
            "collection": collection_progress(plan),
            "reports": {report.period_id: report for report in reports},
            "title": _("Progress on the National Action Plan"),
        },
    )


def pillar_blocks(period: ReportingPeriod) -> list[PillarBlock]:
    """The status summary's pillars, counted as the report counts them (napreport.report.build.chart_blocks: a
    heading with no status of its own is not counted; a row without a status that starts after the year is
    counted as "Starts in 2014–2015"), from the figures publishing counted (one query); their names in the page
    language's typography."""
    blocks: dict[int, PillarBlock] = {}
    for number, name_en, name_fr, status, starts, heading, count in published_figures(period)["counts"]:
        if heading:
            continue
        name = PublishedDeliverable(pillar_name_en=name_en, pillar_name_fr=name_fr).pillar_name
        block = blocks.setdefault(number, PillarBlock(number, typography(name)))
        block.counts[f"{STARTS_LATER}{starts}" if starts else status] += count
    return [blocks[number] for number in sorted(blocks)]


@read_only
@public_page(query=PROGRESS_QUERY)
def progress(request: HttpRequest, year: str) -> HttpResponse:
    plan = current_plan()
    period = published_period(plan, year)
    rows = published_rows(period)
    filters = ProgressFilter(request.GET, queryset=rows, period=period)
    # An invalid value (a bookmarked link to a task another year does not have) is said beside its field, and
    # the table shows every row, with no filter, rather than nothing.
    valid = filters.is_valid()
    # No filter can repeat a row (a row has each lead once), so no DISTINCT, which made the database compare every
    # column of every matching row to count them.
    shown = filters.qs if valid else rows
    export = request.GET.get("download")
    if export:
        if export not in FORMATS:
            raise Http404(_("Unknown download format."))
        return export_response(shown, export, f"action-items-{period.label}")
    title = _("Progress in %(year)s") % {"year": fiscal_year_text(period.start_year)}
    described = filters.described() if valid else []
    if described:
        title = _("%(title)s (%(filters)s)") % {"title": title, "filters": "; ".join(described)}
    counts = counted_coverage(period)  # counted when the year was published: the page loads only the rows it shows
    # Unfiltered, the table's rows are the year's, which publishing counted: no count of them either.
    table = ProgressTable(shown, count=None if described else counts.rows)
    table.caption = _("Deliverables, %(year)s") % {"year": fiscal_year_table(period.start_year)}
    RequestConfig(request, paginate=False).configure(table)  # the ?sort= order; unknown columns are ignored
    paginate(request, table)
    return render(
        request,
        "public/progress.html",
        {
            "period": period,
            "periods": published_periods(plan),
            "filters": filters,
            "valid": valid,
            "title": title,
            "table": table,
            "matches": table.paginator.count,
            "total": counts.rows,
            "unreported": unreported_sentence(period, counts),
            "totals": totals_sentence(counts),
        },
    )


def paginate(request: HttpRequest, table: Table) -> None:
    """Shows page ?page= of `table`, ?per_page= rows long: the database sends only those rows. A page past the
    last is a 404."""
    try:
        table.paginate(page=page_number(request), per_page=page_size(request))
    except EmptyPage:
        raise Http404(_("This table has no page %(page)s.") % {"page": request.GET["page"][:20]}) from None


def page_size(request: HttpRequest) -> int:
    """?per_page= when it is one of PAGE_SIZES, else PAGE_SIZE."""
    size = request.GET.get("per_page", "")
    return int(size) if size in {str(allowed) for allowed in PAGE_SIZES} else PAGE_SIZE


def page_number(request: HttpRequest) -> int:
    """?page= as a number from 1; anything that is not one shows the first page (past the last is a 404)."""
    page = request.GET.get("page", "")
    return int(page) if page.isascii() and page.isdigit() and int(page) > 0 else 1


def export_response(
    rows: QuerySet[PublishedDeliverable] | list[PublishedDeliverable], file_format: str, name: str
) -> HttpResponse:
    language = get_language()
    response = HttpResponse(render_export(rows, file_format, language), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}-{language}.{file_format}"'
    return response


@read_only
@public_page
def deliverable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    history = list(
        PublishedDeliverable.objects.filter(deliverable_id=pk, period__state="published")
        .select_related("period")
        .order_by("period__start_year")
    )
    if not history:
        raise Http404(_("No published deliverable has this number."))
    latest = history[-1]
    # Its sub-items in every year by their parent (its index), then the latest year's: asked for the year as well,
    # SQLite walked the whole year in chart order (the index of that order) to find them.
    items = [
        item
        for item in PublishedDeliverable.objects.filter(parent_id=pk).order_by("chart_order")
        if item.period_id == latest.period_id
    ]
    # The leads' names and pages as that year published them.
    leads = PublishedDepartment.objects.filter(period=latest.period, department__published_rows=latest)
    slips = [entry for entry in history if entry.slip_reason]  # each later target, with the department's reason
    return render(
        request,
        "public/deliverable.html",
        {
            "row": latest,
            "history": history,
            "items": items,
            "leads": leads,
            "slips": slips,
            "heading": first_line(latest),
            "rest": latest.text.partition("\n")[2],
            # The page's title names the deliverable too, shortened: a deliverable's first line can be a paragraph.
            "title": Truncator(first_line(latest)).chars(90),
        },
    )


@read_only
@public_page
def department_list(request: HttpRequest) -> HttpResponse:
    """Every lead department of the latest published year, with its deliverables counted by status."""
    periods = published_periods(current_plan())
    if not periods:
        raise Http404(_("Nothing has been published yet."))
    period = periods[0]
    departments = department_counts(period)
    statuses: list[tuple[str, object]] = [(status, Status(status).label) for status in Status.values]
    if any(department.by_status.get("") for department in departments):
        statuses.append(("", _("No status reported")))
    return render(
        request,
        "public/departments.html",
        {
            "period": period,
            "departments": [(entry, entry.counts(statuses)) for entry in departments],
            "statuses": statuses,
            "title": _("Lead departments"),
        },
    )


@read_only
@public_page(query=PAGED_QUERY)
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    periods = published_periods(current_plan())
    if not periods:
        raise Http404(_("Nothing has been published yet."))
    period = periods[0]
    # The department's names and address as the latest year published them.
    department = get_object_or_404(PublishedDepartment, period=period, slug=slug)
    rows = published_rows(period).filter(leads=department.department_id)
    # Its deliverables by status, as publishing counted them.
    counts = {
        status: count
        for department_id, status, count in published_figures(period)["departments"]
        if department_id == department.department_id
    }
    if not counts:
        raise Http404(_("This department leads no published deliverable."))
    statuses = [(Status(status).label, counts[status]) for status in Status.values if counts.get(status)]
    table = DepartmentTable(rows, count=sum(counts.values()))
    table.caption = _("Deliverables led, %(year)s") % {"year": fiscal_year_table(period.start_year)}
    paginate(request, table)
    return render(
        request,
        "public/department.html",
        {
            "department": department,
            "period": period,
            "total": sum(counts.values()),
            "statuses": statuses,
            "table": table,
            "title": department.name,
        },
    )


@read_only
@public_page(query=("from", "to", *PAGED_QUERY))
def changes(request: HttpRequest) -> HttpResponse:
    periods = published_periods(current_plan())
    title = _("What changed")
    by_label = {period.label: period for period in periods}
    if len(periods) < 2:
        return render(request, "public/changes.html", {"periods": periods, "table": None, "title": title})
    later = by_label.get(request.GET.get("to", periods[0].label))
    earlier = by_label.get(request.GET.get("from", periods[1].label))
    if later is None or earlier is None or earlier.start_year >= later.start_year:
        raise Http404(_("Choose two published years, the earlier one first."))
    # How many changed since the earlier year, as publishing counted them (when it published the later year).
    count = published_figures(later)["changes"].get(str(earlier.pk))
    table = ChangesTable(changed_rows(earlier, later), earlier=earlier.start_year, later=later.start_year, count=count)
    table.caption = _("Status changes, %(earlier)s to %(later)s") % {
        "earlier": fiscal_year_table(earlier.start_year),
        "later": fiscal_year_table(later.start_year),
    }
    paginate(request, table)
    return render(
        request,
        "public/changes.html",
        {"periods": periods, "earlier": earlier, "later": later, "table": table, "title": title},
    )


@read_only
@public_page
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """sitemap.xml: every public page in both languages (napreport.public.sitemaps), cached like the pages."""
    response = sitemaps_views.sitemap(request, sitemaps=SITEMAPS)
    response.render()  # the page cache and the ETag read the body
    return response


@read_only
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: the staff screens are not for search engines; the sitemap lists what is."""
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {settings.SITE_URL}{reverse('sitemap-xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
