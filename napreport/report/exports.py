"""Open-data exports of a period's chart: CSV and JSON, one row per deliverable and tracked sub-item."""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.utils import translation

from commitments.models import PublishedDeliverable
from commitments.spreadsheets import neutralise_formula

COLUMNS = [
    "pillar",
    "objective",
    "task",
    "task_title",
    "deliverable_id",
    "parent_id",
    "text",
    "start",
    "status",
    "leads",
    "lead_note",
    "new",
]
FORMATS = ["csv", "json"]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def download_name(label: str, language: str, file_format: str) -> str:
    """The name a chart download is served (Content-Disposition) and stored under: "action-items-2013-2014-en.csv"."""
    return f"action-items-{label}-{language}.{file_format}"


def export_content(rows: Iterable[PublishedDeliverable], file_format: str, language: str) -> bytes:
    """The bytes of the download: render_export's text in UTF-8, as HttpResponse encodes it for CONTENT_TYPES."""
    return render_export(rows, file_format, language).encode()


def export_record(row: PublishedDeliverable) -> dict[str, Any]:
    """One chart row as the export's columns, in the active language."""
    return {
        "pillar": row.pillar_name,
        "objective": row.objective_code,
        "task": row.task_code,
        "task_title": row.task_title,
        "deliverable_id": row.deliverable_id,
        "parent_id": row.parent_id,
        "text": row.text,
        "start": row.timeline,
        "status": str(row.status_label),
        "leads": ";".join(row.leads_label.split(", ")) if row.leads_label else "",
        "lead_note": row.lead_note,
        "new": row.is_new,
    }


def render_export(rows: Iterable[PublishedDeliverable], file_format: str, language: str) -> str:
    """The rows as CSV or JSON text in `language` ("en" or "fr")."""
    with translation.override(language):
        records = [export_record(row) for row in rows]
    if file_format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        # A spreadsheet opening the file would run text such as "=HYPERLINK(…)" as a formula: every text cell
        # is neutralised. The JSON is data, not a spreadsheet, and keeps the text as typed.
        writer.writerow(
            {
                **{column: neutralise_formula(value) for column, value in record.items()},
                "new": "true" if record["new"] else "false",
                "parent_id": record["parent_id"] or "",
            }
        )
    return buffer.getvalue()
