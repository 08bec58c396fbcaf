"""The edition's Frictionless data package (datapackage.json): what its open-data files are, what each column
means in both languages, under which licence, published by whom, with each file's size and SHA-256.

Written at publication beside the files it describes (napreport.report.publishing), which it names by their
stored names: relative paths, so the package reads the same from the published folder on disk and from the
public site (napreport.public.downloads serves every file of an edition under one folder).
"""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from commitments.models import ReportingPeriod, fiscal_year_text
from napreport.report.columns import COLUMNS_DESCRIBED, Column
from napreport.report.models import PublishedReport

DATAPACKAGE_NAME = "datapackage.json"
LICENCE = {
    "name": "OGL-Canada-2.0",
    "title": "Open Government Licence – Canada / Licence du gouvernement ouvert – Canada",
    "path": "https://open.canada.ca/en/open-government-licence-canada",
}
PUBLISHER = {
    "title": "Public Safety Canada / Sécurité publique Canada",
    "role": "publisher",
    "path": "https://www.publicsafety.gc.ca/",
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@dataclass
class DataFile:
    """A file the package describes: its format (a PublishedReport.Format), language, stored name, size, SHA-256."""

    format: str
    language: str
    name: str
    size: int
    sha256: str


def in_each_language(text: Any) -> dict[str, str]:
    """A translatable text in each official language: {"en": …, "fr": …}."""
    result = {}
    for language in LANGUAGES:
        with translation.override(language):
            result[language] = str(text)
    return result


def field_descriptor(column: Column) -> dict[str, Any]:
    """The column as a Table Schema field, in the active language, with both languages' titles and descriptions
    (`title_translated`, `description_translated`, as the Open Government Portal names them)."""
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "title": str(column.title),
        "description": str(column.description),
        "title_translated": in_each_language(column.title),
        "description_translated": in_each_language(column.description),
    }
    if str(column.example):
        field["example"] = str(column.example)
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.pattern:
        constraints["pattern"] = column.pattern
    if column.codes:
        constraints["enum"] = [code for code, _label in column.codes]
        field["codes"] = {code: in_each_language(label) for code, label in column.codes}
    if column.type == "integer" and column.name == "pillar_number":
        constraints["minimum"] = 1
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(primary_key: list[str]) -> dict[str, Any]:
    return {
        "fields": [field_descriptor(column) for column in COLUMNS_DESCRIBED],
        "primaryKey": primary_key,
        "missingValues": [""],
    }


def resource(period: ReportingPeriod, data_file: DataFile) -> dict[str, Any]:
    """One file as a tabular data resource, described in its own language."""
    all_years = data_file.format == PublishedReport.Format.ALL_YEARS_CSV
    is_csv = data_file.format != PublishedReport.Format.JSON
    with translation.override(data_file.language):
        # Inside a sentence, French writes a language's name in lower case.
        language = _("English") if data_file.language == "en" else _("French").lower()
        if all_years:
            title = _("Action Items Chart, every year published up to %(year)s (CSV, %(language)s)")
        else:
            title = _("Action Items Chart, %(year)s (%(format)s, %(language)s)")
        kind = "CSV" if is_csv else "JSON"
        title %= {"year": fiscal_year_text(period.start_year), "format": kind, "language": language}
        description = (
            _(
                "One row per deliverable per published year. The first row holds the columns’ titles in the file’s "
                "language; the columns are the schema’s fields, in that order."
            )
            if all_years
            else _(
                "One row per deliverable and tracked sub-item. The first row holds the columns’ titles in the "
                "file’s language; the columns are the schema’s fields, in that order."
            )
            if is_csv
            else _("One object per deliverable and tracked sub-item, keyed by the schema’s field names.")
        )
        descriptor: dict[str, Any] = {
            "name": data_file.name.replace(".", "-"),  # unique: the CSV and the JSON differ by their extension
            "path": data_file.name,
            "profile": "tabular-data-resource",
            "title": title,
            "description": description,
            "format": "csv" if is_csv else "json",
            "mediatype": "text/csv" if is_csv else "application/json",
            "encoding": "utf-8",
            "bytes": data_file.size,
            "hash": f"sha256:{data_file.sha256}",
            "languages": [data_file.language],
            "licenses": [LICENCE],
        }
        if is_csv:
            # The header row is in the file's language, the field names are not: the fields are matched by their
            # order, and the header row is skipped (each title is checked against the schema by the tests).
            descriptor["dialect"] = {
                "delimiter": ",",
                "lineTerminator": "\r\n",
                "quoteChar": '"',
                "doubleQuote": True,
                "header": False,
                "commentRows": [1],
            }
        descriptor["schema"] = table_schema(["fiscal_year", "deliverable_id"] if all_years else ["deliverable_id"])
    return descriptor


def datapackage(period: ReportingPeriod, files: list[DataFile]) -> dict[str, Any]:
    """The descriptor of `period`'s edition of the open data, describing `files`."""
    with translation.override("en"):
        homepage = settings.SITE_URL + reverse("public:downloads")
        dictionary = settings.SITE_URL + reverse("public:data-dictionary")
    titles = {}
    for language in LANGUAGES:
        with translation.override(language):
            titles[language] = _("%(plan)s: Action Items Chart, %(year)s") % {
                "plan": period.plan_title or period.plan.title_en,
                "year": fiscal_year_text(period.start_year),
            }
    title = " / ".join(titles.values())
    descriptions = in_each_language(
        _(
            "The status of every commitment of the plan as the Annual Report on Progress of the year published it "
            "(Annex A, the Action Items Chart), with the lead departments’ progress notes; in English and in "
            "French, one year a file, and every year published so far in one file. The data dictionary explains "
            "each column: %(dictionary)s"
        )
    )
    return {
        "profile": "tabular-data-package",
        "name": f"{period.plan.slug}-action-items-{period.label}",
        "title": title,
        "title_translated": titles,
        "description": "\n\n".join(text % {"dictionary": dictionary} for text in descriptions.values()),
        "edition": period.label,
        "created": period.published_at.isoformat() if period.published_at else None,
        "homepage": homepage,
        "languages": LANGUAGES,
        "keywords": ["human trafficking", "traite de personnes", "National Action Plan", "Plan d’action national"],
        "licenses": [LICENCE],
        "contributors": [PUBLISHER],
        "resources": [resource(period, data_file) for data_file in files],
    }


def datapackage_content(period: ReportingPeriod, files: list[DataFile]) -> bytes:
    return (json.dumps(datapackage(period, files), ensure_ascii=False, indent=2) + "\n").encode()
