"""When a save is refused, because someone else saved first or the period moved on: what the person is told,
with their own values kept beside the other person's."""

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import Field
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from commitments.admin.status_forms import QUICK_FIELDS, SLIP_FIELDS, STAFF_FIELDS
from commitments.models import (
    ReportingPeriod,
    StaleUpdateError,
    StatusUpdate,
)
from commitments.roles import is_coordinator


def edited_field(name: str) -> "Field[Any, Any]":
    """One of the fields a person edits on a status (all concrete fields)."""
    return cast("Field[Any, Any]", StatusUpdate._meta.get_field(name))


def compare(current: StatusUpdate, typed: Mapping[str, Any] | None = None) -> list[tuple[Any, Any, Any]]:
    """(label, theirs, yours) for each field a person edits; yours is None for a field they did not type
    (the form: `typed` is None, the page shows the POSTed form; the list and the import: what they typed)."""
    rows = []
    for name in [*STAFF_FIELDS, *SLIP_FIELDS]:
        field = edited_field(name)
        theirs = getattr(current, name)
        if field.choices:
            theirs = current._get_FIELD_display(field) if theirs else ""  # type: ignore[attr-defined]  # Django's, not in the stubs
        yours = typed[name] if typed and name in typed else None
        if yours and field.choices:
            yours = dict(field.flatchoices).get(yours, yours)
        rows.append((field.verbose_name, theirs if theirs not in (None, "") else "—", yours))
    return rows


# How often the quick-update list is saved again when a row's write meets a save made after its version check.
LIST_SAVE_TRIES = 3


class RefusedSaveMixin(admin.ModelAdmin):
    """For StatusUpdateAdmin: the pages and messages of a refused save (stale, or the period closed)."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The quick-update list's save, tried again when someone saved one of its rows between the list's
        version check and that row's write: the StaleUpdateError rolled every row back, and checked again that
        row is a conflict (shown beside theirs) while the others are saved. Past the last try, the error goes to
        StatusUpdateAdmin.changelist_view, which refuses the page."""
        for _attempt in range(LIST_SAVE_TRIES - 1):
            try:
                return super().changelist_view(request, extra_context)
            except StaleUpdateError:
                # The rolled-back forms are not the page's answer; the next try's are (see conflicts_response).
                getattr(request, "quick_update_forms", []).clear()
        return super().changelist_view(request, extra_context)

    def compare(self, current: StatusUpdate, typed: Mapping[str, Any] | None = None) -> list[tuple[Any, Any, Any]]:
        return compare(current, typed)

    def closed_period_response(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect | None:
        """The period moved on (to review, or published) while a department had the form open: say so plainly
        instead of “doesn't exist”, and keep what they typed in the message."""
        update = (
            StatusUpdate.objects.filter(pk=int(object_id) if str(object_id).isdigit() else 0)  # type: ignore[misc]  # a signed-in User
            .exclude(period__state=ReportingPeriod.State.OPEN)
            .filter(deliverable__leads__members=request.user)
            .select_related("period")
            .first()
        )
        if update is None:
            return None
        message = gettext(
            "The %(period)s period is now “%(state)s”: departments can no longer change its statuses, "
            "and your changes were not saved. Send them to the coordinator."
        ) % {"period": update.period.label, "state": update.period.get_state_display()}
        if request.method == "POST":
            typed = "; ".join(
                f"{edited_field(name).verbose_name}: {request.POST[name]}"
                for name in STAFF_FIELDS
                if request.POST.get(name)
            )
            if typed:
                message = f"{message} {gettext('What you typed:')} {typed}"
        self.message_user(request, message, level=messages.WARNING)
        return redirect("admin:commitments_statusupdate_changelist")

    def closed_list_response(self, request: HttpRequest) -> HttpResponseRedirect | None:
        """The list was posted after its period moved on (to review): say so, and give back what was typed."""
        rows = {}
        for key, value in request.POST.items():
            if key.startswith("form-") and key.endswith("-id") and value.isdigit():  # type: ignore[union-attr]
                rows[int(value)] = key.removesuffix("-id")  # type: ignore[arg-type]  # POST values are str
        moved_on = (
            StatusUpdate.objects.filter(pk__in=rows)  # type: ignore[misc]  # a signed-in User
            .exclude(period__state=ReportingPeriod.State.OPEN)
            .filter(deliverable__leads__members=request.user)
            .select_related("period", "deliverable__task")
            .distinct()
        )
        closed = list(moved_on)
        if not closed:
            return None
        period = closed[0].period
        typed = []
        for update in closed:
            prefix = rows[update.pk]
            changed = [
                f"{edited_field(name).verbose_name}: {request.POST[f'{prefix}-{name}']}"
                for name in QUICK_FIELDS
                if request.POST.get(f"{prefix}-{name}", "") != request.POST.get(f"initial-{prefix}-{name}", "")
            ]
            if changed:
                typed.append(f"{update.deliverable.task.code} ({'; '.join(changed)})")
        message = gettext(
            "The %(period)s period is now “%(state)s”: departments can no longer change its statuses, "
            "and your changes were not saved. Send them to the coordinator."
        ) % {"period": period.label, "state": period.get_state_display()}
        if typed:
            message = f"{message} {gettext('What you typed:')} {' · '.join(typed)}"
        self.message_user(request, message, level=messages.WARNING)
        return redirect(request.get_full_path())

    def refuse_stale_edit(self, request: HttpRequest, current: StatusUpdate) -> None:
        self.message_user(
            request,
            gettext(
                "Not saved: %(user)s changed the status of “%(deliverable)s” on %(when)s (now “%(status)s”, "
                "note: “%(note)s”). Review their change, then make yours again."
            )
            % {
                "user": current.updated_by or gettext("someone"),
                "deliverable": Truncator(current.deliverable.text).chars(80),
                "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
                if current.updated_at
                else "",
                "status": current.label,
                "note": current.note,
            },
            level=messages.ERROR,
        )

    def conflicts_response(
        self, request: HttpRequest, conflicts: Sequence[ModelForm[StatusUpdate]], back: str
    ) -> TemplateResponse:
        """The list saved every row but these: someone else saved them since the page was read."""
        typed = [
            (form.instance.pk, {name: form.data.get(form.add_prefix(name), "") for name in QUICK_FIELDS})
            for form in conflicts
        ]
        return self.stale_rows_response(
            request,
            typed,
            back,
            gettext(
                "Your other rows were saved. Someone else saved the rows below after you opened the list: "
                "choose, for each, which version to keep."
            ),
        )

    def stale_rows_response(
        self, request: HttpRequest, typed: Sequence[tuple[int, Mapping[str, Any]]], back: str, saved: str
    ) -> TemplateResponse:
        """The rows not saved because someone else saved them first (in the list, or since a spreadsheet was
        exported), each a (status update id, what the person typed) pair: shown with the person's values
        beside the other person's, with one click to keep theirs or take the other's. `saved` says what
        became of the rest."""
        current = {
            update.pk: update
            for update in StatusUpdate.objects.filter(pk__in=[pk for pk, _ in typed]).select_related(
                "updated_by", "deliverable", "period"
            )
        }
        rows = []
        for pk, values in typed:
            theirs = current[pk]
            self.refuse_stale_edit(request, theirs)
            # Keeping mine posts the whole form of that status, at the version now current.
            keep = {name: getattr(theirs, name) or "" for name in [*STAFF_FIELDS, *SLIP_FIELDS]}
            keep.update({name: "" if value is None else value for name, value in values.items()})
            if is_coordinator(request.user):
                keep.update(review=theirs.review, review_comment=theirs.review_comment)
            keep["read_version"] = theirs.version
            rows.append(
                {
                    "update": theirs,
                    "compare": compare(theirs, values),
                    "keep": keep.items(),
                    "action": reverse("admin:commitments_statusupdate_change", args=[theirs.pk]),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Some rows were not saved"),
            "opts": self.model._meta,
            "rows": rows,
            "back": back,
            "saved": saved,
        }
        return TemplateResponse(request, "admin/commitments/statusupdate/conflicts.html", context, status=409)
