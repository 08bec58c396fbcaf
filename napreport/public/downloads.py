"""The public downloads: the list of published files (reports and the chart's data), and the files themselves,
served as they were stored at publication."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from napreport.public.caching import public_page
from napreport.public.published import current_plan, published_period, published_periods, published_rows
from napreport.public.views import export_response, read_only
from napreport.report.exports import CONTENT_TYPES, FORMATS, download_name
from napreport.report.models import CHART_FORMATS, REPORT_FORMATS, PublishedReport


def stored_download_response(download: PublishedReport) -> FileResponse:
    """A chart download stored at publication, with the type and file name its rendering had
    (`export_response`), so the links and the files people saved keep their names."""
    response = FileResponse(download.file.open("rb"), content_type=CONTENT_TYPES[download.format])
    name = download_name(download.period.label, download.language, download.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = download.size
    # A stored file is streamed, so the page cache leaves it alone: say here what public_page says of a page.
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
    response["ETag"] = f'"{download.sha256}"'
    return response


@read_only
@public_page
def downloads(request: HttpRequest) -> HttpResponse:
    periods = published_periods(current_plan())
    reports = PublishedReport.objects.filter(period__in=periods).order_by("period", "language", "format")
    files: dict[int, list[PublishedReport]] = {}
    language = get_language()
    # The chart downloads' sizes were recorded when they were stored at publication; nothing is rendered here.
    # A year published before they were stored has none, and its links go without a size.
    sizes: dict[int, dict[str, int]] = {}
    for report in reports:
        if report.format in CHART_FORMATS:
            if report.language == language:
                sizes.setdefault(report.period_id, {})[report.format] = report.size
        else:
            files.setdefault(report.period_id, []).append(report)
    listing = [(period, files.get(period.pk, []), sizes.get(period.pk, {})) for period in periods]
    return render(request, "public/downloads.html", {"periods": listing, "title": _("Reports and data")})


@read_only
def report_file(request: HttpRequest, year: str, language: str, file_format: str) -> FileResponse:
    """A stored report file, exactly as published."""
    period = published_period(current_plan(), year)
    report = get_object_or_404(
        PublishedReport, period=period, language=language, format=file_format, format__in=REPORT_FORMATS
    )
    response = FileResponse(
        report.file.open("rb"), content_type="application/pdf" if file_format == "pdf" else "text/html; charset=utf-8"
    )
    # Opened in the browser (the HTML edition is a page to read); its name still serves "Save as".
    response["Content-Disposition"] = f'inline; filename="annual-report-{period.label}-{language}.{file_format}"'
    response["Content-Length"] = report.size
    return response


@read_only
@public_page
def chart_download(request: HttpRequest, year: str, file_format: str) -> HttpResponse:
    period = published_period(current_plan(), year)
    if file_format not in FORMATS:
        raise Http404(_("Unknown download format."))
    stored = PublishedReport.objects.filter(period=period, language=get_language(), format=file_format).first()
    if stored is not None:
        stored.period = period  # its label names the file: no query for it
        # public_page's View type says HttpResponse; it passes a streamed response through untouched (.streaming).
        return stored_download_response(stored)  # type: ignore[return-value]
    # Fallback: a year published before the downloads were stored at publication has no file; its frozen rows
    # are rendered on request, as they were then (the same bytes a file would hold).
    return export_response(published_rows(period), file_format, f"action-items-{period.label}")
