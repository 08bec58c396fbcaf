"""Load a period's report narrative from fixtures/<plan>/report-<period>/<section>.json."""

from pathlib import Path

from django.db import transaction

from commitments.loading import NAP_2012_DIR, read_json, upsert
from commitments.models import ReportingPeriod
from napreport.report.html import clean_html
from napreport.report.models import HTML_FIELDS, NarrativeSection, SectionKey

TEXT_FIELDS = ("title_en", "title_fr", *HTML_FIELDS)


def narrative_directory(period: ReportingPeriod, plan_directory: str | Path = NAP_2012_DIR) -> Path:
    return Path(plan_directory) / f"report-{period.label}"


@transaction.atomic
def load_narrative(period: ReportingPeriod, directory: str | Path | None = None) -> int:
    """Write the period's narrative sections from their JSON files. Returns the number of sections written.

    Values are compared after sanitising, so loading the same files twice writes nothing.
    """
    directory = Path(directory) if directory else narrative_directory(period)
    written = 0
    for path in sorted(directory.glob("*.json")):
        data = read_json(path)
        key = SectionKey(data["key"])
        values = {
            name: clean_html(data.get(name, "")) if name in HTML_FIELDS else data.get(name, "") for name in TEXT_FIELDS
        }
        _, changed = upsert(NarrativeSection, {"period": period, "key": key}, values)
        written += changed
    return written
