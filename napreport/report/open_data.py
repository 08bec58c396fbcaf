"""An edition's open data, as publication writes it: in each language, the year's CSV and JSON and the CSV of
every year published up to it, then the data package that describes them (napreport.report.datapackage)."""

import hashlib

from django.conf import settings
from django.utils import translation

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report.datapackage import DATAPACKAGE_NAME, DataFile, datapackage_content
from napreport.report.exports import all_years_name, download_name, export_records, render_records
from napreport.report.models import CHART_FORMATS, PublishedReport


def open_data_name(period: ReportingPeriod, language: str, file_format: str) -> str:
    """The name a file of the open data is stored and served under, and the data package's `path` for it."""
    if file_format == PublishedReport.Format.ALL_YEARS_CSV:
        return all_years_name(period.label, language)
    if file_format == PublishedReport.Format.DATAPACKAGE:
        return DATAPACKAGE_NAME
    return download_name(period.label, language, file_format)


def render_open_data(period: ReportingPeriod) -> list[tuple[DataFile, bytes]]:
    """The files of the published `period`'s open data and their bytes, rendered from the frozen rows (the data
    package last: it records the others' sizes and SHA-256). The package itself is in both languages (language "")."""
    published = PublishedDeliverable.objects.select_related("period").order_by("chart_order")  # as the public reads
    rows = list(published.filter(period=period))
    # Every year's CSV is the years published before this one, then this one's rows: each read and made once.
    earlier_years = list(
        published.filter(
            period__plan_id=period.plan_id,
            period__state=ReportingPeriod.State.PUBLISHED,
            period__start_year__lt=period.start_year,
        ).order_by("period__start_year", "chart_order")
    )
    files = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            records = list(export_records(rows))
            for file_format in CHART_FORMATS:
                content = render_records(records, file_format).encode()
                files.append(data_file(period, language, file_format, content))
            every_year = [*export_records(earlier_years), *records]
            content = render_records(every_year, PublishedReport.Format.CSV).encode()
        files.append(data_file(period, language, PublishedReport.Format.ALL_YEARS_CSV, content))
    package = datapackage_content(period, [described for described, _content in files])
    files.append(data_file(period, "", PublishedReport.Format.DATAPACKAGE, package))
    return files


def data_file(period: ReportingPeriod, language: str, file_format: str, content: bytes) -> tuple[DataFile, bytes]:
    name = open_data_name(period, language, file_format)
    return DataFile(file_format, language, name, len(content), hashlib.sha256(content).hexdigest()), content
