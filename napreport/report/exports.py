"""Open-data exports of the chart: one published year as CSV and JSON, and every published year in one CSV (one
row per deliverable per year). The columns are described once, in napreport.report.columns.

The CSV is what a spreadsheet expects (RFC 4180): UTF-8 with a byte-order mark, so that Excel reads the accents,
lines ended by CRLF, a header row of the columns' titles in the file's language, and every text that a spreadsheet
would run as a formula (=, +, -, @ …) preceded by an apostrophe. The JSON is data, not a spreadsheet: its keys
are the columns' stable names, whatever the language, and it keeps every text as typed.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from commitments.models import PublishedDeliverable, ReportingPeriod, period_label
from commitments.spreadsheets import neutralise_formula
from napreport.report.columns import COLUMNS_DESCRIBED

COLUMNS = [column.name for column in COLUMNS_DESCRIBED]
FORMATS = ["csv", "json"]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
BYTE_ORDER_MARK = "\ufeff"


def download_name(label: str, language: str, file_format: str) -> str:
    """The name a chart download is served (Content-Disposition) and stored under: "action-items-2013-2014-en.csv"."""
    return f"action-items-{label}-{language}.{file_format}"


def all_years_name(label: str, language: str) -> str:
    """The name of the CSV of every year published up to `label`: "action-items-all-years-to-2014-2015-en.csv"."""
    return f"action-items-all-years-to-{label}-{language}.csv"


def export_record(row: PublishedDeliverable, fiscal_year: str) -> dict[str, Any]:
    """One chart row of the year `fiscal_year` ("2013-2014") as the export's columns, in the active language."""
    return {
        "fiscal_year": fiscal_year,
        "pillar_number": row.pillar_number,
        "pillar": row.pillar_name,
        "objective": row.objective_code,
        "objective_text": row.objective_text,
        "task": row.task_code,
        "task_title": row.task_title,
        "deliverable_id": row.deliverable_id,
        "parent_id": row.parent_id,
        "new": row.is_new,
        "text": row.text,
        "start": row.timeline,
        "status_code": row.status,
        "status": str(row.status_label),
        "target_year": period_label(row.target_year) if row.target_year else "",
        "note": row.note,
        "leads": ";".join(row.leads_label.split(", ")) if row.leads_label else "",
        "lead_note": row.lead_note,
        "target_change": row.slip,
        "target_change_reason": row.slip_reason,
        "target_change_note": row.slip_note if row.slip_reason else "",
    }


def export_records(rows: Iterable[PublishedDeliverable]) -> Iterator[dict[str, Any]]:
    """The records of `rows` (of one year or several), in the active language."""
    if isinstance(rows, QuerySet):
        rows = rows.select_related("period")  # each row's fiscal year, in the same query
    rows = list(rows)
    # Rows built in memory (the live chart) carry their period; others are read in one query.
    missing = {row.period_id for row in rows if not PublishedDeliverable.period.is_cached(row)}
    years = dict(ReportingPeriod.objects.filter(pk__in=missing).values_list("pk", "start_year")) if missing else {}
    for row in rows:
        start_year = row.period.start_year if row.period_id not in missing else years[row.period_id]
        yield export_record(row, period_label(start_year))


def render_export(rows: Iterable[PublishedDeliverable], file_format: str, language: str) -> str:
    """The rows as CSV or JSON text in `language` ("en" or "fr")."""
    with translation.override(language):
        return render_records(list(export_records(rows)), file_format)


def render_records(records: list[dict[str, Any]], file_format: str) -> str:
    """Records (export_records) as CSV or JSON text, the CSV's titles in the active language."""
    if file_format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return csv_text(records)


def csv_text(records: Iterable[dict[str, Any]]) -> str:
    """The records as CSV in the active language: a byte-order mark, the titles, then a row each, CRLF-ended."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(column.title) for column in COLUMNS_DESCRIBED])
    for record in records:
        writer.writerow([csv_cell(record[name]) for name in COLUMNS])
    return buffer.getvalue()


def csv_cell(value: object) -> object:
    # A spreadsheet opening the file would run text such as "=HYPERLINK(…)" as a formula: every text cell is
    # neutralised. The JSON keeps the text as typed.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise_formula(value)
