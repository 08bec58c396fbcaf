"""The status updates in the admin: departments update their statuses (form, quick-update list,
spreadsheets), the coordinator reviews them and watches the dashboard. Every rule is checked on the
server (querysets and object permissions), not only hidden."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.admin.widgets import SafeAutocompleteMixin
from commitments.dashboard import dashboard
from commitments.history import GuardedHistoryAdmin, StatusChangeDisplay, describe_changes
from commitments.models import (
    ReportingPeriod,
    StaleUpdateError,
    Status,
    StatusUpdate,
    status_label,
)
from commitments.reminders import send_reminders
from commitments.review import answer_review
from commitments.roles import editable_updates, is_coordinator
from commitments.spreadsheets import StatusSpreadsheetsMixin

STAFF_FIELDS = ["status", "target_year", "note_en", "note_fr"]
QUICK_FIELDS = ["status", "target_year", "note_en"]  # editable in the list itself


class StatusUpdateForm(forms.ModelForm):
    """Carries the version it was read at, so a save over someone else's newer change is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatusUpdate
        fields = [*STAFF_FIELDS, "review", "review_comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["read_version"].required = False  # a new status has no earlier version to protect
        elif not self.is_bound:
            self.initial["read_version"] = self.instance.version

    def has_changed(self):
        # The version someone else's save moved on is not a change of ours: the quick-update list
        # saves only the rows a person edited, and each of those is checked against its version.
        return any(name != "read_version" for name in self.changed_data)


class QuickUpdateForm(StatusUpdateForm):
    """One row of the quick-update list: status, target year and English note, beside the row's text."""

    class Meta:
        model = StatusUpdate
        fields = QUICK_FIELDS
        widgets = {
            "status": forms.Select(attrs={"aria-label": _("This year's status")}),
            "target_year": forms.NumberInput(
                attrs={"aria-label": _("On track for (fiscal year it starts)"), "class": "vIntegerField"}
            ),
            "note_en": forms.Textarea(attrs={"rows": 2, "cols": 40, "aria-label": _("Progress note (English)")}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in QUICK_FIELDS:
            # The page carries the values it showed, so a row counts as edited when the person changed it,
            # not when someone else's save moved it on since (that row is then refused as stale).
            self.fields[name].show_hidden_initial = True
        # A published period's row is shown, not offered for editing (the server refuses it anyway).
        if self.instance.pk and self.instance.period.state == ReportingPeriod.State.PUBLISHED:
            for field in self.fields.values():
                field.disabled = True


class UpdatedFilter(admin.SimpleListFilter):
    title = _("updated this period")
    parameter_name = "updated"

    def lookups(self, request, model_admin):
        return [("yes", _("Updated")), ("no", _("Not updated yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(updated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(updated_at__isnull=True)
        return queryset


@admin.register(StatusUpdate)
class StatusUpdateAdmin(SafeAutocompleteMixin, StatusSpreadsheetsMixin, GuardedHistoryAdmin):
    form = StatusUpdateForm
    revertible = True  # the coordinator's undo of a status change (checked against the current version)
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
    list_filter = ["status", UpdatedFilter, "review", "period"]
    list_select_related = ["deliverable__task", "period"]
    autocomplete_fields = ["deliverable"]
    search_fields = ["deliverable__text_en", "deliverable__text_fr", "deliverable__task__code", "note_en", "note_fr"]
    actions = ["mark_complete", "mark_ongoing", "mark_in_progress", "accept", "return_for_changes"]

    # ---- scope: what each user sees and may change
    def get_queryset(self, request):
        previous = StatusUpdate.objects.filter(
            deliverable_id=OuterRef("deliverable_id"),
            period__plan_id=OuterRef("period__plan_id"),
            period__start_year=OuterRef("period__start_year") - 1,
        )
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                previous_status=Subquery(previous.values("status")[:1]),
                previous_target=Subquery(previous.values("target_year")[:1]),
            )
        )
        if is_coordinator(request.user):
            return queryset
        return queryset.filter(pk__in=editable_updates(request.user))

    def get_ordering(self, request):
        # Returned updates first: they are what the department has to look at again.
        returned_first = Case(When(review=StatusUpdate.Review.RETURNED, then=Value(0)), default=Value(1))
        return [returned_first, "-period__start_year", "deliverable__chart_position"]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or editable_updates(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return is_coordinator(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["deliverable_text", "period", "updated_by", "updated_at", "recent_changes"]
        return fixed if is_coordinator(request.user) else [*fixed, "review", "review_comment"]

    def get_fields(self, request, obj=None):
        if obj is None:  # the coordinator adds a status a deliverable lacks (usually through the deliverable)
            return ["deliverable", "period", *STAFF_FIELDS, "review", "review_comment"]
        return [
            "deliverable_text",
            "period",
            *STAFF_FIELDS,
            "review",
            "review_comment",
            "updated_by",
            "updated_at",
            "recent_changes",
            "read_version",
        ]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=QuickUpdateForm, **kwargs)

    # ---- saving: validation, no lost updates, history
    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Every path that saves (change form, quick-update list, revert) comes through here: check the
        # object itself, not only the page that offered it.
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        answer_review(obj, request.user)
        # A stale save raises StaleUpdateError, caught by the view that offered the form (one message for all).
        obj.save_unless_stale(request.user, form.cleaned_data["read_version"])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleUpdateError as refused:
            self.refuse_stale_edit(request, refused.current)
            return redirect(reverse("admin:commitments_statusupdate_change", args=[refused.current.pk]))

    def refuse_stale_edit(self, request, current):
        self.message_user(
            request,
            gettext(
                "Not saved: %(user)s changed the status of “%(deliverable)s” on %(when)s (now “%(status)s”, "
                "note: “%(note)s”). Review their change, then make yours again."
            )
            % {
                "user": current.updated_by or gettext("someone"),
                "deliverable": current.deliverable.text_en[:80],
                "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
                if current.updated_at
                else "",
                "status": current.label,
                "note": current.note_en,
            },
            level=messages.ERROR,
        )

    # ---- list columns
    @admin.display(description=_("task"), ordering="deliverable__task__sort_key")
    def task_code(self, update):
        return update.deliverable.task.code

    @admin.display(description=_("deliverable"))
    def deliverable_text(self, update):
        return update.deliverable.text_en[:120]

    @admin.display(description=_("last year"))
    def previous_status(self, update):
        if not update.previous_status:
            return "—"
        return status_label(update.previous_status, update.previous_target)

    @admin.display(description=_("updated"), boolean=True)
    def is_updated(self, update):
        return update.is_updated

    @admin.display(description=_("review"), ordering="review")
    def review_display(self, update):
        if update.review == StatusUpdate.Review.RETURNED and update.review_comment:
            return format_html("{}: {}", update.get_review_display(), update.review_comment)
        return update.get_review_display()

    @admin.display(description=_("recent changes"))
    def recent_changes(self, update):
        """The last changes to this status, on the page where it is edited (the full list is under History)."""
        records = list(update.history.select_related("history_user").order_by("-history_date", "-history_id")[:6])
        rows = [
            (timezone.localtime(newer.history_date).strftime("%Y-%m-%d %H:%M"), newer.history_user or "—", change)
            for newer, older in zip(records, records[1:], strict=False)
            for change in describe_changes(older, newer)
        ]
        if not rows:
            return gettext("No change yet this period.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {}: {}</li>", rows))

    # ---- bulk actions (only on rows the user may change)
    def set_status(self, request, queryset, status):
        allowed = queryset.filter(pk__in=editable_updates(request.user))
        refused = queryset.count() - allowed.count()
        changed = 0
        try:
            with transaction.atomic():
                for update in allowed:
                    update.status = status
                    update.target_year = None  # only “On track” carries a target year
                    answer_review(update, request.user)
                    update.save_unless_stale(request.user, update.version)
                    changed += 1
        except StaleUpdateError as error:  # someone saved one of the rows as the action ran: none is changed
            self.refuse_stale_edit(request, error.current)
            return
        self.message_user(request, gettext("%(count)d statuses set.") % {"count": changed})
        if refused:
            self.message_user(
                request,
                gettext("%(count)d rows were left alone: you may not change them.") % {"count": refused},
                level=messages.WARNING,
            )

    @admin.action(description=_("Set the selected statuses to Complete"), permissions=["change"])
    def mark_complete(self, request, queryset):
        self.set_status(request, queryset, Status.COMPLETE)

    @admin.action(description=_("Set the selected statuses to Ongoing"), permissions=["change"])
    def mark_ongoing(self, request, queryset):
        self.set_status(request, queryset, Status.ONGOING)

    @admin.action(description=_("Set the selected statuses to In progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self.set_status(request, queryset, Status.IN_PROGRESS)

    @admin.action(description=_("Accept the selected updates"), permissions=["review"])
    def accept(self, request, queryset):
        count = queryset.update(review=StatusUpdate.Review.ACCEPTED)
        self.message_user(request, gettext("%(count)d updates accepted.") % {"count": count})

    @admin.action(description=_("Return the selected updates to their department"), permissions=["review"])
    def return_for_changes(self, request, queryset):
        count = queryset.update(review=StatusUpdate.Review.RETURNED)
        self.message_user(
            request,
            gettext("%(count)d updates returned; add a review comment on each to say why.") % {"count": count},
        )

    def has_review_permission(self, request):
        return is_coordinator(request.user)

    # ---- history: whoever may see the update sees its history; only the coordinator reverts
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleUpdateError as refused:
            self.refuse_stale_edit(request, refused.current)
            return redirect(reverse("admin:commitments_statusupdate_history", args=[refused.current.pk]))

    def revert_disabled(self, request, obj=None):
        # Only the coordinator reverts, and only what can still change (not a published period's status).
        return not is_coordinator(request.user) or super().revert_disabled(request, obj)

    def get_historical_record_context_helper(self, request, historical_record):
        return StatusChangeDisplay(self.model, historical_record)

    # ---- the department's landing page
    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if not is_coordinator(request.user):
            period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).first()
            if period:
                extra_context["title"] = gettext("My deliverables for %(period)s") % {"period": period.label}
            elif request.method == "GET":
                self.message_user(request, gettext("No period is open for updates at the moment."), messages.INFO)
        try:
            return super().changelist_view(request, extra_context)
        except StaleUpdateError as refused:  # the quick-update list saves all rows or none
            self.refuse_stale_edit(request, refused.current)
            return redirect(request.get_full_path())

    # ---- the coordinator's dashboard
    def get_urls(self):
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="commitments_dashboard"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        if not is_coordinator(request.user):
            raise PermissionDenied
        period = ReportingPeriod.objects.exclude(state=ReportingPeriod.State.PUBLISHED).select_related("plan").first()
        if period and request.method == "POST":
            reminded = send_reminders(period)
            self.message_user(
                request,
                gettext("Reminders sent to %(count)d departments: %(departments)s.")
                % {"count": len(reminded), "departments": ", ".join(d.acronym for d in reminded) or "—"},
            )
            return redirect("admin:commitments_dashboard")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reporting dashboard"),
            "period": period,
            **(dashboard(period) if period else {}),
        }
        return TemplateResponse(request, "admin/commitments/dashboard.html", context)
