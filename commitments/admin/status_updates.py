"""The status updates in the admin: departments update their statuses (form, quick-update list,
spreadsheets), the coordinator reviews them and watches the dashboard. Every rule is checked on the
server (querysets and object permissions), not only hidden. This module holds who sees and changes what and
how a save goes; the columns and read-only lines are in status_columns, the actions in status_actions."""

import re
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.translation import gettext

from commitments.admin.conflicts import RefusedSaveMixin
from commitments.admin.dashboard import dashboard_urls
from commitments.admin.pagination import CountedOnceChangeList, KeysFirstPaginator
from commitments.admin.review import (
    CoordinatorQuickUpdateForm,
    CorrectionForm,
    LeadFilter,
    PillarFilter,
    ReviewFilter,
    review_queue_order,
)
from commitments.admin.spreadsheets import StatusSpreadsheetsMixin
from commitments.admin.status_actions import StatusActionsMixin
from commitments.admin.status_columns import StatusColumnsMixin, UpdatedFilter
from commitments.admin.status_forms import (
    CHART_ORDER,
    QUICK_FIELDS,
    SLIP_FIELDS,
    STAFF_FIELDS,
    QuickUpdateForm,
    StatusUpdateForm,
)
from commitments.admin.widgets import SafeAutocompleteMixin
from commitments.carried_figures import figures_carried, saving_statuses
from commitments.history import GuardedHistoryAdmin, StatusChangeDisplay
from commitments.models import (
    DeliverableLead,
    ReportingPeriod,
    StaleUpdateError,
    StatusUpdate,
    StatusUpdateQuerySet,
)
from commitments.review import answer_review
from commitments.roles import editable_updates, is_coordinator


@admin.register(StatusUpdate)
class StatusUpdateAdmin(
    StatusColumnsMixin,
    StatusActionsMixin,
    RefusedSaveMixin,
    SafeAutocompleteMixin,
    StatusSpreadsheetsMixin,
    GuardedHistoryAdmin,
):
    form = StatusUpdateForm
    change_list_template = "admin/commitments/statusupdate/status_list.html"  # the spreadsheet buttons extend it
    revertible = True  # the coordinator's undo of a status change (checked against the current version)
    object_history_list_template = "admin/commitments/statusupdate/object_history_list.html"
    # Each row posts a dozen fields with every save and action; Django refuses a request past
    # DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000), which a page of 100 rows passed (see test_status_list_size.py).
    list_per_page = 50
    paginator = KeysFirstPaginator  # a page's cost does not grow with the list (issue #17)
    list_display = [
        "task_code",
        "deliverable_text",
        "previous_status",
        *QUICK_FIELDS,
        "is_updated",
        "review_display",
    ]
    list_display_links = ["deliverable_text"]
    list_editable = QUICK_FIELDS
    list_filter = ["status", UpdatedFilter, ReviewFilter, "period"]
    list_select_related = ["deliverable__task", "period"]
    autocomplete_fields = ["deliverable"]
    # The deliverable's texts through their stored lower-cased copy (commitments/models/search_text.py).
    search_fields = ["deliverable__folded_text__folded_contains", "deliverable__task__code", "note_en", "note_fr"]
    actions = ["mark_complete", "mark_ongoing", "mark_in_progress", "accept", "return_for_changes"]

    # ---- scope: what each user sees and may change
    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusUpdate]:
        queryset = self.with_list_columns(request, super().get_queryset(request))
        if is_coordinator(request.user):
            return queryset
        return queryset.filter(pk__in=editable_updates(request.user))

    def with_list_columns(self, request: HttpRequest, updates: QuerySet[StatusUpdate]) -> QuerySet[StatusUpdate]:
        # Last year's status, target and notes ride along as subqueries; the chart's order is also the
        # export's (pillar, objective, task, then position in the task).
        queryset = cast(StatusUpdateQuerySet, updates).with_previous().order_by("-period__start_year", *CHART_ORDER)
        if is_coordinator(request.user):  # the lead column: one query for the page
            leads = DeliverableLead.objects.select_related("department")
            return queryset.prefetch_related(Prefetch("deliverable__lead_links", queryset=leads))
        return queryset

    def get_paginator(self, request: HttpRequest, queryset: QuerySet[StatusUpdate], *args: Any, **kwargs: Any) -> Any:
        # The page's keys come from the user's scope and the list's filters and search; its rows are loaded by those
        # keys alone, so that a department's scope (a subquery through its lead links) runs once, not twice.
        rows = (
            self.with_list_columns(request, super().get_queryset(request))
            .select_related(*self.list_select_related)
            .defer("deliverable__folded_text")  # the search's copy of the texts the row already shows
        )
        try:  # the page the list will show, read as Django's ChangeList reads it
            number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            number = 1
        return self.paginator(queryset, *args, **kwargs, rows=rows, number=number)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> Any:
        return CountedOnceChangeList  # the whole list counted again only when a filter or search narrows it

    def get_ordering(self, request: HttpRequest) -> Any:
        # The coordinator's review queue: what needs a look first. For a department, the updates returned to it
        # (what it has to look at again), then the chart's order.
        if is_coordinator(request.user):
            return [review_queue_order(), "-period__start_year", *CHART_ORDER]
        returned_first = Case(When(review=StatusUpdate.Review.RETURNED, then=Value(0)), default=Value(1))
        return [returned_first, "-period__start_year", *CHART_ORDER]

    def get_list_display(self, request: HttpRequest) -> Any:
        # The lead column is the coordinator's: a department's list already is its own deliverables.
        if is_coordinator(request.user):
            return [self.list_display[0], "leads_display", *self.list_display[1:]]
        return self.list_display

    def get_list_filter(self, request: HttpRequest) -> Any:
        if is_coordinator(request.user):
            return [*self.list_filter[:3], LeadFilter, PillarFilter, *self.list_filter[3:]]
        return self.list_filter

    def has_change_permission(self, request: HttpRequest, obj: StatusUpdate | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or editable_updates(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: StatusUpdate | None = None) -> bool:
        return is_coordinator(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: StatusUpdate | None = None) -> Any:
        if obj is None:
            return []
        # The period and the person are plain text: a department cannot follow links to them.
        fixed = [
            "deliverable_text",
            "period_label",
            "updated_by_name",
            "updated_at",
            "last_year_display",
            "recent_changes",
            "reported_display",
        ]
        return fixed if is_coordinator(request.user) else [*fixed, "review", "review_comment"]

    def get_fields(self, request: HttpRequest, obj: StatusUpdate | None = None) -> Any:
        if obj is None:  # the coordinator adds a status a deliverable lacks (usually through the deliverable)
            return ["deliverable", "period", *STAFF_FIELDS, *SLIP_FIELDS, "review", "review_comment"]
        return [
            "deliverable_text",
            "period_label",
            "last_year_display",
            *STAFF_FIELDS,
            *SLIP_FIELDS,
            "review",
            "review_comment",
            *(["reported_display", "correction_reason"] if is_coordinator(request.user) else []),
            "updated_by_name",
            "updated_at",
            "recent_changes",
            "read_version",
        ]

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        form = CoordinatorQuickUpdateForm if is_coordinator(request.user) else QuickUpdateForm
        return super().get_changelist_form(request, form=form, **kwargs)

    # ---- saving: validation, no lost updates, history
    def save_model(self, request: HttpRequest, obj: StatusUpdate, form: Any, change: bool) -> None:  # type: ignore[override]  # this admin's objects are StatusUpdates
        if not change:
            return super().save_model(request, obj, form, change)
        # Every path that saves (change form, quick-update list, revert) comes through here: check the
        # object itself, not only the page that offered it.
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        user = cast(Any, request.user)  # staff: a signed-in User
        read_version = form.cleaned_data["read_version"]
        # A stale save raises StaleUpdateError, caught by the view that offered the form (one message for all).
        if not is_coordinator(user):
            answer_review(obj, user)
            obj.save_unless_stale(user, read_version)
            return
        # Compared with the row as stored, not the form's initial values (reverting starts from an old copy).
        stored = StatusUpdate.objects.get(pk=obj.pk)
        # What the department reported and when it was last reviewed are not the coordinator's to rewrite, and a
        # revert starts from an old copy that holds older ones.
        for name in ("reported_status", "reported_target_year", "reviewed_by_id", "reviewed_at"):
            setattr(obj, name, getattr(stored, name))
        reviewed = any(getattr(obj, name) != getattr(stored, name) for name in ("review", "review_comment"))
        if any(getattr(obj, name) != getattr(stored, name) for name in StatusUpdate.DEPARTMENT_FIELDS):
            if reviewed:
                obj.reviewed_by, obj.reviewed_at = user, timezone.now()
            obj.save_unless_stale(user, read_version, form.cleaned_data.get("correction_reason", ""))
        elif reviewed:  # a review decision alone: the department's open form stays valid (see save_review)
            obj.save_review(user, read_version)

    def get_form(
        self, request: HttpRequest, obj: StatusUpdate | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None and is_coordinator(request.user):
            kwargs.setdefault("form", CorrectionForm)
        form = super().get_form(request, obj, change, **kwargs)
        current = getattr(request, "stale_current", None)
        if current is None:
            return form

        class RefusedForm(form):  # type: ignore[valid-type,misc]  # the admin's form class, made at run time
            """The person's values, re-shown after someone else saved first: not saved until they choose."""

            def clean(self) -> None:
                super().clean()
                raise forms.ValidationError(
                    gettext("Someone else saved first. Your values are kept below, beside theirs.")
                )

        return RefusedForm

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id and not is_coordinator(request.user):
            closed = self.closed_period_response(request, object_id)
            if closed:
                return closed
        saving = row_ids([object_id]) if object_id and request.method == "POST" else []
        try:
            with transaction.atomic(), figures_carried(saving):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleUpdateError as refused:
            self.refuse_stale_edit(request, refused.current)
            # Nothing typed is lost: the form comes back with the person's values, now read at the current
            # version (saving again keeps theirs over the other change), beside the other person's values.
            request.POST = request.POST.copy()  # type: ignore[assignment]
            request.POST["read_version"] = str(refused.current.version)  # type: ignore[misc]  # the copy is mutable
            request.stale_current = refused.current
            context = {**(extra_context or {}), "stale": refused.current, "stale_rows": self.compare(refused.current)}
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, context)

    # ---- history: whoever may see the update sees its history; only the coordinator reverts
    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        reverting = row_ids([object_id]) if request.method == "POST" else []
        try:
            with transaction.atomic(), figures_carried(reverting):
                return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleUpdateError as refused:
            self.refuse_stale_edit(request, refused.current)
            return redirect(reverse("admin:commitments_statusupdate_history", args=[refused.current.pk]))

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only the coordinator reverts, and only what can still change (not a published period's status).
        return not is_coordinator(request.user) or super().revert_disabled(request, obj)

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> StatusChangeDisplay:
        return StatusChangeDisplay(self.model, historical_record)

    # ---- the department's landing page
    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = extra_context or {}
        if not is_coordinator(request.user):
            period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).first()
            # The action bar's comment is the coordinator's (a review decision, a correction's reason).
            extra_context["action_form"] = ActionForm(auto_id=None)  # type: ignore[arg-type]  # as Django's changelist
            extra_context["action_form"].fields["action"].choices = self.get_action_choices(request)
            if period:
                extra_context["title"] = gettext("My deliverables for %(period)s") % {"period": period.label}
                extra_context["due_date"] = getattr(period, "due_date", None)
                if request.method == "GET":
                    extra_context["returned"] = self.returned_to(request)
            elif request.method == "GET":
                self.message_user(request, gettext("No period is open for updates at the moment."), messages.INFO)
        if request.method == "POST" and "_save" in request.POST and not is_coordinator(request.user):
            closed = self.closed_list_response(request)
            if closed:
                return closed
        request.quick_update_forms = []  # type: ignore[attr-defined]  # kept for the request
        try:
            with saving_statuses(posted_rows(request)):
                response = super().changelist_view(request, extra_context)
        except StaleUpdateError as refused:  # a row saved by someone else between the check and the save
            self.refuse_stale_edit(request, refused.current)
            return redirect(request.get_full_path())
        conflicts = [form for form in request.quick_update_forms if form.conflict is not None]  # type: ignore[attr-defined]
        if request.method == "POST" and conflicts and response.status_code == 302:
            return self.conflicts_response(request, conflicts, response["Location"])
        return response

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        formset_class = super().get_changelist_formset(request, **kwargs)
        forms_seen = request.quick_update_forms if hasattr(request, "quick_update_forms") else []

        class QuickUpdateFormSet(formset_class):  # type: ignore[valid-type,misc]  # made at run time
            def _construct_form(self, i: int, **kwargs: Any) -> Any:
                form = super()._construct_form(i, **kwargs)
                forms_seen.append(form)
                return form

        return QuickUpdateFormSet

    def returned_to(self, request: HttpRequest) -> list[StatusUpdate]:
        """The department's updates the coordinator returned, with the comments: the banner above the list."""
        return list(
            self.get_queryset(request)
            .filter(review=StatusUpdate.Review.RETURNED, period__state=ReportingPeriod.State.OPEN)
            .select_related("deliverable__task")
        )

    # ---- the coordinator's dashboard, its CSV and the reminders (commitments.admin.dashboard)
    def get_urls(self) -> list[URLPattern]:
        return [*dashboard_urls(self.admin_site), *super().get_urls()]


def posted_rows(request: HttpRequest) -> list[int]:
    """The statuses a POST to the status list may change, for figures_carried: the quick-update rows
    (form-N-id) and an action's selected rows. None (an empty list) for an action on every row of the filter
    ("select all"): the next reader counts the figures again."""
    if request.method != "POST" or request.POST.get("select_across") == "1":
        return []
    posted = [request.POST.get(name, "") for name in request.POST if re.fullmatch(r"form-\d+-id", name)]
    return row_ids([*posted, *request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)])


def row_ids(values: list[str]) -> list[int]:
    """The values that are a row's key, as numbers: typed or forged ones that are not are no row of anyone's."""
    return [int(value) for value in values if value.isascii() and value.isdigit() and len(value) < 19]
