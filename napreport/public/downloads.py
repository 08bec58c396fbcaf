"""The public downloads: the list of published files (reports and the chart's data), and the files themselves,
served as they were stored at publication."""

from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.models import ReportingPeriod, fiscal_year_text
from napreport.public.caching import public_page
from napreport.public.published import current_plan, published_period, published_periods, published_rows
from napreport.public.views import export_response, read_only
from napreport.report.columns import COLUMNS_DESCRIBED
from napreport.report.exports import CONTENT_TYPES, FORMATS
from napreport.report.models import CHART_FORMATS, OPEN_DATA_FORMATS, REPORT_FORMATS, PublishedReport
from napreport.report.open_data import open_data_name

# The type each stored open-data file is served with.
FILE_TYPES: dict[str, str] = {
    PublishedReport.Format.CSV: CONTENT_TYPES["csv"],
    PublishedReport.Format.ALL_YEARS_CSV: CONTENT_TYPES["csv"],
    PublishedReport.Format.JSON: CONTENT_TYPES["json"],
    PublishedReport.Format.DATAPACKAGE: CONTENT_TYPES["json"],
}


def stored_file_response(
    request: HttpRequest, stored: PublishedReport, content_type: str, disposition: str
) -> HttpResponseBase:
    """A file stored at publication, streamed from storage (never read into memory), with what a browser, nginx or
    a CDN needs to keep it: `Cache-Control: public`, its SHA-256 as ETag and its year's publication as
    Last-Modified. A conditional request (If-None-Match, If-Modified-Since; GET or HEAD) is answered 304, and a
    failed If-Match or If-Unmodified-Since 412, before the file is opened. Reads stored.period (its published_at):
    set it to the period the caller has."""
    # A stored file is streamed, so the page cache leaves it alone: say here what public_page says of a page.
    validators = {"Cache-Control": f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}", "ETag": f'"{stored.sha256}"'}
    published = stored.period.published_at  # always set once published (a constraint); the field allows None
    last_modified = int(published.timestamp()) if published is not None else None
    if last_modified is not None:
        validators["Last-Modified"] = http_date(last_modified)
    answered = get_conditional_response(request, etag=validators["ETag"], last_modified=last_modified)
    if answered is not None:
        if answered.status_code == 304:  # it says what the 200 would: its validators and how long to keep it
            for header, value in validators.items():
                answered[header] = value
        return answered
    response = FileResponse(stored.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    response["Content-Length"] = stored.size
    for header, value in validators.items():
        response[header] = value
    return response


def stored_download_response(request: HttpRequest, download: PublishedReport) -> HttpResponseBase:
    """A chart download stored at publication, with the type and file name its rendering had
    (`export_response`), so the links and the files people saved keep their names."""
    name = open_data_name(download.period, download.language, download.format)
    return stored_file_response(request, download, FILE_TYPES[download.format], f'attachment; filename="{name}"')


@dataclass
class DataLink:
    """A link of the downloads page to a stored open-data file: what it is, its format, its recorded size."""

    title: str
    url: str
    kind: str
    size: int | None = None


@read_only
@public_page
def downloads(request: HttpRequest) -> HttpResponse:
    periods = published_periods(current_plan())
    reports = PublishedReport.objects.filter(period__in=periods).order_by("period", "language", "format")
    files: dict[int, list[PublishedReport]] = {}
    language = get_language()
    # The open data's sizes were recorded when the files were stored at publication; nothing is rendered here.
    # A year published before they were stored has none, and its chart links go without a size.
    stored: dict[int, dict[str, PublishedReport]] = {}
    for report in reports:
        if report.format in OPEN_DATA_FORMATS:
            if report.language in (language, ""):
                stored.setdefault(report.period_id, {})[report.format] = report
        else:
            files.setdefault(report.period_id, []).append(report)
    listing = [(period, files.get(period.pk, []), data_links(period, stored.get(period.pk, {}))) for period in periods]
    return render(request, "public/downloads.html", {"periods": listing, "title": _("Reports and data")})


def data_links(period: ReportingPeriod, stored: dict[str, PublishedReport]) -> list[DataLink]:
    """The open-data links of a published year, in the page's language: the chart as CSV and JSON (rendered on
    request for a year published before they were stored), then the stored all-years CSV and data package."""
    links = []
    year = fiscal_year_text(period.start_year)
    for file_format in CHART_FORMATS:
        url = reverse("public:chart-download", args=[period.label, file_format])
        size = stored[file_format].size if file_format in stored else None
        links.append(
            DataLink(
                _("Action Items Chart, %(year)s") % {"year": year},
                url,
                file_format.upper(),
                size,
            )
        )
    described = [
        (
            PublishedReport.Format.ALL_YEARS_CSV,
            _("Action Items Chart, every year published up to %(year)s") % {"year": year},
            "CSV",
        ),
        (PublishedReport.Format.DATAPACKAGE, _("Data package (Frictionless), describing these files"), "JSON"),
    ]
    for file_format, title, kind in described:
        if report := stored.get(file_format):
            name = open_data_name(period, report.language, file_format)
            links.append(
                DataLink(title, reverse("public:open-data-file", args=[period.label, name]), kind, report.size)
            )
    return links


@read_only
@public_page
def data_dictionary(request: HttpRequest) -> HttpResponse:
    """What each column of the open data means, in the page's language (napreport.report.columns)."""
    return render(request, "public/dictionary.html", {"columns": COLUMNS_DESCRIBED, "title": _("Data dictionary")})


@read_only
def report_file(request: HttpRequest, year: str, language: str, file_format: str) -> HttpResponseBase:
    """A stored report file, exactly as published."""
    period = published_period(current_plan(), year)
    report = get_object_or_404(
        PublishedReport, period=period, language=language, format=file_format, format__in=REPORT_FORMATS
    )
    report.period = period  # its publication is the file's Last-Modified: no query for it
    return stored_file_response(
        request,
        report,
        "application/pdf" if file_format == "pdf" else "text/html; charset=utf-8",
        # Opened in the browser (the HTML edition is a page to read); its name still serves "Save as".
        f'inline; filename="annual-report-{period.label}-{language}.{file_format}"',
    )


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
        return stored_download_response(request, stored)  # type: ignore[return-value]
    # Fallback: a year published before the downloads were stored at publication has no file; its frozen rows
    # are rendered on request, as they were then (the same bytes a file would hold).
    return export_response(published_rows(period), file_format, f"action-items-{period.label}")


@read_only
@public_page
def open_data_file(request: HttpRequest, year: str, name: str) -> HttpResponse:
    """A stored file of a year's open data by the name it was stored under, the one its data package gives as the
    file's `path`: the package and the files it describes are served from one folder."""
    period = published_period(current_plan(), year)
    kinds = {
        open_data_name(period, language, file_format): (language, file_format)
        for language in ("en", "fr", "")
        for file_format in OPEN_DATA_FORMATS
    }
    if name not in kinds:
        raise Http404(_("This year’s open data has no file of this name."))
    language, file_format = kinds[name]
    stored = get_object_or_404(PublishedReport, period=period, language=language, format=file_format)
    stored.period = period  # its label names the file: no query for it
    return stored_download_response(request, stored)  # type: ignore[return-value]
