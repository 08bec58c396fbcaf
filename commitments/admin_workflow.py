"""The yearly cycle in the admin: departments update their statuses, the coordinator reviews and
publishes. Every rule is checked on the server (querysets and object permissions), not only hidden."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from commitments.models import (
    Department,
    ReportingPeriod,
    StaleUpdateError,
    Status,
    StatusUpdate,
    parse_fiscal_year,
    status_label,
)
from commitments.roles import editable_updates, is_coordinator
from napreport.publishing import PublishingError, publish_period

STAFF_FIELDS = ["status", "target_year", "note_en", "note_fr"]


class StatusUpdateForm(forms.ModelForm):
    """Carries the version it was read at, so a save over someone else's newer change is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = StatusUpdate
        fields = [*STAFF_FIELDS, "review", "review_comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["read_version"] = self.instance.version


class StatusUpdateResource(resources.ModelResource):
    """The spreadsheet staff export, edit offline and import back: status, target year and notes."""

    deliverable_id = fields.Field(attribute="deliverable_id", column_name="deliverable_id", readonly=True)
    task = fields.Field(attribute="deliverable__task__code", column_name="task", readonly=True)
    deliverable = fields.Field(attribute="deliverable__text_en", column_name="deliverable", readonly=True)
    period = fields.Field(
        attribute="period", column_name="period", widget=ForeignKeyWidget(ReportingPeriod, "start_year"), readonly=True
    )
    target_year = fields.Field(attribute="target_year", column_name="target_year")

    class Meta:
        model = StatusUpdate
        fields = (
            "id",
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
        expected = {"id", "status", "target_year", "note_en", "note_fr"}
        missing = expected - set(dataset.headers or [])
        if missing:
            raise ValidationError(
                _gettext("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
            )

    def before_import_row(self, row, **kwargs):
        allowed = editable_updates(self.user)
        try:
            update_id = int(row.get("id") or 0)
        except (TypeError, ValueError):
            raise ValidationError(
                _gettext("“%(id)s” is not a status update number.") % {"id": row.get("id")}
            ) from None
        if not allowed.filter(pk=update_id).exists():
            raise ValidationError(_gettext("You may not change status update %(id)s.") % {"id": update_id})
        status = (row.get("status") or "").strip()
        if status not in Status.values:
            raise ValidationError(
                _gettext("“%(status)s” is not a status; use one of %(statuses)s.")
                % {"status": status, "statuses": ", ".join(Status.values)}
            )
        target = row.get("target_year")
        if target not in (None, ""):
            try:
                row["target_year"] = (
                    parse_fiscal_year(target) if "-" in str(target) or "/" in str(target) else int(target)
                )
            except (ValidationError, ValueError):
                raise ValidationError(_gettext("“%(year)s” is not a fiscal year.") % {"year": target}) from None
        else:
            row["target_year"] = None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.full_clean(exclude=["deliverable", "period"])

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        instance.version += 1
        instance.updated_by = self.user
        instance.updated_at = timezone.now()
        instance._history_user = self.user
        instance.save()


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
class StatusUpdateAdmin(ImportExportMixin, SimpleHistoryAdmin):
    form = StatusUpdateForm
    resource_classes = [StatusUpdateResource]
    formats = [CSV, XLSX]  # what departments use; the file type is checked on import
    list_display = [
        "task_code",
        "deliverable_text",
        "previous_status",
        "status_label",
        "note_en",
        "is_updated",
        "review",
    ]
    list_filter = ["status", UpdatedFilter, "review", "period"]
    list_select_related = ["deliverable__task", "period"]
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
                returned_first=Count("pk", filter=Q(review="returned")),
                previous_status=Subquery(previous.values("status")[:1]),
                previous_target=Subquery(previous.values("target_year")[:1]),
            )
        )
        if is_coordinator(request.user):
            return queryset.order_by("-returned_first", "deliverable__chart_position")
        return queryset.filter(pk__in=editable_updates(request.user)).order_by(
            "-returned_first", "deliverable__chart_position"
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or editable_updates(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return is_coordinator(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["deliverable_text", "period", "updated_by", "updated_at"]
        return fixed if is_coordinator(request.user) else [*fixed, "review", "review_comment"]

    def get_fields(self, request, obj=None):
        return [
            "deliverable_text",
            "period",
            *STAFF_FIELDS,
            "review",
            "review_comment",
            "updated_by",
            "updated_at",
            "read_version",
        ]

    # ---- saving: validation, no lost updates, history
    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        read_version = form.cleaned_data.get("read_version") or obj.version
        try:
            obj.save_unless_stale(request.user, read_version)
        except StaleUpdateError as error:
            current = error.current
            raise StaleEditRefused(current) from None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditRefused as refused:
            current = refused.current
            self.message_user(
                request,
                _gettext(
                    "Not saved: %(user)s changed this status on %(when)s (now “%(status)s”, note: “%(note)s”). "
                    "Review their change below, then make yours again."
                )
                % {
                    "user": current.updated_by or _gettext("someone"),
                    "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
                    if current.updated_at
                    else "",
                    "status": current.label,
                    "note": current.note_en,
                },
                level=messages.ERROR,
            )
            return redirect(reverse("admin:commitments_statusupdate_change", args=[current.pk]))

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

    @admin.display(description=_("this year"))
    def status_label(self, update):
        return update.label

    @admin.display(description=_("updated"), boolean=True)
    def is_updated(self, update):
        return update.is_updated

    # ---- bulk actions (only on rows the user may change)
    def set_status(self, request, queryset, status):
        allowed = queryset.filter(pk__in=editable_updates(request.user)).exclude(status=Status.ON_TRACK)
        refused = queryset.count() - allowed.count()
        changed = 0
        for update in allowed:
            update.status = status
            update.save_unless_stale(request.user, update.version)
            changed += 1
        self.message_user(request, _gettext("%(count)d statuses set.") % {"count": changed})
        if refused:
            self.message_user(
                request,
                _gettext("%(count)d rows were left alone: you may not change them this way.") % {"count": refused},
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
        self.message_user(request, _gettext("%(count)d updates accepted.") % {"count": count})

    @admin.action(description=_("Return the selected updates to their department"), permissions=["review"])
    def return_for_changes(self, request, queryset):
        count = queryset.update(review=StatusUpdate.Review.RETURNED)
        self.message_user(
            request,
            _gettext("%(count)d updates returned; add a review comment on each to say why.") % {"count": count},
        )

    def has_review_permission(self, request):
        return is_coordinator(request.user)

    # ---- history: whoever may see the update sees its history; only the coordinator reverts
    def history_view(self, request, object_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        if request.method == "POST" and not is_coordinator(request.user):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        return self.get_queryset(request)

    def has_import_permission(self, request):
        return self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).first()
        if period and not is_coordinator(request.user):
            title = _gettext("My deliverables for %(period)s") % {"period": period.label}
            extra_context = {**(extra_context or {}), "title": title}
        return super().changelist_view(request, extra_context)

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
        departments = []
        if period:
            updates = StatusUpdate.objects.filter(period=period)
            for department in Department.objects.filter(lead_links__isnull=False).distinct().order_by("acronym"):
                led = updates.filter(deliverable__leads=department).distinct()
                stats = led.aggregate(
                    total=Count("pk", distinct=True),
                    done=Count("pk", filter=Q(updated_at__isnull=False), distinct=True),
                    last=Max("updated_at"),
                )
                outstanding = led.filter(updated_at__isnull=True).select_related("deliverable__task")
                departments.append({"department": department, **stats, "outstanding": outstanding})
            pillars = (
                updates.values("deliverable__task__objective__pillar__number", "status")
                .annotate(count=Count("pk"))
                .order_by("deliverable__task__objective__pillar__number", "status")
            )
        else:
            pillars = []
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reporting dashboard"),
            "period": period,
            "departments": departments,
            "pillars": pillars,
        }
        return TemplateResponse(request, "admin/commitments/dashboard.html", context)


class StaleEditRefused(Exception):
    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "plan", "state", "opened_at", "published_at"]
    list_filter = ["plan", "state"]
    readonly_fields = ["state", "published_at"]
    actions = ["start_review", "reopen", "publish", "open_next_period"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close for review (departments can no longer update)"), permissions=["change"])
    def start_review(self, request, queryset):
        count = queryset.filter(state=ReportingPeriod.State.OPEN).update(state=ReportingPeriod.State.IN_REVIEW)
        self.message_user(request, _gettext("%(count)d periods moved to review.") % {"count": count})

    @admin.action(description=_("Reopen for updates"), permissions=["change"])
    def reopen(self, request, queryset):
        count = queryset.filter(state=ReportingPeriod.State.IN_REVIEW).update(state=ReportingPeriod.State.OPEN)
        self.message_user(request, _gettext("%(count)d periods reopened.") % {"count": count})

    @admin.action(description=_("Publish (renders and freezes the annual report)"), permissions=["change"])
    def publish(self, request, queryset):
        for period in queryset:
            try:
                publish_period(period)
            except PublishingError as error:
                items = format_html_join("", "<li>{}</li>", ((message,) for message in error.missing))
                heading = _gettext("%(period)s was not published:") % {"period": period.label}
                self.message_user(request, format_html("{} <ul>{}</ul>", heading, items), level=messages.ERROR)
            else:
                self.message_user(request, _gettext("%(period)s is published.") % {"period": period.label})

    @admin.action(description=_("Open the next period (carries every status forward)"), permissions=["change"])
    def open_next_period(self, request, queryset):
        for period in queryset:
            try:
                following = period.open_next()
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            except IntegrityError:  # the database refuses a second unpublished period
                self.message_user(
                    request,
                    _gettext("The next period of %(period)s is already open.") % {"period": period.label},
                    level=messages.ERROR,
                )
            else:
                self.message_user(request, _gettext("%(period)s is open for updates.") % {"period": following.label})


def staff_land_on_their_deliverables(index):
    """Department staff have one job here: after sign-in, the admin's home is their deliverables."""

    def view(request, extra_context=None):
        if request.user.is_active and request.user.is_staff and not is_coordinator(request.user):
            return redirect("admin:commitments_statusupdate_changelist")
        return index(request, extra_context)

    return view


admin.site.index = staff_land_on_their_deliverables(admin.site.index)
