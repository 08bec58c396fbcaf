"""The status list's spreadsheet screens: the upload, its preview kept for this user only, the confirmation."""

import logging
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import CacheStorage

from commitments.admin.conflicts import compare
from commitments.carried_figures import saving_statuses
from commitments.models import StatusUpdate, StatusUpdateQuerySet
from commitments.roles import is_coordinator
from commitments.spreadsheet_formats import LimitedCSV, LimitedXLSX, SpreadsheetRefused, check_upload_size
from commitments.spreadsheet_template import (
    export_titles,
    file_name,
    fill_in_workbook,
    fiscal_year_choices,
)
from commitments.spreadsheets import StatusUpdateResource, named_statuses

logger = logging.getLogger("commitments.spreadsheets")


class SpreadsheetImportForm(ImportForm):
    """The upload step: a file past the size limit is refused before it is stored or read."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        check_upload_size(upload.size)
        return upload


class ConfirmSpreadsheetImportForm(ConfirmImportForm):
    """The confirm step: only a preview this session was shown, with the file name and format it was shown for."""

    def __init__(self, *args: Any, previews: dict[str, dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previews = previews or {}

    def clean(self) -> Any:
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

    # RefusedSaveMixin's, beside this mixin in StatusUpdateAdmin: the page of the rows someone else saved first.
    stale_rows_response: Callable[..., HttpResponse]

    def get_export_formats(self) -> list[type[Any]]:
        # The library's own classes: it exports native numbers only for the XLSX type it knows.
        return [CSV, XLSX]

    def get_export_data(
        self, file_format: Any, request: HttpRequest, queryset: QuerySet[StatusUpdate], **kwargs: Any
    ) -> Any:
        if not isinstance(file_format, XLSX):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        who, when, years = self.export_titles(request, queryset)
        return fill_in_workbook(dataset, f"{who} {when}".strip(), fiscal_year_choices(years))

    def get_export_filename(self, request: HttpRequest, queryset: QuerySet[StatusUpdate], file_format: Any) -> str:
        who, when, years = self.export_titles(request, queryset)
        return file_name(who, when, file_format.get_extension())

    def export_titles(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> tuple[str, str, set[int]]:
        """(whom the file is for, which year(s), the years' start) for the sheet and the file name, read once
        per request (one query for the departments, one for the years)."""
        if not hasattr(request, "_spreadsheet_titles"):
            departments = [] if is_coordinator(request.user) else list(request.user.departments.all())  # type: ignore[union-attr]  # staff: signed in
            years = set(queryset.order_by().values_list("period__start_year", flat=True).distinct())
            request._spreadsheet_titles = (*export_titles(departments, years), years)  # type: ignore[attr-defined]  # kept for the request
        return request._spreadsheet_titles  # type: ignore[attr-defined]

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[StatusUpdate]:
        # Everything a row shows, in one query however many rows: the deliverable's text and the period
        # (joined), last year's status, target and notes (with_previous(): subqueries; the admin's queryset
        # applies it too, and applying it again only replaces them). Without the coordinator's lead column
        # prefetch, which the file does not show: with a prefetch, import-export pages through the rows (a COUNT,
        # then a query and a prefetch per 100 rows, each page's OFFSET slower than the last).
        queryset = cast(StatusUpdateQuerySet, self.get_queryset(request))
        return queryset.with_previous().select_related("deliverable__task", "period").prefetch_related(None)

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # A row refused at confirmation (someone saved it since the preview) leaves every row unwritten.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # ---- the upload and its preview
    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
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

    def import_action(self, request: HttpRequest, **kwargs: Any) -> Any:
        response = super().import_action(request, **kwargs)
        form = response.context_data["form"]
        upload = getattr(form, "cleaned_data", {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name and response.context_data.get("confirm_form"):
            self.issue_preview(request, name, response.context_data["confirm_form"].initial)
        elif name:
            self.get_tmp_storage_class()(name=name).remove()  # refused: nothing to confirm
        # The rows someone else saved since the export, left out: what the person typed beside their values.
        response.context_data["stale_rows"] = [
            {"number": stale.number, "update": stale.current, "compare": compare(stale.current, stale.typed)}
            for stale in getattr(response.context_data.get("result"), "stale_rows", [])
        ]
        return response

    def issue_preview(self, request: HttpRequest, name: str, confirm_initial: dict[str, Any]) -> None:
        """Remember in the session that this user was shown the preview stored under `name`."""
        previews = dict(list(request.session.get(PREVIEWS_KEY, {}).items())[-(PREVIEWS_KEPT - 1) :])
        previews[name] = {
            "user": request.user.pk,
            **{key: str(confirm_initial.get(field, "")) for key, field in PREVIEW_FIELDS.items()},
        }
        request.session[PREVIEWS_KEY] = previews

    def get_confirm_form_kwargs(self, request: HttpRequest, import_form: Any = None) -> dict[str, Any]:
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
    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
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
        # The rows' statuses change and nothing else the dashboard counts: its figures are carried across.
        with saving_statuses(named_statuses(dataset)):
            result = self.process_dataset(dataset, form, request, **kwargs)
        return self.process_result(result, request)

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
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
        imported = super().process_result(result, request)
        stale_rows = getattr(result, "stale_rows", [])  # set by the resource's after_import
        if not stale_rows:
            return imported
        # Rows someone else saved since the export were left out: nothing typed in them is dropped unseen.
        return self.stale_rows_response(
            request,
            [(stale.current.pk, stale.typed) for stale in stale_rows],
            imported["Location"],
            gettext(
                "The other rows of your file were imported. Someone else saved the rows below after the file was "
                "exported: choose, for each, which version to keep."
            ),
        )

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
