"""The spreadsheets departments export, edit offline (Excel, LibreOffice) and import back."""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext
from import_export import fields, resources, results, widgets

from commitments.models import ReportingPeriod, StatusUpdate, StatusUpdateQuerySet, is_slip, status_label
from commitments.models.values import period_label
from commitments.plain_text import without_control_characters
from commitments.review import answer_review
from commitments.roles import editable_updates, is_coordinator
from commitments.spreadsheet_template import (
    COLUMNS,
    header_labels,
    machine_names,
    read_fiscal_year,
    read_slip_reason,
    read_status,
)

logger = logging.getLogger("commitments.spreadsheets")

T = TypeVar("T")

# A cell starting with one of these is read as a formula by Excel and LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: T) -> T | str:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe so it shows as typed.

    Every export applies it (the staff files and the public open data); the import undoes it, so a round
    trip returns exactly what was typed.
    """
    # Text typed with its own apostrophes before a formula ("'=1") gets one more, so restoring gives it back.
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_formula(value: T) -> T | str:
    """The text a person typed, from a cell that neutralise_formula() wrote."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


class ImportProblem(results.Error):
    """An import error as staff read it: a sentence, never a traceback or a Python repr.

    The resource's own refusals (ValidationError) are those sentences; anything else is a fault on our side,
    logged with its traceback and told in general words.
    """

    def __init__(self, error: Exception, row: Any = None, number: int | None = None) -> None:
        super().__init__(error, row=row, number=number)
        if not isinstance(error, ValidationError):
            logger.error("Spreadsheet import failed at row %s", number, exc_info=error)

    @property
    def message(self) -> str:
        if isinstance(self.error, ValidationError):
            return " ".join(self.error.messages)
        return gettext(
            "This could not be imported because of an error on our side, which has been recorded. "
            "Try again later; if it happens again, tell the taskforce coordinator."
        )

    @property
    def traceback(self) -> str:
        return ""


class ReadableDiff(resources.Diff):
    """The preview's before and after as the person reads them: “In progress” and 2015-2016, in their language,
    not the stored in_progress and 2015."""

    def __init__(self, resource: "StatusUpdateResource", instance: StatusUpdate | None, new: bool) -> None:
        super().__init__(resource, instance, new)
        self.left = resource.preview_values(instance)

    def compare_with(self, resource: "StatusUpdateResource", instance: StatusUpdate | None) -> None:
        self.right = resource.preview_values(instance)


# The columns whose stored value is a code: the preview shows them as the export writes them.
SHOWN_AS_LABELS = ("status", "target_year", "slip_reason")
EDITED_COLUMNS = ("status", "target_year", "note_en", "note_fr")
SLIP_COLUMNS = ("slip_reason", "slip_note_en", "slip_note_fr")


@dataclass
class StaleRow:
    """A row of the file that someone else saved since the export: not imported, shown beside theirs."""

    number: int  # the row as the spreadsheet program numbers it, once after_import has counted it
    current: StatusUpdate  # the row as the other person saved it, with updated_by
    typed: dict[str, Any]  # the file's values, read (status code, target year), by column


class StatusUpdateResource(resources.ModelResource):
    """The spreadsheet staff export, fill in offline and import back: status, target year and notes, beside
    the deliverable's text and last year's status and note. Headers follow the person's language; the
    columns keep their machine names (COLUMNS) for the import."""

    task = fields.Field(attribute="deliverable__task__code", column_name="task", readonly=True)
    deliverable = fields.Field(column_name="deliverable", readonly=True)
    period = fields.Field(column_name="period", readonly=True)
    previous_status = fields.Field(column_name="previous_status", readonly=True)
    previous_note = fields.Field(column_name="previous_note", readonly=True)
    target_year = fields.Field(attribute="target_year", column_name="target_year")
    # The version each row was exported at: an import over a change saved since is refused, as in the form.
    version = fields.Field(attribute="version", column_name="version", widget=widgets.IntegerWidget(), readonly=True)

    class Meta:
        model = StatusUpdate
        fields = tuple(COLUMNS)
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    # `user` is the admin's request.user (User | AnonymousUser to django-stubs); only a signed-in staff User ever
    # imports, and narrowing it here would take a runtime check, so it stays Any.
    def __init__(self, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    def get_error_result_class(self) -> type[ImportProblem]:
        return ImportProblem

    def get_queryset(self) -> StatusUpdateQuerySet:
        # Each imported row is read with last year's status and target (subqueries), for the slip check.
        return StatusUpdate.objects.with_previous()

    def get_diff_class(self) -> type[ReadableDiff]:
        return ReadableDiff

    def preview_values(self, instance: StatusUpdate | None) -> list[Any]:
        """A row's imported columns in the preview: codes as their labels, anything else as stored."""
        if instance is None:  # a deleted or skipped row: nothing to show on that side
            return [""] * len(self.get_import_fields())
        return [
            getattr(self, f"dehydrate_{field.column_name}")(instance)
            if field.column_name in SHOWN_AS_LABELS
            else field.export(instance)
            for field in self.get_import_fields()
        ]

    # ---- the export: what a person reads
    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        return header_labels(super().get_export_headers(selected_fields))

    def export_field(self, field: Any, instance: StatusUpdate, **kwargs: Any) -> Any:
        # Rows stored before notes were cleaned on save may still hold control characters, which XLSX cannot.
        return neutralise_formula(without_control_characters(super().export_field(field, instance, **kwargs)))

    # Reads the deliverable and the period: the export's queryset selects them (StatusSpreadsheetsMixin).
    def dehydrate_deliverable(self, update: StatusUpdate) -> str:
        return update.deliverable.text

    def dehydrate_period(self, update: StatusUpdate) -> str:
        return update.period.label

    def dehydrate_status(self, update: StatusUpdate) -> str:
        return str(status_label(update.status))

    def dehydrate_target_year(self, update: StatusUpdate) -> str:
        return period_label(update.target_year) if update.target_year else ""

    def dehydrate_slip_reason(self, update: StatusUpdate) -> str:
        return str(update.get_slip_reason_display()) if update.slip_reason else ""

    # Last year's status and notes are annotations (StatusSpreadsheetsMixin.get_export_queryset).
    def dehydrate_previous_status(self, update: StatusUpdate) -> str:
        previous = getattr(update, "previous_status", None)
        return str(status_label(previous, getattr(update, "previous_target", None))) if previous else ""

    def dehydrate_previous_note(self, update: StatusUpdate) -> str:
        english, french = getattr(update, "previous_note_en", ""), getattr(update, "previous_note_fr", "")
        return (french if translation.get_language() == "fr" and french else english) or ""

    # ---- the import: a file in either language, its rows checked one by one
    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self.sheet_rows = getattr(dataset, "sheet_rows", None)
        self.stale_rows: list[StaleRow] = []
        if dataset.headers:
            dataset.headers = machine_names(dataset.headers)
        expected = {"id", "version", "status", "target_year", "note_en", "note_fr"}
        missing = expected - set(dataset.headers or [])
        if missing:
            # import-export goes on to the rows after this error; with no usable header there are none to read.
            dataset.wipe()
            raise ValidationError(
                gettext("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
            )
        repeated = repeated_columns(dataset.headers)
        if repeated:
            # Which of two "id" columns would be read? import-export takes the last, tablib's dataset["id"] the first.
            dataset.wipe()
            raise ValidationError(
                gettext("The file has the column %(columns)s more than once: keep one of each.")
                % {"columns": ", ".join(gettext("“%(column)s”") % {"column": COLUMNS[name]} for name in repeated)}
            )
        published = self.published_periods(dataset["id"])
        if published:
            # An old file: one sentence for the file, not a refusal per row.
            dataset.wipe()
            raise ValidationError(published_file_message(published))

    def published_periods(self, ids: Iterable[Any]) -> list[ReportingPeriod]:
        """The published periods that rows of this file belong to, among the rows this user's departments lead."""
        numbers = {int(value) for value in ids if str(value).strip().isdigit()}
        rows = StatusUpdate.objects.filter(pk__in=numbers, period__state=ReportingPeriod.State.PUBLISHED)
        if not is_coordinator(self.user):
            rows = rows.filter(deliverable__leads__members=self.user)
        return list(ReportingPeriod.objects.filter(status_updates__in=rows).distinct().select_related("plan"))

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        for column, value in row.items():
            row[column] = restore_formula(value)
        # A spreadsheet's empty cell reads as None: an empty note is "", so an untouched row stays unchanged.
        for column in ("note_en", "note_fr"):
            row[column] = "" if row.get(column) is None else str(row[column])
        # A file without the slip columns (older exports, scripts) leaves the reason already given as it is.
        for column in ("slip_note_en", "slip_note_fr"):
            if column in row:
                row[column] = "" if row[column] is None else str(row[column])
        if "slip_reason" in row:
            row["slip_reason"] = read_slip_reason(row["slip_reason"])
        allowed = editable_updates(self.user)
        try:
            update_id = update_number(row.get("id"))
        except (TypeError, ValueError):
            raise ValidationError(gettext("“%(id)s” is not a status update number.") % {"id": row.get("id")}) from None
        current = allowed.select_related("updated_by", "deliverable__task").filter(pk=update_id).first()
        if current is None:
            raise ValidationError(gettext("You may not change status update %(id)s.") % {"id": update_id})
        try:
            row["version"] = int(row.get("version"))
        except (TypeError, ValueError):
            raise ValidationError(
                gettext("“%(version)s” is not the version the file was exported at; export the file again.")
                % {"version": row.get("version")}
            ) from None
        row["status"], year_in_status = read_status(row.get("status"))
        row["target_year"] = read_fiscal_year(row.get("target_year"))
        if year_in_status and row["target_year"] not in (None, year_in_status):
            raise ValidationError(
                gettext("The status says “%(status)s” but the target year is %(year)s; keep only one of them.")
                % {
                    "status": status_label(row["status"], year_in_status),
                    "year": period_label(row["target_year"]),
                }
            )
        row["target_year"] = row["target_year"] or year_in_status
        edited = (row["status"], row["target_year"], row["note_en"], row["note_fr"])
        if row["version"] != current.version and edited != (
            current.status,
            current.target_year,
            current.note_en,
            current.note_fr,
        ):
            # Saved by someone else since the export: the row is left out (skip_row), and what the person typed
            # is shown beside the other person's values; the file's other rows still import.
            # An empty target is "" here, so the comparison shows that row too ("—" beside theirs).
            typed = {
                name: "" if row[name] is None else row[name]
                for name in (*EDITED_COLUMNS, *SLIP_COLUMNS)
                if name in row
            }
            self.stale_rows.append(StaleRow(kwargs.get("row_number", 0), current, typed))

    def skip_row(self, instance: StatusUpdate, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if any(stale.current.pk == instance.pk for stale in self.stale_rows):
            return True
        return bool(super().skip_row(instance, original, row, import_validation_errors))

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """Name each refused row as the spreadsheet program numbers it, and the columns as the file's headers."""
        lines = self.sheet_rows or []

        def line(number: int) -> int:
            return lines[number - 1] if 0 < number <= len(lines) else number + 1  # + the header row

        for invalid in result.invalid_rows:
            invalid.number = line(invalid.number)
            invalid.messages = [
                message
                if field == NON_FIELD_ERRORS
                else gettext("%(column)s: %(message)s") % {"column": COLUMNS.get(field, field), "message": message}
                for field, messages_ in invalid.error_dict.items()
                for message in messages_
            ]
        for error_row in result.error_rows:
            error_row.number = line(error_row.number)
        for stale in self.stale_rows:
            stale.number = line(stale.number)
        result.stale_rows = self.stale_rows
        result.diff_headers = header_labels(result.diff_headers)

    def import_instance(self, instance: StatusUpdate, row: dict[str, Any], **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        instance.full_clean(exclude=["deliverable", "period"])
        self.check_slip(instance, row)

    def check_slip(self, update: StatusUpdate, row: dict[str, Any]) -> None:
        """A target later than last year's needs its reason and a sentence in each language, as on the form;
        any other status carries none (a reason left from a slip since undone is cleared)."""
        before = (update.previous_status, update.previous_target)  # type: ignore[attr-defined]  # get_queryset()
        if not is_slip(*before, update.status, update.target_year):
            update.slip_reason = update.slip_note_en = update.slip_note_fr = ""
            return
        label = status_label(*before)
        if not all(column in row for column in SLIP_COLUMNS) and not update.slip_reason:
            raise ValidationError(
                gettext(
                    "This is later than last year's “%(before)s”, and the file has no column for the reason: "
                    "export the file again and fill in the reason and the sentences in each language."
                )
                % {"before": label}
            )
        errors = {}
        if not update.slip_reason:
            errors["slip_reason"] = gettext("Last year this was “%(before)s”: say why the target moved later.") % {
                "before": label
            }
        if not (update.slip_note_en.strip() and update.slip_note_fr.strip()):
            errors["slip_note_en"] = gettext("Say in a sentence why the target moved, in each official language.")
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: StatusUpdate, is_create: bool, row: dict[str, Any], **kwargs: Any) -> None:
        if kwargs.get("dry_run"):
            return
        answer_review(instance, self.user)
        # Checked again as it is written, so a save between the check above and this one is not lost either.
        instance.save_unless_stale(self.user, row["version"])


def update_number(cell: Any) -> int:
    """The status update a row's id cell names, as the import reads it: the typed text (restore_formula), as a
    number; TypeError or ValueError if it is none."""
    return int(restore_formula(cell) or 0)


def repeated_columns(headers: Iterable[str]) -> list[str]:
    """The import's columns (machine names) that the headers give more than once."""
    counted = Counter(name for name in machine_names(headers) if name in COLUMNS)
    return sorted(name for name, count in counted.items() if count > 1)


def named_statuses(dataset: Any) -> list[int]:
    """The statuses a file's rows name in its id column, as the import reads them (each row's cells by their
    header, as import-export makes them, and update_number), for figures_carried. A value that is no number
    names no row of anyone's: the row is refused as it is imported, and so is a file with a column twice."""
    names = machine_names(dataset.headers or [])
    named = []
    for row in dataset:
        try:
            named.append(update_number(dict(zip(names, row, strict=False)).get("id")))
        except (TypeError, ValueError, OverflowError):  # "12a", a date, an infinite float
            continue
    return [pk for pk in named if 0 < pk < 2**63]


def published_file_message(periods: Iterable[ReportingPeriod]) -> str:
    """One sentence for a file exported before its period was published: which file to fill in instead."""
    periods = sorted(periods, key=lambda period: period.start_year)
    following = (
        ReportingPeriod.objects.filter(
            plan__in={period.plan_id for period in periods}, state=ReportingPeriod.State.OPEN
        )
        .order_by("-start_year")
        .first()
    )
    published = ", ".join(period.label for period in periods)
    if following:
        return gettext(
            "%(period)s is published, so this file can no longer be imported; export the %(next)s file."
        ) % {
            "period": published,
            "next": following.label,
        }
    return gettext(
        "%(period)s is published; its statuses can no longer change, and nothing in this file was imported."
    ) % {"period": published}
