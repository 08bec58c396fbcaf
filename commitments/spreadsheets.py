"""The spreadsheets departments export, edit offline (Excel, LibreOffice) and import back."""

import logging

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from import_export import fields, resources, results, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import CacheStorage

from commitments.models import ReportingPeriod, StatusUpdate, status_label
from commitments.models.values import period_label
from commitments.plain_text import without_control_characters
from commitments.review import answer_review
from commitments.roles import editable_updates, is_coordinator
from commitments.spreadsheet_formats import LimitedCSV, LimitedXLSX, SpreadsheetRefused, check_upload_size
from commitments.spreadsheet_template import (
    COLUMNS,
    export_titles,
    file_name,
    fill_in_workbook,
    fiscal_year_choices,
    header_labels,
    machine_names,
    read_fiscal_year,
    read_status,
)

logger = logging.getLogger("commitments.spreadsheets")

# A cell starting with one of these is read as a formula by Excel and LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe so it shows as typed.

    Every export applies it (the staff files and the public open data); the import undoes it, so a round
    trip returns exactly what was typed.
    """
    # Text typed with its own apostrophes before a formula ("'=1") gets one more, so restoring gives it back.
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_formula(value):
    """The text a person typed, from a cell that neutralise_formula() wrote."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


class ImportProblem(results.Error):
    """An import error as staff read it: a sentence, never a traceback or a Python repr.

    The resource's own refusals (ValidationError) are those sentences; anything else is a fault on our side,
    logged with its traceback and told in general words.
    """

    def __init__(self, error, row=None, number=None):
        super().__init__(error, row=row, number=number)
        if not isinstance(error, ValidationError):
            logger.error("Spreadsheet import failed at row %s", number, exc_info=error)

    @property
    def message(self):
        if isinstance(self.error, ValidationError):
            return " ".join(self.error.messages)
        return gettext(
            "This could not be imported because of an error on our side, which has been recorded. "
            "Try again later; if it happens again, tell the taskforce coordinator."
        )

    @property
    def traceback(self):
        return ""


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

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_error_result_class(self):
        return ImportProblem

    # ---- the export: what a person reads
    def get_export_headers(self, selected_fields=None):
        return header_labels(super().get_export_headers(selected_fields))

    def export_field(self, field, instance, **kwargs):
        # Rows stored before notes were cleaned on save may still hold control characters, which XLSX cannot.
        return neutralise_formula(without_control_characters(super().export_field(field, instance, **kwargs)))

    # Reads the deliverable and the period: the export's queryset selects them (StatusSpreadsheetsMixin).
    def dehydrate_deliverable(self, update):
        return update.deliverable.text

    def dehydrate_period(self, update):
        return update.period.label

    def dehydrate_status(self, update):
        return str(status_label(update.status))

    def dehydrate_target_year(self, update):
        return period_label(update.target_year) if update.target_year else ""

    # Last year's status and notes are annotations (StatusSpreadsheetsMixin.get_export_queryset).
    def dehydrate_previous_status(self, update):
        previous = getattr(update, "previous_status", None)
        return str(status_label(previous, getattr(update, "previous_target", None))) if previous else ""

    def dehydrate_previous_note(self, update):
        english, french = getattr(update, "previous_note_en", ""), getattr(update, "previous_note_fr", "")
        return (french if translation.get_language() == "fr" and french else english) or ""

    # ---- the import: a file in either language, its rows checked one by one
    def before_import(self, dataset, **kwargs):
        self.sheet_rows = getattr(dataset, "sheet_rows", None)
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
        published = self.published_periods(dataset["id"])
        if published:
            # An old file: one sentence for the file, not a refusal per row.
            dataset.wipe()
            raise ValidationError(published_file_message(published))

    def published_periods(self, ids):
        """The published periods that rows of this file belong to, among the rows this user's departments lead."""
        numbers = {int(value) for value in ids if str(value).strip().isdigit()}
        rows = StatusUpdate.objects.filter(pk__in=numbers, period__state=ReportingPeriod.State.PUBLISHED)
        if not is_coordinator(self.user):
            rows = rows.filter(deliverable__leads__members=self.user)
        return list(ReportingPeriod.objects.filter(status_updates__in=rows).distinct().select_related("plan"))

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = restore_formula(value)
        # A spreadsheet's empty cell reads as None: an empty note is "", so an untouched row stays unchanged.
        for column in ("note_en", "note_fr"):
            row[column] = "" if row.get(column) is None else str(row[column])
        allowed = editable_updates(self.user)
        try:
            update_id = int(row.get("id") or 0)
        except (TypeError, ValueError):
            raise ValidationError(gettext("“%(id)s” is not a status update number.") % {"id": row.get("id")}) from None
        current = allowed.select_related("updated_by").filter(pk=update_id).first()
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
            raise ValidationError(
                gettext(
                    "%(user)s changed this status after the file was exported (now “%(status)s”, note: "
                    "“%(note)s”). Export the file again and redo this row, or leave this row out of the file."
                )
                % {"user": current.updated_by or gettext("someone"), "status": current.label, "note": current.note_en}
            )

    def after_import(self, dataset, result, **kwargs):
        """Name each refused row as the spreadsheet program numbers it, and the columns as the file's headers."""
        lines = self.sheet_rows or []

        def line(number):
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
        result.diff_headers = header_labels(result.diff_headers)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.full_clean(exclude=["deliverable", "period"])

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        answer_review(instance, self.user)
        # Checked again as it is written, so a save between the check above and this one is not lost either.
        instance.save_unless_stale(self.user, row["version"])


def published_file_message(periods):
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


class SpreadsheetImportForm(ImportForm):
    """The upload step: a file past the size limit is refused before it is stored or read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_upload_size(upload.size)
        return upload


class ConfirmSpreadsheetImportForm(ConfirmImportForm):
    """The confirm step: only a preview this session was shown, with the file name and format it was shown for."""

    def __init__(self, *args, previews=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previews = previews or {}

    def clean(self):
        data = super().clean()
        issued = self.previews.get(data.get("import_file_name"))
        shown = {key: data.get(field) for key, field in PREVIEW_FIELDS.items()}
        if issued is None or {key: issued.get(key) for key in PREVIEW_FIELDS} != shown:
            raise ValidationError(
                gettext(
                    "Nothing was imported: this preview is not one you were shown, or it was already confirmed "
                    "or has expired. Upload the file again."
                )
            )
        return data


class PreviewStorage(CacheStorage):
    """An uploaded file between its preview and its confirmation, under a random name, in the shared cache:
    never a path on the server, and gone within the hour a staff session lasts."""

    CACHE_LIFETIME = 3600
    CACHE_PREFIX = "spreadsheet-preview-"


# What a preview was issued for, as the session keeps it → the confirm form's field.
PREVIEW_FIELDS = {"format": "format", "file": "original_file_name", "resource": "resource"}
PREVIEWS_KEY = "spreadsheet_previews"
PREVIEWS_KEPT = 5


class StatusSpreadsheetsMixin(ImportExportMixin):
    """The status list's export and import: each user's own rows, checked row by row on import."""

    resource_classes = [StatusUpdateResource]
    # What departments use; the file type is checked, and the size and shape limited, on import.
    formats = [LimitedCSV, LimitedXLSX]
    import_form_class = SpreadsheetImportForm
    confirm_form_class = ConfirmSpreadsheetImportForm
    tmp_storage_class = PreviewStorage
    skip_import_confirm = False

    # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark (without, « PrÃ©vention »).
    to_encoding = "utf-8-sig"

    def get_export_formats(self):
        # The library's own classes: it exports native numbers only for the XLSX type it knows.
        return [CSV, XLSX]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not isinstance(file_format, XLSX):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        who, when, years = self.export_titles(request, queryset)
        return fill_in_workbook(dataset, f"{who} {when}".strip(), fiscal_year_choices(years))

    def get_export_filename(self, request, queryset, file_format):
        who, when, years = self.export_titles(request, queryset)
        return file_name(who, when, file_format.get_extension())

    def export_titles(self, request, queryset):
        """(whom the file is for, which year(s), the years' start) for the sheet and the file name, read once
        per request (one query for the departments, one for the years)."""
        if not hasattr(request, "_spreadsheet_titles"):
            departments = [] if is_coordinator(request.user) else list(request.user.departments.all())
            years = set(queryset.order_by().values_list("period__start_year", flat=True).distinct())
            request._spreadsheet_titles = (*export_titles(departments, years), years)
        return request._spreadsheet_titles

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        # Everything a row shows, loaded with the rows: the deliverable's text, the period, and last year's
        # status, target and notes (subqueries; those the admin's queryset does not annotate already).
        queryset = self.get_queryset(request).select_related("deliverable__task", "period")
        previous = StatusUpdate.objects.filter(
            deliverable_id=OuterRef("deliverable_id"),
            period__plan_id=OuterRef("period__plan_id"),
            period__start_year=OuterRef("period__start_year") - 1,
        )
        last_year = {
            name: Subquery(previous.values(field)[:1])
            for name, field in [
                ("previous_status", "status"),
                ("previous_target", "target_year"),
                ("previous_note_en", "note_en"),
                ("previous_note_fr", "note_fr"),
            ]
            if name not in queryset.query.annotations
        }
        return queryset.annotate(**last_year)

    def get_import_data_kwargs(self, **kwargs):
        # A row refused at confirmation (someone saved it since the preview) leaves every row unwritten.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # ---- the upload and its preview
    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ValidationError):
            form.add_error("import_file", e.messages)
            return
        logger.error("An uploaded spreadsheet could not be read", exc_info=e)
        form.add_error(
            "import_file",
            gettext(
                "The file could not be read. Check that the format chosen matches the file (CSV or XLSX), "
                "or save it again from Excel or LibreOffice."
            ),
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        form = response.context_data["form"]
        upload = getattr(form, "cleaned_data", {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name and response.context_data.get("confirm_form"):
            self.issue_preview(request, name, response.context_data["confirm_form"].initial)
        elif name:
            self.get_tmp_storage_class()(name=name).remove()  # refused: nothing to confirm
        return response

    def issue_preview(self, request, name, confirm_initial):
        """Remember in the session that this user was shown the preview stored under `name`."""
        previews = dict(list(request.session.get(PREVIEWS_KEY, {}).items())[-(PREVIEWS_KEPT - 1) :])
        previews[name] = {
            "user": request.user.pk,
            **{key: str(confirm_initial.get(field, "")) for key, field in PREVIEW_FIELDS.items()},
        }
        request.session[PREVIEWS_KEY] = previews

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        if import_form is None:
            kwargs["previews"] = {
                name: preview
                for name, preview in request.session.get(PREVIEWS_KEY, {}).items()
                if preview.get("user") == request.user.pk
            }
        return kwargs

    # ---- the confirmation
    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            for error in form.non_field_errors() or [gettext("Nothing was imported: upload the file again.")]:
                self.message_user(request, error, level=messages.ERROR)
            return redirect("admin:commitments_statusupdate_import")
        name = form.cleaned_data["import_file_name"]
        previews = request.session.get(PREVIEWS_KEY, {})
        previews.pop(name, None)  # a preview is confirmed once
        request.session[PREVIEWS_KEY] = previews
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        storage = self.get_tmp_storage_class()(name=name, read_mode=input_format.get_read_mode())
        data = storage.read()
        storage.remove()
        try:
            if data is None:
                raise SpreadsheetRefused(
                    gettext("Nothing was imported: the preview has expired. Upload the file again.")
                )
            dataset = input_format.create_dataset(data)
        except SpreadsheetRefused as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            return redirect("admin:commitments_statusupdate_import")
        result = self.process_dataset(dataset, form, request, **kwargs)
        return self.process_result(result, request)

    def process_result(self, result, request):
        # The confirmed import runs again on the file; if it no longer imports cleanly (someone saved one of
        # its rows since the preview), nothing was written and the person must be told, not congratulated.
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: the file no longer imports cleanly, probably because someone changed "
                    "one of its statuses since the preview. Import it again to see which rows."
                ),
                level=messages.ERROR,
            )
            return redirect("admin:commitments_statusupdate_import")
        return super().process_result(result, request)

    def has_import_permission(self, request):
        return self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)
