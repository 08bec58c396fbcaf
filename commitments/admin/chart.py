"""The chart's screens: plan, pillars, objectives, tasks, departments and deliverables (the coordinator's;
department staff may view the chart), and the published rows (read-only)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.admin.widgets import SafeAutocompleteMixin
from commitments.history import GuardedHistoryAdmin
from commitments.models import (
    ActionPlan,
    Deliverable,
    DeliverableLead,
    Department,
    Objective,
    Pillar,
    PublishedDeliverable,
    ReportingPeriod,
    Status,
    StatusUpdate,
    Task,
)


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title_en", "launched", "slug"]
    search_fields = ["title_en", "title_fr"]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["number", "name_en", "name_fr", "plan"]
    list_filter = ["plan"]
    search_fields = ["name_en", "name_fr"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "text_en", "pillar"]
    list_filter = ["pillar__plan", "pillar"]
    list_select_related = ["pillar"]
    search_fields = ["code", "text_en", "text_fr"]


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    fields = ["position", "text_en", "start_year", "parent"]
    extra = 0
    show_change_link = True
    raw_id_fields = ["parent"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "objective"]
    list_filter = ["objective__pillar"]
    list_select_related = ["objective"]
    search_fields = ["code", "title_en", "title_fr"]
    inlines = [DeliverableInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["acronym", "short_name_fr", "name_en", "name_fr", "email"]
    search_fields = ["acronym", "short_name_fr", "name_en", "name_fr"]
    prepopulated_fields = {"slug": ["acronym"]}
    filter_horizontal = ["members"]


class DeliverableLeadInline(SafeAutocompleteMixin, admin.TabularInline):
    model = DeliverableLead
    extra = 0
    autocomplete_fields = ["department"]


class DeliverableForm(forms.ModelForm):
    """The chart's row; on the add page also its first status in the year being collected."""

    first_status = forms.ChoiceField(
        label=_("status this year"),
        choices=[("", "—"), *Status.choices],
        required=False,
        help_text=_(
            "Gives the new deliverable a status in the period being collected, so its lead departments can "
            "update it. “On track” needs a year: set it afterwards on the status screen."
        ),
    )

    class Meta:
        model = Deliverable
        fields = [
            "task",
            "parent",
            "position",
            "text_en",
            "text_fr",
            "start_year",
            "target_year",
            "new_in",
            "lead_note_en",
            "lead_note_fr",
        ]

    def clean_first_status(self) -> str:
        status = self.cleaned_data["first_status"]
        if status == Status.ON_TRACK:
            raise forms.ValidationError(_("Choose another status here, then set “On track” on the status screen."))
        return status


@admin.register(Deliverable)
class DeliverableAdmin(SafeAutocompleteMixin, GuardedHistoryAdmin):
    form = DeliverableForm
    list_display = ["short_text", "task", "timeline_display", "leads_display", "is_new"]
    list_filter = ["task__objective__pillar", "leads", "new_in"]
    list_select_related = ["task", "new_in"]
    search_fields = ["folded_text__folded_contains", "task__code"]  # commitments/models/search_text.py
    autocomplete_fields = ["task", "parent"]
    # Statuses are edited in one place, the status update screen, where the version check, the department
    # scope and the review apply; this page only shows them (drafts are not shown: any staff can open it).
    inlines = [DeliverableLeadInline]
    readonly_fields = ["statuses"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deliverable]:
        return super().get_queryset(request).prefetch_related("lead_links__department")

    @admin.display(description=_("Timeline"), ordering="start_year")
    def timeline_display(self, deliverable: Deliverable) -> str:
        return deliverable.timeline

    def get_fields(self, request: HttpRequest, obj: Deliverable | None = None) -> list[Any]:
        fields = [name for name in super().get_fields(request, obj) if name != "first_status"]
        return [*fields, "first_status"] if obj is None else fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        period = ReportingPeriod.objects.exclude(state=ReportingPeriod.State.PUBLISHED).first()
        if not change and period and form.cleaned_data.get("first_status"):
            StatusUpdate.objects.create(
                deliverable=form.instance, period=period, status=form.cleaned_data["first_status"]
            )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A deliverable added during the year is that year's NEW one, as the report marks it.
        initial = super().get_changeform_initial_data(request)
        unpublished = ReportingPeriod.objects.exclude(state=ReportingPeriod.State.PUBLISHED).first()
        if unpublished and "new_in" not in initial:
            initial["new_in"] = unpublished.pk
        return initial

    @admin.display(description=_("status in each period"))
    def statuses(self, deliverable: Deliverable) -> str | SafeString:
        """Published statuses as published; the unpublished year's only as a link to its own screen,
        which opens for the departments that lead the deliverable and the coordinator."""
        if deliverable.pk is None:
            return "—"
        published = {row.period_id: row for row in deliverable.published_rows.all()}
        items = []
        for update in deliverable.status_updates.select_related("period").order_by("-period__start_year"):
            if update.period.is_published:
                row = published.get(update.period_id)
                label = row.status_label if row else update.label
                items.append(format_html("<li>{}: {}</li>", update.period.label, label or "—"))
            else:
                url = reverse("admin:commitments_statusupdate_change", args=[update.pk])
                link_text = gettext("status being updated (open it to see it, if your department leads this)")
                items.append(format_html("<li>{}: <a href='{}'>{}</a></li>", update.period.label, url, link_text))
        if not items:
            return gettext("No status in any period yet.")
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((item,) for item in items)))

    @admin.display(description=_("deliverable"))
    def short_text(self, obj: Deliverable) -> str:
        return str(obj)

    @admin.display(description=_("leads"))
    def leads_display(self, obj: Deliverable) -> str:
        return ", ".join(obj.lead_acronyms)

    @admin.display(description=_("new"), boolean=True)
    def is_new(self, obj: Deliverable) -> bool:
        return obj.new_in_id is not None


@admin.register(PublishedDeliverable)
class PublishedDeliverableAdmin(admin.ModelAdmin):
    """Read-only: a published chart never changes."""

    list_display = ["chart_order", "period", "task_code", "__str__", "status", "leads_en"]
    list_filter = ["period", "pillar_number", "status"]
    list_select_related = ["period"]
    search_fields = ["text_en", "text_fr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PublishedDeliverable | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublishedDeliverable | None = None) -> bool:
        return False
