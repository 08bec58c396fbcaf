"""The spreadsheets departments export, edit offline (Excel, LibreOffice) and import back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext
from import_export import fields, resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.widgets import ForeignKeyWidget

from commitments.models import ReportingPeriod, Status, StatusUpdate, parse_fiscal_year
from commitments.review import answer_review
from commitments.roles import editable_updates

# A cell starting with one of these is read as a formula by Excel and LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe so it shows as typed.

    Every export applies it (the staff files and the public open data); the import undoes it, so a round
    trip returns exactly what was typed.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_formula(value):
    """The text a person typed, from a cell that neutralise_formula() wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class StatusUpdateResource(resources.ModelResource):
    """The spreadsheet staff export, edit offline and import back: status, target year and notes."""

    deliverable_id = fields.Field(attribute="deliverable_id", column_name="deliverable_id", readonly=True)
    task = fields.Field(attribute="deliverable__task__code", column_name="task", readonly=True)
    deliverable = fields.Field(attribute="deliverable__text_en", column_name="deliverable", readonly=True)
    period = fields.Field(
        attribute="period", column_name="period", widget=ForeignKeyWidget(ReportingPeriod, "start_year"), readonly=True
    )
    target_year = fields.Field(attribute="target_year", column_name="target_year")
    # The version each row was exported at: an import over a change saved since is refused, as in the form.
    version = fields.Field(attribute="version", column_name="version", readonly=True)

    class Meta:
        model = StatusUpdate
        fields = (
            "id",
            "version",
            "deliverable_id",
            "task",
            "deliverable",
            "period",
            "status",
            "target_year",
            "note_en",
            "note_fr",
        )
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def before_import(self, dataset, **kwargs):
        expected = {"id", "version", "status", "target_year", "note_en", "note_fr"}
        missing = expected - set(dataset.headers or [])
        if missing:
            # import-export goes on to the rows after this error; with no usable header there are none to read.
            dataset.wipe()
            raise ValidationError(
                gettext("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
            )

    def before_import_row(self, row, **kwargs):
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
        status = row["status"] = str(row.get("status") or "").strip()
        if status not in Status.values:
            raise ValidationError(
                gettext("“%(status)s” is not a status; use one of %(statuses)s.")
                % {"status": status, "statuses": ", ".join(Status.values)}
            )
        target = row.get("target_year")
        if target not in (None, ""):
            try:
                row["target_year"] = (
                    parse_fiscal_year(target) if "-" in str(target) or "/" in str(target) else int(target)
                )
            except (ValidationError, ValueError):
                raise ValidationError(gettext("“%(year)s” is not a fiscal year.") % {"year": target}) from None
        else:
            row["target_year"] = None
        edited = (status, row["target_year"], row["note_en"], row["note_fr"])
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

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.full_clean(exclude=["deliverable", "period"])

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        answer_review(instance, self.user)
        # Checked again as it is written, so a save between the check above and this one is not lost either.
        instance.save_unless_stale(self.user, row["version"])


class StatusSpreadsheetsMixin(ImportExportMixin):
    """The status list's export and import: each user's own rows, checked row by row on import."""

    resource_classes = [StatusUpdateResource]
    formats = [CSV, XLSX]  # what departments use; the file type is checked on import

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        return self.get_queryset(request)

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
