"""What the status list and form show of a status update, beyond its fields: the list's columns (task, lead,
deliverable, last year, review) and the form's read-only lines (period, who updated it, what the department
reported, the recent changes), in the interface's language. Nothing here writes."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.admin.status_forms import in_french, last_year
from commitments.admin.widgets import LIST_ROW_RENDERER
from commitments.history import describe_changes
from commitments.models import StatusUpdate, status_label


class UpdatedFilter(admin.SimpleListFilter):
    # The admin writes "By <title>" (« Par <title> »): a noun reads right in both languages.
    title = _("progress this period")
    parameter_name = "updated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Updated")), ("no", _("Not updated yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> QuerySet[StatusUpdate] | None:
        if self.value() == "yes":
            return queryset.filter(updated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(updated_at__isnull=True)
        return queryset


class StatusColumnsMixin:
    """The status admin's computed columns and read-only lines (named in its list_display and readonly_fields)."""

    # ---- list columns
    action_checkbox_renderer: BaseRenderer = LIST_ROW_RENDERER

    def action_checkbox(self, update: StatusUpdate) -> Any:
        """Django's own row checkbox, the same markup, written by the list's renderer (see ListRowRenderer): through
        the template engine, its 50 checkboxes were about a tenth of the page's time (issue #17). Its column heading is
        Django's too: the admin writes it for any column of this name."""
        attrs = {
            "class": "action-select",
            "aria-label": format_html(gettext("Select this object for an action - {}"), str(update)),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(update.pk), renderer=self.action_checkbox_renderer)

    @admin.display(description=_("task"), ordering="deliverable__task__sort_key")
    def task_code(self, update: StatusUpdate) -> Any:
        return update.deliverable.task.code

    @admin.display(description=_("lead"))
    def leads_display(self, update: StatusUpdate) -> Any:
        # Reads update.deliverable.lead_links: prefetched by get_queryset for the coordinator.
        return ", ".join(str(link.department.short_name) for link in update.deliverable.lead_links.all())

    @admin.display(description=_("deliverable"))
    def deliverable_text(self, update: StatusUpdate) -> Any:
        # In the interface's language (French first for French users), cut at a word with an ellipsis.
        return Truncator(update.deliverable.text).words(60, truncate=" …")

    @admin.display(description=_("last year"))
    def previous_status(self, update: StatusUpdate) -> Any:
        if not update.previous_status:  # type: ignore[attr-defined]  # with_previous()
            return "—"
        label = status_label(update.previous_status, update.previous_target)  # type: ignore[attr-defined]
        note = (update.previous_note_fr if in_french() else "") or update.previous_note_en  # type: ignore[attr-defined]
        if not note:
            return label
        return format_html(
            '{}<br><span class="last-year-note">{}</span>', label, Truncator(note).words(40, truncate=" …")
        )

    @admin.display(description=_("updated"), boolean=True)
    def is_updated(self, update: StatusUpdate) -> Any:
        return update.is_updated

    @admin.display(description=_("review"), ordering="review")
    def review_display(self, update: StatusUpdate) -> Any:
        if update.review == StatusUpdate.Review.RETURNED and update.review_comment:
            return format_html("{}: {}", update.get_review_display(), update.review_comment)
        return update.get_review_display()

    # ---- the change form's read-only lines
    @admin.display(description=_("last year"))
    def last_year_display(self, update: StatusUpdate) -> Any:
        previous_status, previous_target = last_year(update)
        if not previous_status:
            return "—"
        previous = update.previous_update()
        note = previous.note if previous else ""
        return (
            format_html("{}<br>{}", status_label(previous_status, previous_target), note)
            if note
            else (status_label(previous_status, previous_target))
        )

    @admin.display(description=_("period"))
    def period_label(self, update: StatusUpdate) -> Any:
        return update.period.label

    @admin.display(description=_("updated by"))
    def updated_by_name(self, update: StatusUpdate) -> Any:
        user = update.updated_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description=_("status reported by the department"))
    def reported_display(self, update: StatusUpdate) -> Any:
        return status_label(update.reported_status, update.reported_target_year) or "—"

    @admin.display(description=_("recent changes"))
    def recent_changes(self, update: StatusUpdate) -> Any:
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
