"""The staff admin: the chart (coordinator), and the status updates and periods (admin_workflow)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments import admin_workflow  # noqa: F401 -- registers the status update and period screens
from commitments.models import (
    ActionPlan,
    Deliverable,
    DeliverableLead,
    Department,
    Objective,
    Pillar,
    PublishedDeliverable,
    ReportingPeriod,
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


class DeliverableLeadInline(admin.TabularInline):
    model = DeliverableLead
    extra = 0
    autocomplete_fields = ["department"]


class StatusUpdateInline(admin.TabularInline):
    model = StatusUpdate
    fields = ["period", "status", "target_year", "note_en", "updated_by", "updated_at", "review"]
    readonly_fields = ["updated_by", "updated_at"]
    extra = 0
    ordering = ["-period__start_year"]
    verbose_name_plural = _("status in each period")


@admin.register(Deliverable)
class DeliverableAdmin(SimpleHistoryAdmin):
    list_display = ["short_text", "task", "timeline", "leads_display", "is_new"]
    list_filter = ["task__objective__pillar", "leads", "new_in"]
    list_select_related = ["task", "new_in"]
    search_fields = ["text_en", "text_fr", "task__code"]
    autocomplete_fields = ["task", "parent"]
    inlines = [DeliverableLeadInline, StatusUpdateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lead_links__department")

    def get_changeform_initial_data(self, request):
        # A deliverable added during the year is that year's NEW one, as the report marks it.
        initial = super().get_changeform_initial_data(request)
        unpublished = ReportingPeriod.objects.exclude(state=ReportingPeriod.State.PUBLISHED).first()
        if unpublished and "new_in" not in initial:
            initial["new_in"] = unpublished.pk
        return initial

    @admin.display(description=_("deliverable"))
    def short_text(self, obj):
        return str(obj)

    @admin.display(description=_("leads"))
    def leads_display(self, obj):
        return ", ".join(obj.lead_acronyms)

    @admin.display(description=_("new"), boolean=True)
    def is_new(self, obj):
        return obj.new_in_id is not None


@admin.register(PublishedDeliverable)
class PublishedDeliverableAdmin(admin.ModelAdmin):
    """Read-only: a published chart never changes."""

    list_display = ["chart_order", "period", "task_code", "__str__", "status", "leads_en"]
    list_filter = ["period", "pillar_number", "status"]
    list_select_related = ["period"]
    search_fields = ["text_en", "text_fr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
