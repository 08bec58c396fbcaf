"""Change history in the staff screens: who changed what, in words, and who may look or revert.

django-simple-history adds two views to every admin that uses it: the history list and a form showing one
historical copy, which saves that copy back on POST ("revert"). The library checks only a *view*
permission before saving, and checks it on the historical copy, not on the object as it is now. Every
history admin here goes through GuardedHistoryAdmin instead, so those views obey the same rules as the
change form.
"""

import dataclasses
from collections.abc import Iterator
from typing import Any, cast

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from commitments.models import StatusUpdate, status_label, timeline_label


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """History views that honour the admin's own queryset and object permissions.

    - The history list and each historical copy are shown only for an object the user may see now
      (`get_queryset` and `has_view_or_change_permission` on the live object): the same 404 as the
      change form for anything else, so nothing reveals that another department's row exists.
    - Reverting (POST to a historical copy) is offered only where `revertible` is set and the user may
      change the live object; anything else is refused before the library's view runs.
    """

    # Reverting writes every field of the old copy back, including those the change form shows read-only
    # (a period's state, a published flag), so it is allowed only where an admin opts in.
    revertible = False

    def live_object(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(str(object_id)))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return obj

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self.live_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        live = self.live_object(request, object_id)
        if not str(version_id).isdigit() or not live.history.filter(history_id=version_id).exists():
            raise Http404
        if request.method == "POST" and self.revert_disabled(request, live):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        """A change saved without a reason shows none: simple-history's list would print it as “None”. (The
        library renders a historical copy's form through here too, without a list.)"""
        for record in context.get("page_obj", ()):
            record.history_change_reason = record.history_change_reason or ""
        return super().render_history_view(request, template, context, **kwargs)

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The library asks this with the historical copy; the rule is about the object as it is now.
        if not self.revertible or obj is None:
            return True
        live = self.get_queryset(request).filter(pk=obj.pk).first()
        return live is None or not self.has_change_permission(request, live)

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool) -> None:
        # The last line of defence for every save path, the revert included: the object as stored now.
        if change:
            live = self.get_queryset(request).filter(pk=obj.pk).first()
            if live is None or not self.has_change_permission(request, live):
                raise PermissionDenied
        super().save_model(request, obj, form, change)


# Fields whose change the history's own columns already say (who, when, what happened) or that are bookkeeping.
HISTORY_SILENT_FIELDS = {
    "updated_at",
    "updated_by",
    "reviewed_at",
    "reviewed_by",
    "reported_status",
    "reported_target_year",
}


EVENT_FIELDS = ("status", "target_year", "reported_status", "reported_target_year", "review", "review_comment")


def describe_event(older: Any, newer: Any) -> list[str]:
    """What a historical record of a status was, from its own values and what changed since `older`: the
    department's report, the taskforce's correction of it, a review decision."""
    # Compared here: simple-history's diff leaves out the fields no form edits (the reported status).
    changed = {name for name in EVENT_FIELDS if getattr(older, name) != getattr(newer, name)}
    events = []
    reported = (newer.reported_status, newer.reported_target_year)
    if changed & {"reported_status", "reported_target_year"} and newer.reported_status:
        events.append(gettext("Reported by the department: %(status)s") % {"status": status_label(*reported)})
    if changed & {"status", "target_year"} and newer.reported_status and (newer.status, newer.target_year) != reported:
        events.append(
            gettext("Corrected by the taskforce: %(status)s (the department reported %(reported)s)")
            % {"status": status_label(newer.status, newer.target_year), "reported": status_label(*reported)}
        )
    if "review" in changed or "review_comment" in changed:
        decision = {
            StatusUpdate.Review.ACCEPTED: gettext("Accepted by the taskforce"),
            StatusUpdate.Review.RETURNED: gettext("Returned to the department"),
        }.get(newer.review, gettext("Awaiting review"))
        if newer.review_comment and newer.review != StatusUpdate.Review.PENDING:
            decision = gettext("%(decision)s: “%(comment)s”") % {"decision": decision, "comment": newer.review_comment}
        events.append(decision)
    return events


def describe_changes(older: Any, newer: Any) -> Iterator[str]:
    """ "Status: In progress → Complete", one line per field that changed between two historical records."""
    delta = newer.diff_against(older, excluded_fields=HISTORY_SILENT_FIELDS)
    for change in delta.changes:
        # diff_against compares concrete fields only, never relations seen from the other side.
        field = cast("Field[Any, Any]", StatusUpdate._meta.get_field(change.field))
        before, after = display_value(field, change.old), display_value(field, change.new)
        yield f"{capfirst(field.verbose_name)}: {before} → {after}"


def display_value(field: "Field[Any, Any]", value: Any) -> Any:
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.name == "target_year":
        return timeline_label(value)
    return value


class StatusChangeDisplay(HistoricalRecordContextHelper):
    """The history page's “Changes” column in words: labels, not stored codes; no bookkeeping fields."""

    def context_for_delta_changes(self, delta: Any) -> Any:
        # The record's own line in the history (what happened), beside its changes field by field.
        self.record.events = describe_event(delta.old_record, delta.new_record)
        changes = [change for change in delta.changes if change.field not in HISTORY_SILENT_FIELDS]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        return display_value(self.model._meta.get_field(change.field), value)
