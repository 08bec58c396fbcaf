"""The status list's actions: set a status on the selected rows (departments and the coordinator), accept or
return them (the coordinator). Each row is saved on its own, with its history, through the version check."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from commitments.models import NOTE_MAX_LENGTH, StaleUpdateError, Status, StatusUpdate
from commitments.review import answer_review, corrects_report, decide
from commitments.roles import editable_updates, is_coordinator

Review = StatusUpdate.Review


class ReviewActionForm(ActionForm):
    """The coordinator's action bar: the comment a decision carries (required to return an update), which is
    also the reason for setting a status other than the one a department reported."""

    comment = forms.CharField(
        label=_("Comment or reason"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 40}),
    )


def read_versions(request: HttpRequest) -> dict[int, int]:
    """The version of each row as the list's page showed it (each row posts its id and read version with the
    action), so that a decision applies to what the coordinator saw."""
    versions = {}
    for key, value in request.POST.items():
        if key.startswith("form-") and key.endswith("-id") and str(value).isdigit():
            version = str(request.POST.get(f"{key.removesuffix('-id')}-read_version", ""))
            if version.isdigit():
                versions[int(str(value))] = int(version)
    return versions


class StatusActionsMixin(admin.ModelAdmin):
    """For StatusUpdateAdmin (with RefusedSaveMixin's refuse_stale_edit): the list's actions."""

    action_form = ReviewActionForm

    def action_comment(self, request: HttpRequest) -> str | None:
        """The action bar's comment, or None (after saying why) when it is too long to keep."""
        comment = str(request.POST.get("comment", "")).strip()
        if len(comment) > NOTE_MAX_LENGTH:
            self.message_user(
                request,
                gettext("Nothing was changed: the comment is limited to %(limit)d characters.")
                % {"limit": NOTE_MAX_LENGTH},
                level=messages.ERROR,
            )
            return None
        return comment

    # ---- setting a status (only on rows the user may change)
    def set_status(self, request: HttpRequest, queryset: QuerySet[StatusUpdate], status: str) -> None:
        reason = self.action_comment(request)
        if reason is None:
            return
        allowed = queryset.filter(pk__in=editable_updates(request.user))
        refused = queryset.count() - allowed.count()
        if not reason and is_coordinator(request.user):
            corrected = [update for update in allowed if corrects_report(update, status, None)]
            if corrected:
                self.message_user(
                    request,
                    ngettext(
                        "Nothing was changed: %(count)d of these statuses was reported by its department. "
                        "Write in the comment why the taskforce changes it.",
                        "Nothing was changed: %(count)d of these statuses were reported by their departments. "
                        "Write in the comment why the taskforce changes them.",
                        len(corrected),
                    )
                    % {"count": len(corrected)},
                    level=messages.ERROR,
                )
                return
        changed = 0
        try:
            with transaction.atomic():
                for update in allowed:
                    update.status = status
                    update.target_year = None  # only “On track” carries a target year
                    answer_review(update, request.user)
                    update.save_unless_stale(cast(Any, request.user), update.version, reason)
                    changed += 1
        except StaleUpdateError as error:  # someone saved one of the rows as the action ran: none is changed
            self.refuse_stale_edit(request, error.current)  # type: ignore[attr-defined]  # RefusedSaveMixin's
            return
        self.message_user(request, gettext("%(count)d statuses set.") % {"count": changed})
        if refused:
            self.message_user(
                request,
                gettext("%(count)d rows were left alone: you may not change them.") % {"count": refused},
                level=messages.WARNING,
            )

    @admin.action(description=_("Set the selected statuses to Complete"), permissions=["change"])
    def mark_complete(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> None:
        self.set_status(request, queryset, Status.COMPLETE)

    @admin.action(description=_("Set the selected statuses to Ongoing"), permissions=["change"])
    def mark_ongoing(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> None:
        self.set_status(request, queryset, Status.ONGOING)

    @admin.action(description=_("Set the selected statuses to In progress"), permissions=["change"])
    def mark_in_progress(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> None:
        self.set_status(request, queryset, Status.IN_PROGRESS)

    # ---- the coordinator's review decisions
    def has_review_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    @admin.action(description=_("Accept the selected updates"), permissions=["review"])
    def accept(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> None:
        self.review_selected(request, queryset, Review.ACCEPTED)

    @admin.action(description=_("Return the selected updates to their department"), permissions=["review"])
    def return_for_changes(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> None:
        self.review_selected(request, queryset, Review.RETURNED)

    def review_selected(self, request: HttpRequest, queryset: QuerySet[StatusUpdate], decision: str) -> None:
        comment = self.action_comment(request)
        if comment is None:
            return
        if decision == Review.RETURNED and not comment:
            self.message_user(
                request,
                gettext("Nothing was returned: write in the comment what the department should change."),
                level=messages.ERROR,
            )
            return
        outcome = decide(queryset, cast(Any, request.user), decision, comment, read_versions(request))
        if outcome.stale is not None:
            self.refuse_stale_edit(request, outcome.stale)  # type: ignore[attr-defined]  # RefusedSaveMixin's
            return
        if outcome.decided:
            text = (
                ngettext("%(count)d update accepted.", "%(count)d updates accepted.", outcome.decided)
                if decision == Review.ACCEPTED
                else ngettext(
                    "%(count)d update returned to its department.",
                    "%(count)d updates returned to their departments.",
                    outcome.decided,
                )
            )
            self.message_user(request, text % {"count": outcome.decided})
        if outcome.published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d update was left alone: its period is published and can no longer change.",
                    "%(count)d updates were left alone: their period is published and can no longer change.",
                    outcome.published,
                )
                % {"count": outcome.published},
                level=messages.WARNING,
            )
