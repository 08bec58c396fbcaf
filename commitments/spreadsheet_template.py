"""The spreadsheet a department fills in offline: its columns as people name them, in English or French,
the values people type in them, and the XLSX workbook that guides them (drop-downs, locked columns).

A file's header row holds the columns' names in the exporting person's language; the import reads them in
either language, or as the stable machine names (``id``, ``status``, ``note_en``…) that scripts and older
exports use, so a file exported in French imports for a colleague working in English.
"""

import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from commitments.models import Department, SlipReason, Status, parse_fiscal_year
from commitments.models.values import period_label

# Machine name → the header a person reads, in the order of the exported file.
COLUMNS = {
    "id": _("ID (do not change)"),
    "version": _("Version (do not change)"),
    "task": _("Task"),
    "deliverable": _("Deliverable"),
    "period": _("Fiscal year"),
    "previous_status": _("Last year's status"),
    "previous_note": _("Last year's note"),
    "status": _("This year's status"),
    "target_year": _("On track for (fiscal year)"),
    "note_en": _("Progress note (English)"),
    "note_fr": _("Progress note (French)"),
    # Filled in only when the target moves later than last year's (a slip, see is_slip): why, as the form asks.
    "slip_reason": _("Reason for the later target"),
    "slip_note_en": _("Why the target moved (English)"),
    "slip_note_fr": _("Why the target moved (French)"),
}
# What the department types; every other column is there to read, and locked in the workbook.
EDITABLE = ("status", "target_year", "note_en", "note_fr", "slip_reason", "slip_note_en", "slip_note_fr")
WIDTHS = {
    "id": 12,
    "version": 10,
    "task": 8,
    "deliverable": 60,
    "period": 12,
    "previous_status": 22,
    "previous_note": 40,
    "status": 22,
    "target_year": 16,
    "note_en": 50,
    "note_fr": 50,
    "slip_reason": 24,
    "slip_note_en": 40,
    "slip_note_fr": 40,
}
WRAPPED = ("deliverable", "previous_note", "note_en", "note_fr", "slip_note_en", "slip_note_fr")
# Codes and fiscal years that look like numbers: typed as text (format "@"), so Excel or LibreOffice keeps
# "1.10" as "1.10" when the file is saved, even in a cell retyped by hand, instead of the number 1.1.
TEXT = ("task", "period", "target_year")
LANGUAGES = ("en", "fr")
YEARS_OFFERED = 8  # target years in the drop-down, from the period's own


def key(text: object) -> str:
    """A header or a label as compared: case, accents, spacing, curly apostrophes and a trailing * ignored."""
    text = unicodedata.normalize("NFKD", str(text).replace("’", "'"))
    text = "".join(character for character in text if not unicodedata.combining(character))
    return " ".join(text.split()).casefold().rstrip(" *")


def in_each_language(label: str | Promise) -> list[str]:
    result = []
    for language in LANGUAGES:
        with translation.override(language):
            result.append(str(label))
    return result


def machine_names(headers: Iterable[str]) -> list[str]:
    """The machine name of each header (in English, French or already a machine name); others as they are."""
    known = {}
    for name, label in COLUMNS.items():
        known[key(name)] = name
        for text in in_each_language(label):
            known[key(text)] = name
    return [known.get(key(header), header) if header else header for header in headers]


def header_labels(names: Iterable[str]) -> list[str]:
    """The headers a person reads, in the active language, for these machine names."""
    return [str(COLUMNS.get(name, name)) for name in names]


def on_track_prefixes() -> list[str]:
    # "On track for %(year)s" without its year: "on track for", "en bonne voie pour".
    return [key(text.replace("%(year)s", "")) for text in in_each_language(_("On track for %(year)s"))]


def read_status(value: object) -> tuple[str, int | None]:
    """(status, target year or None) from a cell: a code ("complete"), a label in English or French
    ("Complete", « Terminé »), or a printed status with its year ("On track for 2015/2016")."""
    typed = key(value or "")
    for status in Status:
        if typed in (key(status.value), *(key(label) for label in in_each_language(status.label))):
            return status.value, None
    for prefix in on_track_prefixes():
        if typed.startswith(prefix + " "):
            try:
                return Status.ON_TRACK.value, parse_fiscal_year(typed.removeprefix(prefix))
            except ValidationError:
                break
    raise ValidationError(
        gettext("“%(status)s” is not a status; use one of %(statuses)s.")
        % {"status": value or "", "statuses": ", ".join(str(label) for label in Status.labels)}
    )


def read_slip_reason(value: object) -> str:
    """A slip's reason from a cell: a code ("funding") or a label in English or French (« Financement »);
    an empty cell is no reason."""
    typed = key(value or "")
    if not typed:
        return ""
    for reason in SlipReason:
        if typed in (key(reason.value), *(key(label) for label in in_each_language(reason.label))):
            return reason.value
    raise ValidationError(
        gettext("“%(reason)s” is not one of the reasons; use one of %(reasons)s.")
        % {"reason": value, "reasons": ", ".join(str(label) for label in SlipReason.labels)}
    )


def read_fiscal_year(value: object) -> int | None:
    """A target year from a cell: "2015-2016", "2015/16", or the year it starts (2015, or 2015.0 from a sheet)."""
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    try:
        return parse_fiscal_year(text)
    except ValidationError:
        raise ValidationError(gettext("“%(year)s” is not a fiscal year.") % {"year": value}) from None


def fiscal_year_choices(start_years: Collection[int]) -> list[str]:
    """The target years offered in the drop-down: from the earliest period's year, a few years on."""
    first = min(start_years, default=None)
    return [] if first is None else [period_label(year) for year in range(first, max(start_years) + YEARS_OFFERED)]


def export_titles(departments: Iterable[Department], start_years: Iterable[int]) -> tuple[str, str]:
    """("RCMP", "2014-2015"): whom the file is for and which fiscal year(s), safe in a file name."""
    who = "-".join(slugify(department.short_name).upper() for department in departments)
    who = who or slugify(pgettext("export file name", "all departments"))
    years = sorted(set(start_years))
    if len(years) > 1:
        return who, f"{period_label(years[0])}-{slugify(pgettext('export file name', 'to'))}-{period_label(years[-1])}"
    return who, period_label(years[0]) if years else ""


def file_name(who: str, when: str, extension: str) -> str:
    """“RCMP-2014-2015-status.xlsx”."""
    parts = [who, when, slugify(pgettext("export file name", "status"))]
    return "-".join(part for part in parts if part) + f".{extension}"


def list_validation(choices: Sequence[str], message: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    listed = ",".join(choices)
    # An inline list is at most 255 characters, separated by commas.
    if not choices or len(listed) > 255 or any("," in choice or '"' in choice for choice in choices):
        return None
    return DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=gettext("Not in the list"),
        error=message,
    )


def fill_in_workbook(dataset: Any, title: str, years: Sequence[str]) -> bytes:
    """The XLSX file a department fills in: the exported rows under readable headers, the columns to read
    locked, drop-downs for the status and the target year, widths that fit, the header row frozen."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    names = machine_names(dataset.headers)
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one worksheet
    sheet.title = re.sub(r"[\[\]:*?/\\']", "", title)[:31] or "Sheet"
    workbook.properties.title = title
    sheet.append(list(dataset.headers))
    for row in dataset:
        sheet.append(list(row))
    last_row = max(sheet.max_row, 2)
    locked_fill = PatternFill("solid", fgColor="EEEEEE")
    for column, name in enumerate(names, 1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 15)
        sheet.column_dimensions[letter].hidden = name == "version"  # the edit counter: no one reads it
        header = sheet.cell(row=1, column=column)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        for (cell,) in sheet.iter_rows(min_row=2, max_row=sheet.max_row, min_col=column, max_col=column):
            cell.alignment = Alignment(wrap_text=name in WRAPPED, vertical="top")
            if name in TEXT:
                cell.number_format = "@"
                if cell.value is not None:
                    cell.value = str(cell.value)
            if name in EDITABLE:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = locked_fill
        offered = {
            "status": (
                [str(label) for label in Status.labels],
                gettext("Choose this year's status from the list."),
            ),
            "target_year": (years, gettext("Choose the fiscal year it is on track for from the list.")),
            "slip_reason": (
                [str(label) for label in SlipReason.labels],
                gettext("Choose from the list why the target moved later than last year's."),
            ),
        }.get(name)
        validation = offered and list_validation(*offered)
        if validation:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "A2"
    if dataset.headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{last_row}"
    # Locked, not secret: no password, so a person can still unprotect the sheet; the import checks every row.
    sheet.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "autoFilter", "sort"):
        setattr(sheet.protection, allowed, False)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
